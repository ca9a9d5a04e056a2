"""The login policy and private pages in Chromium, on a phone (390 px) and a desktop (1366 px).

A citizen locks their own (account, address) pair and reads why; an account failed from many
addresses answers with the wait, not a lock; the desk's pages of the same policy; a citizen's
session at a desk URL; the look-up with the receipt's secret; a verification link used twice.
"""

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onestop_tayninh.accounts import services
from onestop_tayninh.dossiers.selectors import lookup_secret
from tests.accounts.conftest import CCCD, register
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import OfficialFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGIN_LABEL = "Số điện thoại, thư điện tử hoặc số CCCD/mã số thuế"


def portal_login(page, url: str, identifier: str, password: str) -> None:
    page.goto(f"{url}{reverse('accounts:login')}")
    page.get_by_label(LOGIN_LABEL).fill(identifier)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def desk_login(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}{reverse('admin:login')}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_locked_pair_and_slowed_account_pages(live_server, browser, screenshot, settings, viewport):
    width = viewport["width"]
    settings.AXES_ENABLED = True
    owner = register()
    other = register(phone="0987654321", email="minh.tran@example.vn", cccd="072190009999", full_name="Trần Văn Minh")
    official = OfficialFactory().user
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    try:
        # Five wrong passwords from this browser lock this browser's pair, nothing more.
        for _ in range(5):
            portal_login(page, live_server.url, CCCD, "sai-mat-khau")
        page.wait_for_selector("h1:has-text('Tài khoản tạm khóa')")
        assert "từ thiết bị, mạng này" in page.content()
        assert no_horizontal_overflow(page)
        screenshot(page, f"login-policy-pair-locked-{width}")
        assert (
            Client(REMOTE_ADDR="10.44.0.1")
            .post(reverse("accounts:login"), {"username": CCCD, "password": "Ngay-mai-troi-nang-2026"})
            .status_code
            == 302
        ), owner

        # Someone fails another account from three other addresses: it is slowed down, not locked
        # (from the third failure here, the tenth by default).
        settings.ONESTOP_LOGIN_SLOWDOWN = {
            **settings.ONESTOP_LOGIN_SLOWDOWN,
            "portal": {**settings.ONESTOP_LOGIN_SLOWDOWN["portal"], "after": 3, "first_delay": 30},
        }
        for index in range(3):
            Client(REMOTE_ADDR=f"198.51.100.{index + 1}").post(
                reverse("accounts:login"), {"username": other.phone, "password": "doan-mo"}
            )
        portal_login(page, live_server.url, other.phone, "Ngay-mai-troi-nang-2026")
        page.wait_for_selector("h1:has-text('Vui lòng đợi rồi thử lại')")
        assert page.locator("#login-wait-seconds").inner_text().isdigit()
        assert "Tài khoản không bị khóa" in page.content()
        assert no_horizontal_overflow(page)
        screenshot(page, f"login-policy-slowed-down-{width}")

        # The desk: the same two pages in the desk's dress (officials: 3 failures).
        for _ in range(3):
            desk_login(page, live_server.url, official.username, "sai-mat-khau")
        page.wait_for_selector("text=từ địa chỉ mạng này")
        screenshot(page, f"login-policy-desk-pair-locked-{width}")
        for index in range(3):
            Client(REMOTE_ADDR=f"198.51.100.{index + 1}").post(
                reverse("admin:login"), {"username": "truongphong", "password": "doan-mo"}
            )
        desk_login(page, live_server.url, "truongphong", "doan-mo")
        page.wait_for_selector("text=mỗi lần thử phải cách nhau")
        screenshot(page, f"login-policy-desk-slowed-down-{width}")

        # A citizen's session at a desk URL.
        page.context.clear_cookies()
        settings.AXES_ENABLED = False
        portal_login(page, live_server.url, "0987654321", "Ngay-mai-troi-nang-2026")
        page.wait_for_url("**/ho-so-cua-toi/")
        page.goto(f"{live_server.url}/desk/thong-bao/")
        page.wait_for_selector("h1:has-text('Trang dành cho cán bộ')")
        assert no_horizontal_overflow(page)
        screenshot(page, f"login-policy-desk-refused-{width}")
        page.get_by_role("button", name="Đăng xuất để đăng nhập tài khoản cán bộ").click()
        page.wait_for_url(f"{live_server.url}/")

        # A verification link opened a second time.
        token = services.email_verification_token(user=other, at=timezone.now())
        page.goto(f"{live_server.url}{reverse('accounts:verify_email', args=[token])}")
        assert "đã được xác thực" in page.content()
        page.goto(f"{live_server.url}{reverse('accounts:verify_email', args=[token])}")
        assert "đã được dùng một lần" in page.content()
        screenshot(page, f"login-policy-verify-used-{width}")

        # The look-up form asks for the receipt's six-digit secret.
        page.goto(f"{live_server.url}{reverse('portal:lookup')}?code=khong-co")
        page.get_by_label("Mã tra cứu (6 chữ số, in trên Giấy tiếp nhận hồ sơ)").fill(lookup_secret("khong-co"))
        page.get_by_role("button", name="Tra cứu", exact=True).click()
        page.wait_for_selector("text=Không tìm thấy hồ sơ khớp với mã hồ sơ và mã tra cứu")
        assert "secret=" not in page.url
        assert no_horizontal_overflow(page)
        screenshot(page, f"login-policy-lookup-{width}")
    finally:
        context.close()
