"""In Chromium at phone width: the citizen answers a supplement and reads the new appointment, the timeline's
"moved from … to …" and the notice on the "Thông báo" page; the same pages at desktop width.

The clock stands at Thursday 3/9/2026 09:00, after the weekend, Monday 31/8 (holidays.yaml) and the
National Day holiday of 1–2/9 (tests/portal/test_supplement_appointment.py has the arithmetic).
"""

import pytest

from django.conf import settings
from django.test import Client
from django.utils import timezone

from onestop_tayninh.dossiers.access import applicant_token
from onestop_tayninh.dossiers.constants import ReturnMethod
from onestop_tayninh.dossiers.models import Dossier
from tests.portal import conftest as portal
from tests.portal.test_supplement_appointment import ANSWERED, supplement_asked
from tests.support import tiny_pdf
from tests.workflows import conftest as workflows
from tests.workflows.conftest import local, receive

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The fixtures of the portal's and the workflows' tests, used by name.
world, online, citizen = workflows.world, portal.online, portal.citizen


def logged_in(browser, live_server, user, viewport):
    """A browser context with the citizen's session (the login page has its own tests)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, locale="vi-VN", is_mobile=viewport == PHONE)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def test_the_supplement_answer_shows_the_new_appointment_and_the_notice(
    live_server, browser, screenshot, online, citizen, tmp_path, monkeypatch, official_login, message_templates
):
    dossier = supplement_asked(online, citizen)
    Dossier.objects.filter(pk=dossier.pk).update(return_method=ReturnMethod.DESK)
    monkeypatch.setattr(timezone, "now", lambda: ANSWERED)
    context = logged_in(browser, live_server, citizen, PHONE)
    page = context.new_page()

    page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.pk}/")
    assert page.get_by_text("Thiếu bản sao giấy chứng sinh.").first.is_visible()
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(tiny_pdf())
    page.get_by_label("Tệp giấy tờ bổ sung").set_input_files(str(scan))
    page.get_by_role("button", name="Tải lên").click()
    page.wait_for_selector("text=Đã tải lên giấy tờ bổ sung")
    page.get_by_role("button", name="Gửi bổ sung").click()
    page.wait_for_selector("text=Đã gửi giấy tờ bổ sung")

    facts = page.locator(".key-facts")
    assert "17:00 08/09/2026" in facts.inner_text() and "quá hạn" not in facts.inner_text()
    moved = "Ngày hẹn trả kết quả dời từ 17:00 22/08/2026 sang 17:00 08/09/2026"
    assert page.get_by_text(moved).is_visible()
    assert page.get_by_role("heading", name="Nơi nhận kết quả").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "portal-phone-supplement-new-appointment")

    page.locator("summary", has_text="Danh mục").click()  # the menu is a drawer on a phone
    page.get_by_role("link", name="Thông báo").click()
    notice = page.locator(".notice-item").first
    assert "đã nhận hồ sơ bổ sung, hẹn trả kết quả 17:00 ngày 08/09/2026" in notice.inner_text()
    assert "notice-item--unread" in notice.get_attribute("class")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "portal-phone-notices")
    notice.get_by_role("button", name="Xem hồ sơ").click()
    page.wait_for_url(f"**/ho-so-cua-toi/{dossier.pk}/")
    page.locator("summary", has_text="Danh mục").click()  # the menu is a drawer on a phone
    page.get_by_role("link", name="Thông báo").click()
    assert "notice-item--unread" not in page.locator(".notice-item").first.get_attribute("class")
    context.close()

    desktop = logged_in(browser, live_server, citizen, DESKTOP)
    page = desktop.new_page()
    page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.pk}/")
    screenshot(page, "portal-desktop-supplement-new-appointment")
    page.goto(f"{live_server.url}/thong-bao/")
    screenshot(page, "portal-desktop-notices")
    desktop.close()

    # The desk's page of the dossier: the new appointment, and the history's line saying how it moved.
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        desk_context, desk = official_login("chuyenvien.tuphap", viewport=viewport)
        desk.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
        assert desk.get_by_text("17:00 08/09/2026").first.is_visible()
        assert desk.get_by_text(moved).first.is_visible()
        screenshot(desk, f"desk-{name}-supplement-new-appointment")
        desk_context.close()


def test_the_receipts_link_shows_where_to_collect_at_both_widths(live_server, browser, screenshot, world):
    dossier = receive(world, at=local(2027, 3, 1, 8, 0))
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{live_server.url}/ho-so/{applicant_token(dossier)}/")
        assert page.get_by_role("heading", name="Nơi nhận kết quả").is_visible()
        assert page.get_by_text(dossier.receiving_desk.opening_hours).is_visible()
        screenshot(page, f"portal-{name}-applicant-collect")
        context.close()
