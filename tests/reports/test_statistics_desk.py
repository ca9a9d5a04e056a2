"""The periodic statistical reports at the desk: who may make which, at once or through a worker, the
night's schedule and housekeeping, and bad requests answered in Vietnamese without making anything."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from rq import Queue, SimpleWorker

from django.core.files.base import ContentFile

from onestop_tayninh.core.cron import periodic_job
from onestop_tayninh.core.models import Task
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.reports import statistics_services
from onestop_tayninh.reports.jobs import statistics_report_job, statistics_reports_nightly_job
from onestop_tayninh.reports.models import RecomputeGuard, StatisticsReport
from onestop_tayninh.reports.statistics_services import (
    RecomputeRunning,
    statistics_report_make,
    statistics_reports_housekeeping,
    statistics_reports_nightly,
)
from onestop_tayninh.security.models import AuditEvent
from onestop_tayninh.workflows.models import State, Workflow, WorkflowVersion
from tests.factories import ProcedureVersionFactory
from tests.printing.conftest import PdfFile
from tests.reports.builders import Province, at
from tests.workflows.conftest import user, world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("judged_in_2028")]

PAGE = "/desk/danh-gia/thong-ke/"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = {"ky": "thang", "nam": "2026", "thang": "3"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Body(Province):
    """The builder's dossiers, at a body and a desk of the demo site (whose officials have roles)."""

    def __init__(self, agency, desk) -> None:
        self.agency, self.desk = agency, desk
        self.version = ProcedureVersionFactory(complete=True, level=3, processing_amount=5, competent_agency=agency)
        workflow = Workflow.objects.create(code=f"thong-ke-{agency.pk}", name="Thử thống kê")
        version = WorkflowVersion.objects.create(workflow=workflow, number=1)
        self.states = {
            kind: State.objects.create(version=version, code=kind, name=kind, kind=kind)
            for kind in ("at_agency", "awaiting_citizen", "result_returned", "refused", "withdrawn")
        }


def on(day, hour=9, month=3):
    return at(day, hour, month=month, year=2026)


@pytest.fixture
def justice(world):  # noqa: F811
    """Sở Tư pháp, March 2026: one dossier received on the portal 2/3 and resolved early 5/3, one at the
    desk 3/3 due 10/3 still open (pending, past time), one received in February and open (carried over)."""
    body = Body(Agency.objects.get(code="000.00.02.H53"), world["desk"])
    body.dossier(received=on(2), due=on(9, 17), closed=on(5), channel="online")
    body.dossier(received=on(3), due=on(10, 17))
    body.dossier(received=on(20, month=2), due=on(27, 17, month=2))
    return body


def ask(client, unit, *, file_format="xlsx", **period):
    return client.post(PAGE, {"don_vi": unit, **(period or MARCH), "dinh_dang": file_format})


def test_a_head_gets_their_body_s_month_at_once_and_it_is_audited(client, justice):
    client.force_login(user("lanhdao.tuphap"))
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="agency:{justice.agency.pk}"' in html and 'value="province"' not in html

    response = ask(client, f"agency:{justice.agency.pk}")

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "bao-cao-tthc-agency-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    total = next(row for row in sheet.iter_rows(min_row=11, values_only=True) if row[1] == "Tổng cộng")
    # To handle 3 = portal 1 + desk 1 + carried 1; resolved early 1; pending past 2.
    assert total[2:] == (3, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 2, 0, 2, 0)
    assert AuditEvent.objects.filter(action="export", actor=user("lanhdao.tuphap")).count() == 1
    assert not StatisticsReport.objects.exists()


def test_a_coordinator_gets_a_desk_s_pdf_to_print(client, justice, tmp_path):
    client.force_login(user("dieuphoi.tinh"))
    response = ask(client, f"desk:{justice.desk.pk}", file_format="pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    text = PdfFile(b"".join(response.streaming_content), tmp_path / "r.pdf").flat_text()
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH TÂY NINH" in text and "Tây Ninh, ngày" in text
    assert "Tổng cộng 3 1 1 0 1 1 0 1 1 1 0 0 2 0 2 0" in text


def test_a_head_may_not_report_on_another_body_or_the_province(client, justice):
    other = Agency.objects.get(code="000.00.03.H53")
    client.force_login(user("lanhdao.tuphap"))

    for unit, expected in (
        ("province", "Số liệu toàn tỉnh chỉ dành cho điều phối viên."),
        (f"agency:{other.pk}", "Cơ quan này không thuộc phạm vi bạn được xem."),
    ):
        response = ask(client, unit)
        assert response.status_code == 403
        assert expected in response.content.decode()
    assert not StatisticsReport.objects.exists() and not AuditEvent.objects.filter(action="export").exists()


BAD_REQUESTS = [
    ({"ky": "khoang", "tu": "2026-03-31", "den": "2026-03-01"}, "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."),
    ({"ky": "nam", "nam": "1999"}, "Năm phải từ 2015"),
    ({"ky": "thang", "nam": "2026", "thang": "13"}, "Tháng phải từ 1 đến 12."),
    ({"ky": "tuan", "nam": "2026"}, "Kỳ báo cáo không hợp lệ."),
    ({"ky": "khoang", "tu": "01/01/2015", "den": "31/12/2025"}, "Khoảng thời gian dài nhất là 5 năm."),
    ({"ky": "nam", "nam": str(dt.date.today().year + 1)}, "Kỳ báo cáo chưa bắt đầu"),
    ({**MARCH, "dinh_dang": "docx"}, "Định dạng không hợp lệ: chỉ lập được PDF hoặc Excel (XLSX)."),
    ({**MARCH, "don_vi": "agency:abc"}, "Hãy chọn một đơn vị có trong danh sách."),
]


def test_a_bad_request_is_answered_in_vietnamese_and_makes_nothing(client, justice):
    client.force_login(user("dieuphoi.tinh"))

    for data, expected in BAD_REQUESTS:
        response = client.post(PAGE, {"don_vi": "province", "dinh_dang": "pdf", **data})
        assert response.status_code == 400, data
        assert expected in response.content.decode(), data
    assert not StatisticsReport.objects.exists() and not Task.objects.exists()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_officials_without_the_permission_get_neither_the_page_nor_the_link(client, justice):
    for username in ("tiepnhan.tinh", "chuyenvien.tuphap", "quantri"):
        client.force_login(user(username))
        assert client.get(PAGE).status_code == 403
        assert ask(client, f"agency:{justice.agency.pk}").status_code == 403
        assert PAGE not in client.get("/desk/").content.decode()
    client.force_login(user("lanhdao.tuphap"))
    assert PAGE in client.get("/desk/").content.decode()
    assert not StatisticsReport.objects.exists()


def reports_queue(connection):
    return Queue("reports", connection=connection)


def test_the_province_is_made_by_a_worker_then_downloaded_by_whoever_asked(
    client, justice, private_redis, django_capture_on_commit_callbacks, tmp_path
):
    client.force_login(user("dieuphoi.tinh"))
    with django_capture_on_commit_callbacks(execute=True):  # the task is handed over when the request commits
        response = ask(client, "province", file_format="pdf")
    report = StatisticsReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{PAGE}{report.pk}/"
    assert (report.status, report.unit_kind, report.requested_by) == ("queued", "province", user("dieuphoi.tinh"))
    assert Task.objects.get().queue == "reports" and len(reports_queue(private_redis)) == 1
    waiting = client.get(response["Location"]).content.decode()
    assert "Đang chờ lập" in waiting and 'http-equiv="refresh"' in waiting
    assert client.get(f"{PAGE}{report.pk}/tai-ve/pdf/").status_code == 404

    SimpleWorker([reports_queue(private_redis)], connection=private_redis).work(burst=True)

    report.refresh_from_db()
    assert report.status == "done" and report.pdf_file and report.xlsx_file
    done = client.get(response["Location"]).content.decode()
    assert "Đã lập xong" in done and f"{PAGE}{report.pk}/tai-ve/xlsx/" in done
    download = client.get(f"{PAGE}{report.pk}/tai-ve/pdf/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = PdfFile(b"".join(download.streaming_content), tmp_path / "p.pdf").flat_text()
    assert "ỦY BAN NHÂN DÂN TỈNH TÂY NINH" in text and "Văn phòng Chính phủ" in text
    assert f"1 {justice.agency.name} 3 1 1 0 1 1 0 1" in text
    assert f"{PAGE}{report.pk}/" in client.get(PAGE).content.decode()  # listed among the official's own
    # Another official, even one who reaches the province, does not get it.
    client.force_login(user("lanhdao.tuphap"))
    assert client.get(f"{PAGE}{report.pk}/").status_code == 404
    assert client.get(f"{PAGE}{report.pk}/tai-ve/pdf/").status_code == 404
    assert statistics_report_job(report.pk) == report.pk  # run again: the report stays as made
    assert StatisticsReport.objects.get().pdf_file.name == report.pdf_file.name


def test_a_year_of_a_body_is_made_in_the_background_too(client, justice, django_capture_on_commit_callbacks):
    client.force_login(user("lanhdao.tuphap"))
    with django_capture_on_commit_callbacks(execute=False):
        first = ask(client, f"agency:{justice.agency.pk}", ky="nam", nam="2026")
        second = ask(client, f"agency:{justice.agency.pk}", ky="nam", nam="2026")
    assert first.status_code == 302 and first["Location"] == second["Location"]  # a double click: one report
    assert StatisticsReport.objects.get().period_kind == "year"


def test_while_the_figures_are_recomputed_nothing_is_read_half_written(client, justice):
    RecomputeGuard.objects.update_or_create(pk=1, defaults={"recomputing_since": on(1)})
    client.force_login(user("lanhdao.tuphap"))

    response = ask(client, f"agency:{justice.agency.pk}")

    assert response.status_code == 503 and "Số liệu đang được tính lại" in response.content.decode()
    report = StatisticsReport.objects.create(
        unit_kind="agency", unit_id=justice.agency.pk, unit_label="x", period_kind="month",
        period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 3, 31), requested_at=on(31),
    )  # fmt: skip
    with pytest.raises(RecomputeRunning):
        statistics_report_make(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "queued"  # its task is tried again later


def test_on_the_first_the_night_makes_last_month_s_quarter_s_reports_for_the_province_and_each_body(
    client, justice, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """1 April 2026, 05:30: March and the first quarter ended; one body has dossiers. 2 × (province + body)
    = 4 reports, made once however often the job runs; listed for those who reach their unit."""
    now = dt.datetime(2026, 4, 1, 5, 30, tzinfo=VN)
    assert periodic_job("statistics-reports").func is statistics_reports_nightly_job
    with django_capture_on_commit_callbacks(execute=False):
        result = statistics_reports_nightly(now=now)
        again = statistics_reports_nightly(now=now + dt.timedelta(minutes=5))  # run now, from the monitoring page
    assert result["queued"] == 4 and (again["queued"], again["requeued"]) == (0, 0)
    made = {(r.unit_kind, r.period_kind, r.period_start) for r in StatisticsReport.objects.all()}
    assert made == {
        (kind, period, start)
        for kind in ("province", "agency")
        for period, start in (("month", dt.date(2026, 3, 1)), ("quarter", dt.date(2026, 1, 1)))
    }
    assert Task.objects.filter(queue="reports").count() == 4
    for report in StatisticsReport.objects.all():
        statistics_report_make(report_id=report.pk)
    assert set(StatisticsReport.objects.values_list("status", flat=True)) == {"done"}
    province = StatisticsReport.objects.get(unit_kind="province", period_kind="month")
    body = StatisticsReport.objects.get(unit_kind="agency", period_kind="month")

    client.force_login(user("dieuphoi.tinh"))
    # The desk's own (session, user, permissions, official, the bell), the units in reach once, the lists.
    with django_assert_max_num_queries(19):
        listed = client.get(PAGE).content.decode()  # the coordinator's page opens on the province
    assert f"{PAGE}{province.pk}/tai-ve/pdf/" in listed and "Quý 1/2026" in listed
    assert client.get(f"{PAGE}{province.pk}/tai-ve/xlsx/").status_code == 200
    assert (
        f"{PAGE}{body.pk}/tai-ve/pdf/" in client.get(PAGE, {"don_vi": f"agency:{justice.agency.pk}"}).content.decode()
    )
    client.force_login(user("lanhdao.tuphap"))
    assert f"{PAGE}{body.pk}/tai-ve/pdf/" in client.get(PAGE).content.decode()
    assert client.get(f"{PAGE}{body.pk}/tai-ve/pdf/").status_code == 200
    assert client.get(f"{PAGE}{province.pk}/tai-ve/pdf/").status_code == 404
    assert client.get(PAGE, {"don_vi": "province"}).status_code == 404

    # A year later, on 1 January: December, the fourth quarter and the year.
    with django_capture_on_commit_callbacks(execute=False):
        january = statistics_reports_nightly(now=dt.datetime(2027, 1, 1, 5, 30, tzinfo=VN))
    assert january["queued"] == 6
    assert StatisticsReport.objects.filter(period_kind="year", period_start=dt.date(2026, 1, 1)).count() == 2


def test_a_scheduled_report_that_failed_is_queued_again_the_next_night(justice, monkeypatch):
    now = dt.datetime(2026, 4, 1, 5, 30, tzinfo=VN)
    statistics_reports_nightly(now=now)
    report = StatisticsReport.objects.get(unit_kind="province", period_kind="month")

    def broken(*args, **kwargs):
        raise OSError("đĩa đầy")

    monkeypatch.setattr(statistics_services, "statistics_xlsx", broken)
    with pytest.raises(OSError):
        statistics_report_make(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "failed" and "Lỗi hệ thống" in report.error
    assert not report.pdf_file and not report.xlsx_file  # the PDF already written is removed

    result = statistics_reports_nightly(now=now + dt.timedelta(days=1))

    report.refresh_from_db()
    # The failed one, and the three no worker took (failed as stale by the night's housekeeping).
    assert (result["stale"], result["requeued"]) == (3, 4) and report.status == "queued"
    monkeypatch.undo()
    assert statistics_report_make(report_id=report.pk).status == "done"


def test_housekeeping_deletes_old_requested_reports_keeps_the_schedule_s_and_fails_the_stale(
    justice, django_capture_on_commit_callbacks
):
    now = dt.datetime(2026, 6, 1, 5, 30, tzinfo=VN)
    common = {
        "unit_kind": "agency", "unit_id": justice.agency.pk, "unit_label": "Sở Tư pháp", "period_kind": "month",
        "period_start": dt.date(2026, 3, 1), "period_end": dt.date(2026, 3, 31),
    }  # fmt: skip
    old = StatisticsReport(
        **common, requested_by=user("lanhdao.tuphap"), requested_at=now - dt.timedelta(days=31), status="done"
    )
    old.pdf_file.save("cu.pdf", ContentFile(b"%PDF-1.4"), save=False)
    old.save()
    kept = StatisticsReport.objects.create(
        **common, schedule_key="agency:x:month:2026-03-01", requested_at=now - dt.timedelta(days=60), status="done"
    )
    stale = StatisticsReport.objects.create(
        **common, requested_by=user("lanhdao.tuphap"), requested_at=now - dt.timedelta(hours=1)
    )
    storage, name = old.pdf_file.storage, old.pdf_file.name

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the rows' deletion commits
        result = statistics_reports_housekeeping(now=now)

    assert result == {"stale": 1, "deleted": 1}
    assert not StatisticsReport.objects.filter(pk=old.pk).exists() and not storage.exists(name)
    assert StatisticsReport.objects.filter(pk=kept.pk).exists()
    stale.refresh_from_db()
    assert stale.status == "failed" and "Hãy yêu cầu lại" in stale.error
