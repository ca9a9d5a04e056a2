"""Two-factor login as officials live with it, in Chromium against the live server.

The server runs in autocommit here, as in production (`transaction=True`): a code check that locks
rows outside a transaction of its own answers 500 on the second login, which a test wrapped in a
transaction cannot see. Tests of onestop_tayninh.security; they live here to share this
directory's browser session.
"""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.contrib.sessions.models import Session

from onestop_tayninh.security.models import AuditEvent
from tests.browser.conftest import Authenticator
from tests.factories import PASSWORD, OfficialFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRONG = "Mã xác thực không đúng hoặc đã hết hạn"
THROTTLED = "Bạn đã nhập sai mã nhiều lần"


@pytest.fixture
def official(settings):
    settings.ONESTOP_ENFORCE_2FA = True
    return OfficialFactory(roles=["receiving_officer"], user__username="tiepnhan.thu", user__full_name="Lê Thị Thu")


def log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/desk/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def type_code(page, code: str) -> None:
    page.get_by_label("Mã xác thực").fill(code)
    page.get_by_role("button", name="Xác nhận").click()


def in_the_desk(page) -> None:
    page.wait_for_selector("text=Bàn làm việc")
    assert page.locator(".errornote").count() == 0


def enrol(page, url: str, username: str) -> Authenticator:
    """First login: enrol the authenticator from the key shown; the recovery codes go with it."""
    log_in(page, url, username)
    page.wait_for_selector("#otp-secret")
    phone = Authenticator(page.inner_text("#otp-secret"))
    page.get_by_label("Mã 6 chữ số trong ứng dụng").fill(phone.next_code())
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_selector("#recovery-codes")
    phone.recovery_codes = [code.strip() for code in page.locator("#recovery-codes li").all_inner_texts()]
    return phone


def log_out(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_selector("text=Đăng nhập lại")


def test_enrol_then_log_in_again_with_a_code_then_with_recovery_codes(
    live_server, page, official, screenshot, settings
):
    # A person pauses after a refused code; the throttle itself is the next test's subject.
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    url = live_server.url

    # First login: enrol the authenticator from the key shown, keep the recovery codes.
    phone = enrol(page, url, official.user.username)
    recovery = phone.recovery_codes
    assert len(recovery) == 10
    page.get_by_role("link", name="Tiếp tục vào bàn làm việc").click()
    in_the_desk(page)
    log_out(page)

    # Second login: a code from the authenticator.
    log_in(page, url, official.user.username)
    page.wait_for_selector("text=Nhập mã 6 chữ số đang hiện trong ứng dụng xác thực")
    screenshot(page, "security-otp-verify")
    type_code(page, phone.next_code())
    in_the_desk(page)
    log_out(page)

    # Third login: a recovery code, the phone left at home.
    log_in(page, url, official.user.username)
    type_code(page, recovery[0])
    in_the_desk(page)
    log_out(page)

    # A recovery code works once.
    log_in(page, url, official.user.username)
    type_code(page, recovery[0])
    page.wait_for_selector(f"text={WRONG}")
    type_code(page, recovery[1])
    in_the_desk(page)

    # The session ends on the server (30 minutes idle): the desk asks for the password and a code again.
    Session.objects.all().delete()
    page.goto(f"{url}/desk/")
    page.wait_for_selector("text=Tên đăng nhập")
    page.get_by_label("Tên đăng nhập").fill(official.user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("text=Nhập mã 6 chữ số đang hiện trong ứng dụng xác thực")
    type_code(page, recovery[2])
    in_the_desk(page)

    user = official.user
    assert AuditEvent.objects.filter(action="otp_enrolled", actor_id=user.pk).count() == 1
    assert AuditEvent.objects.filter(action="otp_verified", actor_id=user.pk).count() == 4
    assert AuditEvent.objects.filter(action="otp_failed", actor_id=user.pk).count() == 1


def test_wrong_codes_are_throttled_and_the_count_survives_the_request(
    live_server, page, official, screenshot, settings
):
    # One minute after the first wrong code, two after the second: longer than this test takes.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    url = live_server.url
    phone = enrol(page, url, official.user.username)
    log_out(page)

    log_in(page, url, official.user.username)
    wrong = f"{(int(phone.code(steps_ahead=1)) + 500_000) % 1_000_000:06d}"
    type_code(page, wrong)
    page.wait_for_selector(f"text={WRONG}")
    # The failure was committed, not rolled back with the request.
    device = TOTPDevice.objects.get(user=official.user, confirmed=True)
    assert device.throttling_failure_count == 1

    type_code(page, wrong)
    page.wait_for_selector(f"text={THROTTLED}")
    screenshot(page, "security-otp-throttled")
    # The throttle holds: for now even the right code is refused.
    type_code(page, phone.code(steps_ahead=1))
    page.wait_for_selector(f"text={THROTTLED}")
    assert "/xac-thuc/" in page.url
    assert not AuditEvent.objects.filter(action="otp_verified", actor_id=official.user.pk).exists()
