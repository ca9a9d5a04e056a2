"""The account pages in headless Chromium, on a phone and on a desktop, with screenshots to look at."""

import re

import pytest

from django.urls import reverse
from django.utils import timezone

from onestop_tayninh.accounts import services
from onestop_tayninh.accounts.constants import MessageKey
from onestop_tayninh.accounts.login.registry import providers
from tests.accounts.conftest import CCCD, PASSWORD, latest_message, register
from tests.accounts.test_login_providers import FakeProvider
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_register_log_in_profile_and_reset(live_server, browser, screenshot, viewport):
    width = "phone" if viewport is PHONE else "desktop"
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(f"{live_server.url}{reverse('accounts:register')}")
        assert page.get_by_label("Số CCCD").is_visible() and not page.get_by_label("Mã số thuế").is_visible()
        screenshot(page, f"accounts-register-{width}")
        page.get_by_text("Tổ chức", exact=True).first.click()
        assert page.get_by_label("Mã số thuế").is_visible() and not page.get_by_label("Số CCCD").is_visible()
        screenshot(page, f"accounts-register-organisation-{width}")

        page.get_by_text("Cá nhân", exact=True).first.click()
        page.get_by_label("Số CCCD").fill("0721")
        page.get_by_label("Họ và tên").fill("Nguyễn Thị Lan")
        page.get_by_label("Số điện thoại di động").fill("0912 345 678")
        page.get_by_label("Mật khẩu", exact=True).fill("ngan")
        page.get_by_label("Nhập lại mật khẩu").fill("ngan")
        page.get_by_role("button", name="Đăng ký").click()
        page.wait_for_selector(".error-summary")
        assert "Số CCCD gồm đúng 12 chữ số" in page.content()
        screenshot(page, f"accounts-register-errors-{width}")

        page.get_by_label("Số CCCD").fill(CCCD)
        page.get_by_label("Ngày sinh").fill("1990-05-17")
        page.get_by_role("radio", name="Nữ").check()
        page.get_by_label("Thư điện tử").fill("lan.nguyen@example.vn")
        page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
        page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng ký").click()
        page.wait_for_selector("h1:has-text('Xác nhận số điện thoại')")
        page.get_by_label("Mã xác nhận").fill(latest_message(MessageKey.PHONE_CODE).context["code"])
        page.get_by_role("button", name="Xác nhận và hoàn tất đăng ký").click()
        page.wait_for_selector("h1:has-text('Tài khoản của tôi')")
        assert "Chưa xác thực" in page.content()
        screenshot(page, f"accounts-profile-{width}")

        page.get_by_role("link", name="Đổi mật khẩu").click()
        page.wait_for_selector("h1:has-text('Đổi mật khẩu')")
        screenshot(page, f"accounts-password-change-{width}")

        page.goto(f"{live_server.url}{reverse('accounts:profile')}")
        page.locator("main").get_by_role("button", name="Đăng xuất").click()
        page.goto(f"{live_server.url}{reverse('accounts:login')}")
        screenshot(page, f"accounts-login-{width}")
        page.get_by_label("Số điện thoại, thư điện tử hoặc số CCCD/mã số thuế").fill("0912345678")
        page.get_by_label("Mật khẩu").fill("sai-mat-khau")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_selector(".error-summary")
        screenshot(page, f"accounts-login-error-{width}")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(re.compile(r".*/ho-so-cua-toi/$"))

        reset = browser.new_context(viewport=viewport, locale="vi-VN").new_page()
        reset.goto(f"{live_server.url}{reverse('accounts:password_reset')}")
        screenshot(reset, f"accounts-password-reset-{width}")
        reset.get_by_label("Thư điện tử hoặc số điện thoại đã đăng ký").fill("0912345678")
        reset.get_by_role("button", name="Gửi hướng dẫn").click()
        reset.wait_for_selector("h1:has-text('Nhập mã xác nhận')")
        screenshot(reset, f"accounts-password-reset-code-{width}")
        code = re.search(r"\b(\d{6})\b", str(latest_message(MessageKey.PASSWORD_RESET_CODE).context["code"])).group(1)
        reset.get_by_label("Mã xác nhận").fill(code)
        reset.get_by_role("button", name="Xác nhận").click()
        reset.wait_for_selector("h1:has-text('Đặt mật khẩu mới')")
        screenshot(reset, f"accounts-password-reset-set-{width}")
        reset.context.close()
        assert not [error for error in errors if "Content Security Policy" in error], errors
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_status_pages(live_server, browser, screenshot, settings, viewport):
    width = "phone" if viewport is PHONE else "desktop"
    user = register()
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    providers.register(FakeProvider)
    settings.ONESTOP_LOGIN_PROVIDERS = [FakeProvider.code]
    try:
        page.goto(f"{live_server.url}{reverse('accounts:login')}")
        assert page.get_by_role("link", name=FakeProvider.label).is_visible()
        screenshot(page, f"accounts-login-providers-{width}")
        settings.ONESTOP_LOGIN_PROVIDERS = []

        token = services.email_verification_token(user=user, at=timezone.now())
        page.goto(f"{live_server.url}{reverse('accounts:verify_email', args=[token])}")
        assert "đã được xác thực" in page.content()
        screenshot(page, f"accounts-verify-done-{width}")
        page.goto(f"{live_server.url}{reverse('accounts:verify_email', args=['lien-ket-sai'])}")
        screenshot(page, f"accounts-verify-invalid-{width}")
        page.goto(f"{live_server.url}{reverse('accounts:password_reset_done')}")
        screenshot(page, f"accounts-password-reset-done-{width}")

        settings.AXES_ENABLED = True
        settings.AXES_FAILURE_LIMIT = 2
        for _ in range(2):
            page.goto(f"{live_server.url}{reverse('accounts:login')}")
            page.get_by_label("Số điện thoại, thư điện tử hoặc số CCCD/mã số thuế").fill(CCCD)
            page.get_by_label("Mật khẩu").fill("sai-mat-khau")
            page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_selector("h1:has-text('Tài khoản tạm khóa')")
        screenshot(page, f"accounts-lockout-{width}")
        settings.AXES_ENABLED = False

        settings.ONESTOP_RATE_LIMITS = {**settings.ONESTOP_RATE_LIMITS, "password_reset": (0, 3600)}
        page.goto(f"{live_server.url}{reverse('accounts:password_reset')}")
        page.get_by_label("Thư điện tử hoặc số điện thoại đã đăng ký").fill("ai@example.vn")
        page.get_by_role("button", name="Gửi hướng dẫn").click()
        page.wait_for_selector("h1:has-text('Thao tác quá nhiều lần')")
        screenshot(page, f"accounts-rate-limited-{width}")
    finally:
        providers.unregister(FakeProvider.code)
        context.close()
