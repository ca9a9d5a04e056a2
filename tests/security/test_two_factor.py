"""Two-factor login for officials whose role requires it (TOTP + single-use recovery codes)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.test import Client
from django.urls import reverse

from onestop_tayninh.directory.models import Role
from onestop_tayninh.security.models import AuditEvent
from onestop_tayninh.security.services import recovery_codes_issue, two_factor_required
from tests.factories import OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "Mã xác thực không đúng hoặc đã hết hạn"


def current_code(device: TOTPDevice, *, offset: int = 0) -> str:
    return f"{(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits) + offset) % 10**6:06d}"


def enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


def test_first_login_enrols_with_a_qr_code_and_a_valid_totp(client, two_factor_on, desk_login):
    user = OfficialFactory(roles=["receiving_officer"]).user
    assert desk_login(client, user.username).status_code == 302

    response = client.get("/desk/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("security:otp_enrol"))

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    done = client.post(response.url, {"token": current_code(device), "next": "/desk/"})
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/desk/").status_code == 200
    assert AuditEvent.objects.filter(action="otp_enrolled", actor_id=user.pk).exists()


def test_a_wrong_code_is_refused_in_vietnamese(client, two_factor_on, desk_login):
    user = OfficialFactory(roles=["agency_head"]).user
    desk_login(client, user.username)
    client.get(reverse("security:otp_enrol"))
    device = TOTPDevice.objects.get(user=user)

    response = client.post(reverse("security:otp_enrol"), {"token": current_code(device, offset=1)})
    assert response.status_code == 400
    assert WRONG in response.content.decode()
    assert client.get("/desk/").status_code == 302
    assert AuditEvent.objects.filter(action="otp_failed", actor_id=user.pk).exists()


def test_an_enrolled_official_verifies_with_the_current_code(client, two_factor_on, desk_login):
    user = OfficialFactory(roles=["handling_officer"]).user
    device = enrolled(user)
    desk_login(client, user.username)
    response = client.get("/desk/catalog/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("security:otp_verify"))

    wrong = client.post(reverse("security:otp_verify"), {"token": current_code(device, offset=7)})
    assert wrong.status_code == 400
    assert WRONG in wrong.content.decode()

    device.throttling_failure_count = 0
    device.save()
    ok = client.post(reverse("security:otp_verify"), {"token": current_code(device), "next": "/desk/catalog/"})
    assert ok.status_code == 302
    assert ok.url == "/desk/catalog/"
    assert client.get("/desk/").status_code == 200


def test_a_recovery_code_works_once(two_factor_on, desk_login):
    user = OfficialFactory(roles=["receiving_officer"]).user
    enrolled(user)
    codes = recovery_codes_issue(user=user)

    first = Client()
    desk_login(first, user.username)
    assert first.post(reverse("security:otp_verify"), {"token": codes[0]}).status_code == 302
    assert first.get("/desk/").status_code == 200

    second = Client()
    desk_login(second, user.username)
    response = second.post(reverse("security:otp_verify"), {"token": codes[0]})
    assert response.status_code == 400
    assert WRONG in response.content.decode()
    assert second.get("/desk/").status_code == 302


def test_a_role_without_two_factor_logs_straight_in(client, two_factor_on, desk_login):
    user = OfficialFactory(roles=["receiving_officer"]).user
    Role.objects.filter(code="receiving_officer").update(requires_two_factor=False)

    desk_login(client, user.username)
    assert client.get("/desk/").status_code == 200


def test_one_role_requiring_two_factor_is_enough(two_factor_on):
    user = OfficialFactory(roles=["receiving_officer", "system_admin"]).user
    Role.objects.filter(code="receiving_officer").update(requires_two_factor=False)
    assert two_factor_required(user)


def test_superusers_need_two_factor_unless_switched_off(two_factor_on):
    superuser = UserFactory(is_superuser=True)
    assert two_factor_required(superuser)
    two_factor_on.ONESTOP_SUPERUSER_2FA = False
    assert not two_factor_required(superuser)


def test_enforcement_off_lets_everyone_in(client, settings):
    settings.ONESTOP_ENFORCE_2FA = False
    client.force_login(OfficialFactory(roles=["receiving_officer"]).user)
    assert client.get("/desk/").status_code == 200


def test_the_two_factor_page_never_redirects_to_another_site(client, two_factor_on, desk_login):
    user = OfficialFactory(roles=["receiving_officer"]).user
    device = enrolled(user)
    desk_login(client, user.username)
    response = client.post(
        reverse("security:otp_verify"), {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_logout_stays_reachable_before_the_second_factor(client, two_factor_on, desk_login):
    user = OfficialFactory(roles=["receiving_officer"]).user
    desk_login(client, user.username)
    assert client.post(reverse("admin:logout")).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_two_factor_page_offers_another_account_through_a_logout_form(client, two_factor_on, desk_login):
    user = OfficialFactory(roles=["receiving_officer"]).user
    enrolled(user)
    desk_login(client, user.username)
    html = client.get(reverse("security:otp_verify")).content.decode()
    # A link (GET) to the logout page answers 405 since Django 5: it must be a form.
    assert f'<form method="post" action="{reverse("admin:logout")}"' in html
    assert "Đặt lại xác thực hai lớp" in html


def test_an_administrator_resets_an_officials_two_factor_from_the_desk(client, two_factor_on, desk_login):
    official = OfficialFactory(roles=["receiving_officer"]).user
    enrolled(official)
    recovery_codes_issue(user=official)
    admin = OfficialFactory(roles=["system_admin"]).user
    admin_device = enrolled(admin)
    desk_login(client, admin.username)
    client.post(reverse("security:otp_verify"), {"token": current_code(admin_device)})

    page = client.get(reverse("admin:accounts_user_change", args=[official.pk])).content.decode()
    assert "Đã đăng ký, còn 10 mã dự phòng" in page

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [official.pk]},
        follow=True,
    )
    assert "Đã đặt lại xác thực hai lớp cho" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=official).exists()
    assert AuditEvent.objects.filter(action="otp_reset", actor_id=admin.pk, object_id=str(official.pk)).exists()

    # The official enrols again at the next login.
    again = Client()
    desk_login(again, official.username)
    assert again.get("/desk/").url.startswith(reverse("security:otp_enrol"))


def test_the_operator_resets_two_factor_from_the_command_line(two_factor_on):
    from django.core.management import call_command

    user = OfficialFactory(roles=["system_admin"], user__username="quantri.test").user
    enrolled(user)
    call_command("two_factor_reset", "quantri.test", reason="mất điện thoại")
    assert not TOTPDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="otp_reset", object_id=str(user.pk))
    assert event.actor_id is None
    assert event.data == {"reason": "mất điện thoại"}


def test_no_desk_page_shows_an_officials_totp_key_not_even_to_a_superuser(client):
    """A copied key is a second authenticator: django-otp's config and QR pages are refused (a missing
    device too, which used to be a 500), and the device's page does not show the key."""
    device = enrolled(OfficialFactory(roles=["receiving_officer"]).user)
    client.force_login(UserFactory(is_superuser=True))
    client.raise_request_exception = False
    for pk in (device.pk, device.pk + 1000):
        assert client.get(f"/desk/otp_totp/totpdevice/{pk}/config/").status_code == 403
        assert client.get(f"/desk/otp_totp/totpdevice/{pk}/qrcode/").status_code == 403
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200 and device.key not in page.content.decode()
