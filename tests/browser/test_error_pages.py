"""The error pages at a laptop's width, styled like the portal: screenshots for a person to look at."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE, session_cookie
from tests.factories import AgencyFactory, CitizenFactory, OfficialFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at_both_widths(page, screenshot, name: str) -> None:
    """Screenshots at a phone's width and a laptop's; nothing may scroll sideways on either."""
    for size, suffix in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], (name, suffix)
        screenshot(page, f"{name}-{suffix}")


def test_missing_and_forbidden_pages_read_in_vietnamese_on_both_sides(live_server, browser, page, screenshot):
    refused = []  # the Content-Security-Policy allows no inline style: the page's own must load
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(f"{live_server.url}/khong-co-trang-nay/")
    assert page.title() == "Không tìm thấy trang | Cổng Dịch vụ công tỉnh Tây Ninh"
    assert page.get_by_role("heading", level=1).inner_text() == "Không tìm thấy trang Ông/Bà cần"
    back = page.get_by_role("link", name="Về trang chủ Cổng Dịch vụ công")
    assert back.is_visible() and page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert page.locator(".error-page__actions").evaluate("el => getComputedStyle(el).display") == "flex"
    screenshot(page, "error-404-portal")

    session_cookie(page.context, live_server, OfficialFactory(agency=AgencyFactory(), roles=["receiving_officer"]).user)
    page.goto(f"{live_server.url}/desk/khong-co-trang-nay/")
    assert "Một cửa điện tử Tây Ninh" in page.title()
    assert page.get_by_role("link", name="Về bàn làm việc").is_visible()
    screenshot(page, "error-404-desk")

    response = page.goto(f"{live_server.url}/desk/rq/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Ông/Bà không có quyền mở trang này"
    screenshot(page, "error-403-desk")
    back = page.get_by_role("link", name="Về bàn làm việc")
    back.click()
    page.wait_for_selector("text=Bàn làm việc")

    # The desk's logout address opened from a bookmark: the button, not an empty 405.
    assert page.goto(f"{live_server.url}/desk/logout/").status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng xuất"
    at_both_widths(page, screenshot, "logout-desk")
    with page.expect_navigation():  # the page's button (the header has one too, with the same words)
        page.locator("#content").get_by_role("button", name="Đăng xuất").click()
    assert page.goto(f"{live_server.url}/desk/").url.startswith(f"{live_server.url}/desk/login/")

    # A form's address opened directly: the Vietnamese 405 page.
    response = page.goto(f"{live_server.url}/thong-bao/da-xem-tat-ca/")
    assert response.status == 405 and response.headers["allow"] == "POST"
    assert page.get_by_role("heading", level=1).inner_text() == "Địa chỉ này không mở trực tiếp được"
    at_both_widths(page, screenshot, "error-405-portal")

    # The portal's logout address opened from a bookmark: the button logs the citizen out.
    session_cookie(page.context, live_server, CitizenFactory().user)
    assert page.goto(f"{live_server.url}/tai-khoan/dang-xuat/").status == 200
    at_both_widths(page, screenshot, "logout-portal")
    with page.expect_navigation(url=f"{live_server.url}/"):
        page.get_by_role("main").get_by_role("button", name="Đăng xuất").click()
    assert page.get_by_role("link", name="Đăng nhập").is_visible()
    assert refused == []
