"""Login lockout (django-axes) at the desk: per (account, address) pair, with an unlock in the desk.

The abuse cases of the whole policy, portal included, are in test_login_policy.py.
"""

import pytest
from axes.models import AccessAttempt

from django.test import Client
from django.urls import reverse

from onestop_tayninh.security.models import AuditEvent
from tests.factories import OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Tài khoản tạm khóa do đăng nhập sai nhiều lần"


def test_third_failure_locks_the_pair_and_the_right_password_is_then_refused(client, lockout_on, desk_login):
    official = OfficialFactory(roles=["receiving_officer"])
    username = official.user.username
    for _ in range(2):
        assert desk_login(client, username, "sai-mat-khau").status_code == 200

    response = desk_login(client, username, "sai-mat-khau")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()

    response = desk_login(client, username)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="lockout", object_repr=username).exists()


def test_failures_from_one_address_lock_no_other_account_behind_it(client, lockout_on, desk_login):
    victims = [OfficialFactory().user for _ in range(5)]
    for user in victims:
        desk_login(client, user.username, "sai-mat-khau")
    other = OfficialFactory().user

    assert desk_login(client, other.username).status_code == 302


def test_case_and_accent_variants_of_a_username_count_as_one_account(client, lockout_on, desk_login):
    user = OfficialFactory(user__username="quantri").user
    for variant in ["QuanTri", "quàntri", "Quântri"]:
        desk_login(client, variant, "sai-mat-khau")

    response = desk_login(client, user.username)
    assert response.status_code == 429 and LOCKED in response.content.decode()


def test_cool_off_and_limit_come_from_settings(client, lockout_on, desk_login):
    lockout_on.ONESTOP_DESK_LOGIN_FAILURE_LIMIT = 2
    user = OfficialFactory().user
    desk_login(client, user.username, "sai")
    assert desk_login(client, user.username, "sai").status_code == 429


def test_administrator_unlock_in_the_desk_lets_the_user_in(client, lockout_on, desk_login):
    user = OfficialFactory(roles=["receiving_officer"]).user
    for _ in range(3):
        desk_login(client, user.username, "sai-mat-khau")
    assert desk_login(client, user.username).status_code == 429
    # The account is slowed down from anywhere too (three failures at the desk).
    assert desk_login(Client(REMOTE_ADDR="10.0.0.8"), user.username).status_code == 429

    admin = UserFactory(is_superuser=True)
    admin_client = Client(REMOTE_ADDR="10.0.0.9")
    admin_client.force_login(admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin_client.get(changelist)
    assert page.status_code == 200
    assert "Mở khóa đăng nhập" in page.content.decode()
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin_client.post(changelist, {"action": "unlock", "_selected_action": attempts})
    assert response.status_code == 302

    # The unlock lifted both the pair's lock and the account's slow-down.
    response = desk_login(client, user.username)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    unlock = AuditEvent.objects.get(action="unlock")
    assert unlock.actor_id == admin.pk and unlock.data["username"] == user.username


def test_receiving_officer_cannot_open_the_lockout_page(client):
    client.force_login(OfficialFactory(roles=["receiving_officer"]).user)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def test_logging_into_ones_own_account_does_not_reset_the_count_for_another(client, lockout_on, desk_login):
    attacker = OfficialFactory().user
    victim = OfficialFactory().user
    for _ in range(2):
        desk_login(client, victim.username, "doan-mo")
        assert desk_login(client, attacker.username).status_code == 302
        client.logout()
    desk_login(client, victim.username, "doan-mo")

    response = desk_login(client, victim.username)
    assert response.status_code == 429 and LOCKED in response.content.decode()


@pytest.fixture
def redis_failing_over(monkeypatch):
    """The counters' cache on a port nothing listens on: connecting is refused, as while a Redis
    master fails over (the failure drill "kill -9 Redis master", tests/drills/)."""
    import socket

    from django.core.cache.backends.redis import RedisCache

    from onestop_tayninh.security import login_throttle, ratelimit

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = RedisCache(f"redis://127.0.0.1:{port}/0", {})
    monkeypatch.setattr(ratelimit, "cache", unreachable)
    monkeypatch.setattr(login_throttle, "cache", unreachable)


def test_while_redis_fails_over_logins_still_work_and_the_lockout_still_counts(
    client, lockout_on, desk_login, redis_failing_over
):
    """The slow-down and the rate limits live in Redis; without it they let the request through
    (logged) instead of answering 500, and django-axes' lockout, counted in the database, still holds."""
    official = OfficialFactory(roles=["receiving_officer"])
    username = official.user.username
    assert desk_login(client, username).status_code == 302
    client.logout()
    for _ in range(2):
        assert desk_login(client, username, "sai-mat-khau").status_code == 200
    assert desk_login(client, username, "sai-mat-khau").status_code == 429


def test_while_redis_fails_over_the_public_look_up_answers(client, redis_failing_over):
    response = client.post("/tra-cuu/", {"code": "000.00.00.H53-000000-0000", "secret": "000000"})
    assert response.status_code == 200
