"""The evaluation's pages in Chromium: the province dashboard's charts drawn under the CSP, the drill-down
to a body, looked at in screenshots."""

import pytest

from onestop_tayninh.reports.services import indicators_recompute
from tests.browser.conftest import DESKTOP, PHONE, session_cookie
from tests.reports.builders import history
from tests.workflows.conftest import user, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_province_dashboard_draws_its_charts_and_drills_down(live_server, browser, world, screenshot):  # noqa: F811
    history(world)
    indicators_recompute()
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    session_cookie(context, live_server, user("dieuphoi.tinh"))
    page = context.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(f"{live_server.url}/desk/")
    page.get_by_role("link", name="Đánh giá chất lượng, chỉ số 766").click()
    page.locator("select[name=ky]").select_option("nam")
    page.locator("select[name=nam]").select_option("2026")
    page.get_by_role("button", name="Xem").click()

    page.wait_for_selector("canvas[data-chart=trend][data-drawn='1']")
    assert page.locator("canvas[data-drawn='1']").count() == 3  # trend, targets, backlog
    assert "Năm 2026" in page.inner_text("h1")
    assert (
        page.locator(
            "#bang-heat td.heat-0, #bang-heat td.heat-1, #bang-heat td.heat-2, #bang-heat td.heat-3, #bang-heat td.heat-4"
        ).count()
        > 0
    )
    screenshot(page, "danh-gia-toan-tinh-1366")

    page.locator("#bang-children").get_by_role("link", name="Sở Tư pháp").click()
    page.wait_for_selector("canvas[data-chart=trend][data-drawn='1']")
    assert "Sở Tư pháp" in page.inner_text("h1")
    assert "Năm 2026" in page.inner_text("h1")
    screenshot(page, "danh-gia-so-tu-phap-1366")
    assert violations == []
    context.close()


def test_the_public_quality_page_reads_on_a_phone(live_server, browser, world, screenshot):  # noqa: F811
    history(world, count=80)
    indicators_recompute()
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()

    page.goto(f"{live_server.url}/")
    page.locator(".site-menu__toggle").click()
    page.get_by_role("link", name="Đánh giá chất lượng").click()
    page.get_by_label("Tháng", exact=True).select_option(label="Tháng 10/2026")
    page.get_by_role("button", name="Xem").click()

    assert "Toàn tỉnh — Tháng 10/2026" in page.inner_text("#toan-tinh")
    # Each body is a card with its numbers captioned; nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card = page.locator(".quality-table tbody tr").first
    captions = card.locator("td").evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert captions[:2] == ['"Tiếp nhận"', '"Đúng hạn"']
    screenshot(page, "danh-gia-chat-luong-390")
    card.get_by_role("link").click()
    assert page.locator(".quality-table tbody tr").count() == 12
    screenshot(page, "danh-gia-chat-luong-co-quan-390")
    context.close()
