"""In a real browser: a coordinator makes the periodic statistical reports from the desk, a body's at once,
the province's through a worker, and finds the scheduled ones listed."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from rq import Queue, SimpleWorker

from onestop_tayninh.reports.models import StatisticsReport
from onestop_tayninh.reports.statistics_services import statistics_report_make, statistics_reports_nightly
from tests.browser.conftest import DESKTOP, session_cookie
from tests.reports.test_statistics_desk import justice  # noqa: F401 - the fixture
from tests.workflows.conftest import user, world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_makes_and_downloads_the_statistical_reports(
    browser,
    live_server,
    screenshot,
    justice,  # noqa: F811 - the fixture imported above
    private_redis,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        statistics_reports_nightly(now=dt.datetime(2026, 4, 1, 5, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    for report in StatisticsReport.objects.all():
        statistics_report_make(report_id=report.pk)
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", accept_downloads=True)
    session_cookie(context, live_server, user("dieuphoi.tinh"))
    page = context.new_page()
    page.goto(f"{live_server.url}/desk/")
    page.get_by_role("link", name="Báo cáo thống kê định kỳ về giải quyết thủ tục hành chính").click()
    page.wait_for_selector("h1:has-text('Báo cáo thống kê định kỳ')")
    # The province's scheduled reports, ready for download.
    assert page.locator("#scheduled").get_by_role("link", name="PDF").count() == 2
    screenshot(page, "desk-statistics")

    # A body's month comes back at once.
    page.get_by_label("Đơn vị", exact=True).select_option(label="Sở Tư pháp tỉnh Tây Ninh")
    page.get_by_label("Loại kỳ").select_option(label="Tháng")
    page.get_by_label("Năm").fill("2026")
    page.get_by_label("Tháng").select_option(label="03")
    page.get_by_label("Excel (XLSX)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Lập báo cáo").click()
    assert download.value.suggested_filename == f"bao-cao-tthc-agency-{justice.agency.pk}-2026-03.xlsx"

    # The province's is made by a worker; the page refreshes itself until it is ready.
    page.get_by_label("Đơn vị", exact=True).select_option(value="province")
    page.get_by_label("PDF (A4 ngang, để in và ký)").check()
    page.get_by_role("button", name="Lập báo cáo").click()
    page.wait_for_selector("text=Đang chờ lập")
    SimpleWorker([Queue("reports", connection=private_redis)], connection=private_redis).work(burst=True)
    page.wait_for_selector("text=Đã lập xong", timeout=15000)
    screenshot(page, "desk-statistics-ready")
    assert page.get_by_role("link", name="Tải về: Excel (XLSX)").count() == 1
    context.close()
