"""Security in Chromium: first desk login with two-factor enrolment, the desk under the CSP, the lockout page.

Tests of onestop_tayninh.security; they live here to share this directory's browser session.
"""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop_tayninh.directory.constants import AgencyKind
from tests.factories import PASSWORD, AgencyFactory, OfficialFactory, UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page):
    """Messages Chromium prints when the Content-Security-Policy blocks something."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None)
    return seen


def login(page, url, username, password=PASSWORD):
    page.goto(f"{url}/desk/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_first_login_enrols_two_factor_then_the_desk_works_under_the_csp(
    live_server, page, screenshot, csp_violations, settings
):
    settings.ONESTOP_ENFORCE_2FA = True
    province = UnitFactory(province=True, name="Tỉnh Tây Ninh")
    AgencyFactory(code="000.00.02.H53", name="Sở Nội vụ tỉnh Tây Ninh", kind=AgencyKind.DEPARTMENT, unit=province)
    agency = AgencyFactory(
        code="000.00.01.H53", name="Sở Tư pháp tỉnh Tây Ninh", kind=AgencyKind.DEPARTMENT, unit=province
    )
    admin = OfficialFactory(agency=agency, roles=["system_admin"], user__username="quantri").user

    login(page, live_server.url, admin.username)
    page.wait_for_selector("#otp-secret")
    assert page.locator("img[src^='data:image/svg+xml']").count() == 1
    assert page.evaluate("document.querySelector('img[src^=\"data:image\"]').naturalWidth") > 0
    screenshot(page, "security-otp-enrol")

    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    page.get_by_label("Mã 6 chữ số trong ứng dụng").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_selector("#recovery-codes")
    assert page.locator("#recovery-codes li").count() == 10
    screenshot(page, "security-otp-recovery-codes")

    page.get_by_role("link", name="Tiếp tục vào bàn làm việc").click()
    page.wait_for_selector("text=Bàn làm việc")
    page.get_by_role("link", name="Cơ quan", exact=True).first.click()
    page.get_by_role("link", name="000.00.01.H53").click()
    page.wait_for_selector("input[name=code]")
    # The parent field is an autocomplete (select2, admin JavaScript): it must still work.
    page.locator(".field-parent .select2-selection").click()
    page.wait_for_selector(".select2-results__option >> text=Sở Nội vụ")
    page.keyboard.press("Escape")
    assert page.input_value("input[name=name]") == "Sở Tư pháp tỉnh Tây Ninh"
    # django-rq's job list has the one inline script the policy allows by its hash.
    page.goto(f"{live_server.url}/desk/rq/queues/0/")
    assert page.locator("script:not([src])").count() >= 1
    page.wait_for_load_state("load")
    assert csp_violations == []


def test_the_lockout_page_is_in_vietnamese(live_server, page, settings, csp_violations, screenshot):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    user = OfficialFactory().user
    for _ in range(3):
        login(page, live_server.url, user.username, "sai-mat-khau")
    page.wait_for_selector("text=Tài khoản tạm khóa do đăng nhập sai nhiều lần")
    screenshot(page, "security-lockout")
    assert csp_violations == []
