"""The login policy's abuse cases, each through the real login views (README "Chính sách đăng nhập").

Pairs (account, address) are locked by django-axes; an account failed from many addresses is slowed
down, never locked; a success clears; the desk (officials) is stricter; a citizen's credentials typed
into the desk's login count nowhere on the portal.
"""

import time

import pytest
from axes.models import AccessAttempt

from django.test import Client

from tests.accounts.conftest import CCCD, EMAIL
from tests.accounts.conftest import PASSWORD as CITIZEN_PASSWORD
from tests.factories import CitizenFactory, OfficialFactory

pytestmark = pytest.mark.django_db

LOCKED = "Tài khoản tạm khóa do đăng nhập sai nhiều lần"
SLOWED = "vui lòng đợi"
WRONG = "sai-mat-khau"


def at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def logged_in(client: Client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def fast_slowdown(settings, realm: str, *, after: int, first_delay: int = 1) -> None:
    settings.ONESTOP_LOGIN_SLOWDOWN = {
        **settings.ONESTOP_LOGIN_SLOWDOWN,
        realm: {**settings.ONESTOP_LOGIN_SLOWDOWN[realm], "after": after, "first_delay": first_delay},
    }


def test_a_shared_address_locks_only_the_pairs_that_failed(lockout_on, portal_login, desk_login):
    """A carrier's NAT or a one-stop centre's network: many people, one address."""
    shared = at("100.64.0.1")
    strangers = [CitizenFactory().user for _ in range(3)]
    for user in strangers:
        for _ in range(5):
            portal_login(shared, user.phone, WRONG)
    assert LOCKED in portal_login(shared, strangers[0].phone).content.decode()

    neighbour = CitizenFactory().user
    response = portal_login(at("100.64.0.1"), neighbour.phone)
    assert response.status_code == 302 and logged_in(response.client, neighbour)
    official = OfficialFactory().user
    assert desk_login(at("100.64.0.1"), official.username).status_code == 302


def test_a_stranger_who_knows_a_citizens_phone_and_cccd_locks_only_themselves(citizen, lockout_on, portal_login):
    attacker = at("203.0.113.7")
    for identifier in ["0912345678", "0912 345 678", "+84912345678", CCCD, EMAIL]:
        response = portal_login(attacker, identifier, WRONG)
    # Every spelling named the same account: the fifth failure locked the attacker's pair.
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert portal_login(attacker, CCCD, CITIZEN_PASSWORD).status_code == 429

    owner = at("10.20.30.40")
    response = portal_login(owner, "0912345678", CITIZEN_PASSWORD)
    assert response.status_code == 302 and logged_in(owner, citizen)


def test_an_account_attacked_from_many_addresses_is_slowed_down_more_and_more_never_locked(
    citizen, lockout_on, portal_login, settings
):
    fast_slowdown(settings, "portal", after=3)
    for index in range(3):
        assert portal_login(at(f"198.51.100.{index + 1}"), CCCD, WRONG).status_code == 400
    # Below the pair limit everywhere, yet the account now makes every attempt wait, even the right one.
    response = portal_login(at("198.51.100.50"), CCCD, CITIZEN_PASSWORD)
    assert response.status_code == 429 and SLOWED in response.content.decode()
    first_wait = int(response["Retry-After"])
    assert 1 <= first_wait <= 2
    assert "_auth_user_id" not in response.client.session

    time.sleep(first_wait)
    assert portal_login(at("198.51.100.60"), CCCD, WRONG).status_code == 400
    second_wait = int(portal_login(at("198.51.100.61"), CCCD, WRONG)["Retry-After"])
    assert second_wait > first_wait  # growing: 1, 2, 4 … seconds

    # No pair and no account is locked: after the wait the owner is let in.
    assert not AccessAttempt.objects.filter(failures_since_start__gte=5).exists()
    time.sleep(second_wait)
    owner = at("10.20.30.40")
    assert portal_login(owner, "0912345678", CITIZEN_PASSWORD).status_code == 302 and logged_in(owner, citizen)

    # The success cleared the account's count: the next failure imposes no wait.
    assert portal_login(at("198.51.100.70"), CCCD, WRONG).status_code == 400
    assert portal_login(at("198.51.100.71"), CCCD, CITIZEN_PASSWORD).status_code == 302


def test_a_successful_login_clears_the_failures_of_its_pair(citizen, lockout_on, portal_login):
    client = at("10.1.1.1")
    for _ in range(4):
        portal_login(client, CCCD, WRONG)
    assert portal_login(client, CCCD, CITIZEN_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert portal_login(client, CCCD, WRONG).status_code == 400
    assert portal_login(client, CCCD, CITIZEN_PASSWORD).status_code == 302


def test_a_citizens_password_typed_at_the_desk_counts_nothing_on_the_portal(
    citizen, lockout_on, desk_login, portal_login
):
    client = at("10.5.5.5")
    for _ in range(6):
        response = desk_login(client, "0912345678", CITIZEN_PASSWORD)
        assert "_auth_user_id" not in client.session
    assert response.status_code == 429  # the desk refuses; its own pair is locked

    response = portal_login(at("10.5.5.5"), "0912345678", CITIZEN_PASSWORD)
    assert response.status_code == 302 and logged_in(response.client, citizen)


def test_officials_are_held_to_a_stricter_policy(lockout_on, desk_login, portal_login, settings):
    official = OfficialFactory(roles=["receiving_officer"]).user
    resident = CitizenFactory().user
    desk, portal = at("10.6.6.6"), at("10.6.6.7")
    for _ in range(3):
        desk_login(desk, official.username, WRONG)
        portal_login(portal, resident.phone, WRONG)
    # Three failures lock the official's pair; the citizen's pair allows five.
    response = desk_login(desk, official.username)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert "(3 lần)" in response.content.decode()
    assert portal_login(portal, resident.phone).status_code == 302

    # Three failures also slow the official's account down from anywhere (the citizen's: ten).
    response = desk_login(at("10.6.6.99"), official.username)
    assert response.status_code == 429 and SLOWED in response.content.decode()
    assert int(response["Retry-After"]) >= settings.ONESTOP_LOGIN_SLOWDOWN["desk"]["first_delay"]


def test_the_desk_login_is_limited_per_address(lockout_on, desk_login, settings):
    settings.ONESTOP_RATE_LIMITS = {**settings.ONESTOP_RATE_LIMITS, "desk_login": (4, 600)}
    client = at("10.8.8.8")
    for index in range(4):
        desk_login(client, f"khong-ton-tai-{index}", WRONG)
    response = desk_login(client, OfficialFactory().user.username)
    assert response.status_code == 429 and "Có quá nhiều lần đăng nhập từ địa chỉ mạng này" in response.content.decode()
    assert desk_login(at("10.8.8.9"), OfficialFactory().user.username).status_code == 302
