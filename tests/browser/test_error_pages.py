"""The error pages at a laptop's width, styled like the portal: screenshots for a person to look at."""

import pytest

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from tests.browser.conftest import DESKTOP
from tests.factories import AgencyFactory, OfficialFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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

    official = OfficialFactory(agency=AgencyFactory(), roles=["receiving_officer"]).user
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(official.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: official.get_session_auth_hash(),
        }
    )
    session.save()
    page.context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": live_server.url}])
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
    assert refused == []
