"""A register too long to wait for: queued, made by a real RQ worker, downloaded, cleaned up."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from rq import Queue

from django.core.exceptions import ValidationError
from django.utils import timezone

from onestop_tayninh.printing import register_book, services
from onestop_tayninh.printing.jobs import register_export_job, registers_housekeeping
from onestop_tayninh.printing.models import RegisterExport
from tests.support import SimpleBurstWorker

from .conftest import user
from .test_documents import _bulk_received

pytestmark = pytest.mark.django_db

PAGE = "/desk/in/so-theo-doi/"
QUERY = {"date_from": "2027-03-01", "date_to": "2027-03-31"}


@pytest.fixture
def long_registers(monkeypatch):
    """Any register over two rows counts as long (the real threshold is thousands of rows)."""
    monkeypatch.setattr(register_book, "REGISTER_INLINE_MAX_ROWS_DRAWN", 2)


def reports_queue(connection) -> Queue:
    return Queue("reports", connection=connection)


def run_worker(connection) -> None:
    SimpleBurstWorker([reports_queue(connection)], connection=connection).work(burst=True)


def request_register(client, world, capture, file_format="pdf"):
    with capture(execute=True):  # the job is queued when the request's transaction commits
        return client.post(PAGE, {**QUERY, "desk": world["desk"].pk, "format": file_format})


def test_long_register_is_made_by_a_worker_then_downloaded(
    world, client, private_redis, long_registers, django_capture_on_commit_callbacks, as_pdf
):
    _bulk_received(world, 5)
    client.force_login(user("tiepnhan.tinh"))
    response = request_register(client, world, django_capture_on_commit_callbacks)
    export = RegisterExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{PAGE}{export.pk}/"
    assert (export.rows, export.status, export.file_format) == (6, "queued", "pdf")
    assert len(reports_queue(private_redis)) == 1

    waiting = client.get(response["Location"]).content.decode()
    assert "Đang chờ lập" in waiting and 'http-equiv="refresh"' in waiting
    assert "6 hồ sơ" in waiting
    assert client.get(f"{PAGE}{export.pk}/tai-ve/").status_code == 404  # nothing to download yet

    run_worker(private_redis)
    export.refresh_from_db()
    assert export.status == "done" and export.finished_at is not None
    done = client.get(response["Location"]).content.decode()
    assert "Tải sổ về" in done and 'http-equiv="refresh"' not in done
    download = client.get(f"{PAGE}{export.pk}/tai-ve/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"] and export.filename in download["Content-Disposition"]
    text = as_pdf(b"".join(download.streaming_content)).flat_text()
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Người nộp số 004" in text
    # The request page lists it for the official.
    assert f"{PAGE}{export.pk}/" in client.get(PAGE).content.decode()


def test_job_run_again_changes_nothing(world, private_redis, long_registers, django_capture_on_commit_callbacks):
    _bulk_received(world, 3)
    with django_capture_on_commit_callbacks(execute=True):
        export = services.register_export_request(
            desk=world["desk"],
            date_from=dt.date(2027, 3, 1),
            date_to=dt.date(2027, 3, 31),
            file_format="xlsx",
            user=user("tiepnhan.tinh"),
            at=timezone.now(),
        )
    run_worker(private_redis)
    export.refresh_from_db()
    first_file = export.file.name
    assert export.status == "done"
    rows = list(load_workbook(io.BytesIO(export.file.open("rb").read())).active.iter_rows(values_only=True))
    assert any(row[4] == "Người nộp số 002" for row in rows)
    # A replayed job, or a second worker that got the same job: the register stays as made.
    assert register_export_job(export.pk) == export.pk
    export.refresh_from_db()
    assert export.file.name == first_file and RegisterExport.objects.count() == 1


def test_asking_again_while_it_is_made_gives_the_same_register(
    world, client, private_redis, long_registers, django_capture_on_commit_callbacks
):
    _bulk_received(world, 3)
    client.force_login(user("tiepnhan.tinh"))
    first = request_register(client, world, django_capture_on_commit_callbacks)
    second = request_register(client, world, django_capture_on_commit_callbacks)
    assert first["Location"] == second["Location"]
    assert RegisterExport.objects.count() == 1 and len(reports_queue(private_redis)) == 1
    # Another format is another register.
    request_register(client, world, django_capture_on_commit_callbacks, file_format="xlsx")
    assert RegisterExport.objects.count() == 2


def test_only_the_official_who_asked_sees_it(
    world, client, private_redis, long_registers, django_capture_on_commit_callbacks
):
    _bulk_received(world, 3)
    client.force_login(user("tiepnhan.tinh"))
    request_register(client, world, django_capture_on_commit_callbacks)
    export = RegisterExport.objects.get()
    run_worker(private_redis)
    for other in ("tiepnhan.tinh2", "chuyenvien.thue", "quantri"):
        client.force_login(user(other))
        assert client.get(f"{PAGE}{export.pk}/").status_code == 404
        assert client.get(f"{PAGE}{export.pk}/tai-ve/").status_code == 404


def test_a_failed_register_says_so_and_the_job_fails(
    world, client, private_redis, long_registers, django_capture_on_commit_callbacks, monkeypatch
):
    _bulk_received(world, 3)
    client.force_login(user("tiepnhan.tinh"))

    def broken(**kwargs):
        raise OSError("đĩa đầy")

    monkeypatch.setattr(services, "register_file", broken)
    response = request_register(client, world, django_capture_on_commit_callbacks)
    run_worker(private_redis)
    export = RegisterExport.objects.get()
    assert export.status == "failed" and not export.file
    assert reports_queue(private_redis).failed_job_registry.count == 1  # RQ and the monitoring page see it
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lỗi hệ thống khi lập sổ" in html and "Yêu cầu lại" in html
    assert client.get(f"{PAGE}{export.pk}/tai-ve/").status_code == 404


def test_short_register_still_comes_back_at_once(world, client, private_redis, django_capture_on_commit_callbacks):
    _bulk_received(world, 3)
    client.force_login(user("tiepnhan.tinh"))
    response = request_register(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF-")
    assert not RegisterExport.objects.exists()


def test_housekeeping_fails_the_forgotten_and_deletes_the_old(world, private_redis, django_capture_on_commit_callbacks):
    _bulk_received(world, 2)
    now = timezone.now()
    clerk = user("tiepnhan.tinh")

    def export(at, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            made = services.register_export_request(
                desk=world["desk"],
                date_from=dt.date(2027, 3, 1),
                date_to=dt.date(2027, 3, fields.pop("day")),
                file_format="pdf",
                user=clerk,
                at=at,
            )
        return made

    old = export(now - dt.timedelta(days=8), day=31)
    recent = export(now - dt.timedelta(hours=2), day=30)
    forgotten = export(now - dt.timedelta(hours=3), day=29)
    for made in (old, recent):
        services.register_export_make(export_id=made.pk)
    old.refresh_from_db()
    old_file, storage = old.file.name, old.file.storage
    assert storage.exists(old_file)

    with django_capture_on_commit_callbacks(execute=True):
        assert registers_housekeeping() == {"stale": 1, "deleted": 1}
    assert not RegisterExport.objects.filter(pk=old.pk).exists() and not storage.exists(old_file)
    recent.refresh_from_db()
    forgotten.refresh_from_db()
    assert recent.status == "done" and storage.exists(recent.file.name)
    assert forgotten.status == "failed" and "Không có tiến trình nền" in forgotten.error
    # Its job, should a worker come back, then makes nothing.
    services.register_export_make(export_id=forgotten.pk)
    forgotten.refresh_from_db()
    assert forgotten.status == "failed" and not forgotten.file


def test_a_register_whose_job_was_lost_fails_and_can_be_asked_again(
    world, client, private_redis, long_registers, django_capture_on_commit_callbacks
):
    _bulk_received(world, 3)
    client.force_login(user("tiepnhan.tinh"))
    first = request_register(client, world, django_capture_on_commit_callbacks)
    lost = RegisterExport.objects.get()
    private_redis.flushall()  # Redis restarted: the job is gone, the row still says "waiting"
    RegisterExport.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - dt.timedelta(minutes=21))
    page = client.get(first["Location"]).content.decode()
    assert "Không có tiến trình nền nào lập sổ này" in page and "Yêu cầu lại" in page
    assert 'http-equiv="refresh"' not in page
    again = request_register(client, world, django_capture_on_commit_callbacks)
    assert again["Location"] != first["Location"] and RegisterExport.objects.count() == 2
    run_worker(private_redis)
    assert RegisterExport.objects.get(pk=lost.pk).status == "failed"
    assert RegisterExport.objects.exclude(pk=lost.pk).get().status == "done"


def test_redis_down_when_queueing_says_so_instead_of_waiting(
    world, client, long_registers, django_capture_on_commit_callbacks, settings
):
    from tests.support import free_port

    settings.RQ_QUEUES = {"reports": {"URL": f"redis://127.0.0.1:{free_port()}/0"}}
    _bulk_received(world, 3)
    client.force_login(user("tiepnhan.tinh"))
    response = request_register(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 302  # no 500
    export = RegisterExport.objects.get()
    assert export.status == "failed" and "Không đưa được sổ vào hàng đợi" in export.error
    assert "Yêu cầu lại" in client.get(response["Location"]).content.decode()


def test_a_file_that_cannot_be_kept_leaves_no_file_and_a_failed_register(world, private_redis, monkeypatch):
    from django.db import DatabaseError

    _bulk_received(world, 3)
    export = RegisterExport.objects.create(
        desk=world["desk"],
        date_from=dt.date(2027, 3, 1),
        date_to=dt.date(2027, 3, 31),
        file_format="pdf",
        requested_by=user("tiepnhan.tinh"),
        requested_at=timezone.now(),
        rows=4,
    )
    saved = RegisterExport.save

    def failing_save(self, *args, **kwargs):
        if self.status == "done":
            raise DatabaseError("mất kết nối cơ sở dữ liệu")
        return saved(self, *args, **kwargs)

    monkeypatch.setattr(RegisterExport, "save", failing_save)
    written = []
    storage_save = export.file.storage.save
    monkeypatch.setattr(
        export.file.storage,
        "save",
        lambda name, content, **kw: written.append(storage_save(name, content, **kw)) or written[-1],
    )
    with pytest.raises(DatabaseError):
        services.register_export_make(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == "failed" and not export.file
    assert written and not export.file.storage.exists(written[0])  # the PDF written was removed


def test_site_register_templates_decide_the_engine_and_the_wait(world, settings, tmp_path, monkeypatch):
    _bulk_received(world, 3)  # 4 dossiers
    march = {"desk": world["desk"], "date_from": dt.date(2027, 3, 1), "date_to": dt.date(2027, 3, 31)}
    monkeypatch.setattr(register_book, "REGISTER_INLINE_MAX_ROWS_DRAWN", 5)
    monkeypatch.setattr(register_book, "REGISTER_INLINE_MAX_ROWS_TEMPLATE", 2)
    assert not register_book.register_made_in_background(**march, file_format="pdf")
    # A site that replaces the 2018 register (which the 2025 one extends) gets its template,
    # through WeasyPrint, and the lower limit for making it at once.
    site = tmp_path / "sites" / "tayninh" / "templates" / "printing" / "2018"
    site.mkdir(parents=True)
    (site / "register.html").write_text('{% extends "printing/base.html" %}', encoding="utf-8")
    settings.SITES_DIR = tmp_path / "sites"
    assert register_book.register_uses_site_template("2025")
    assert register_book.register_made_in_background(**march, file_format="pdf")
    assert not register_book.register_made_in_background(**march, file_format="xlsx")  # no template involved


def test_register_page_reads_a_fixed_number_of_queries(world, client):
    """The list of one's registers costs the same with 2 or 12 of them (no query per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clerk = user("tiepnhan.tinh")
    client.force_login(clerk)

    def page_queries(count: int) -> int:
        for day in range(1, count + 1):
            RegisterExport.objects.get_or_create(
                desk=world["desk"],
                date_from=dt.date(2027, 3, day),
                date_to=dt.date(2027, 3, day),
                file_format="pdf",
                requested_by=clerk,
                defaults={"requested_at": timezone.now(), "rows": 6000, "status": "done"},
            )
        with CaptureQueriesContext(connection) as queries:
            page = client.get(PAGE)
        assert page.status_code == 200
        assert page.content.decode().count("Đã xong") == min(count, 10)
        return len(queries)

    assert page_queries(2) == page_queries(12)


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_moment_give_one_register(world, private_redis):
    import threading

    from django.db import connection

    _bulk_received(world, 3)
    clerk, barrier, made = user("tiepnhan.tinh"), threading.Barrier(2), []

    def ask() -> None:
        try:
            barrier.wait(timeout=5)
            made.append(
                services.register_export_request(
                    desk=world["desk"],
                    date_from=dt.date(2027, 3, 1),
                    date_to=dt.date(2027, 3, 31),
                    file_format="pdf",
                    user=clerk,
                    at=timezone.now(),
                ).pk
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(made) == 2 and made[0] == made[1]
    assert RegisterExport.objects.count() == 1 and len(reports_queue(private_redis)) == 1


@pytest.mark.parametrize("make", ["request", "pdf", "xlsx"])
def test_a_register_over_366_days_is_refused_by_the_service_itself(world, make):
    desk, start, end = world["desk"], dt.date(2026, 1, 1), dt.date(2026, 1, 1) + dt.timedelta(days=400)
    calls = {
        "request": lambda: services.register_export_request(
            desk=desk, date_from=start, date_to=end, file_format="pdf", user=user("tiepnhan.tinh"), at=timezone.now()
        ),
        "pdf": lambda: register_book.register_pdf(desk=desk, date_from=start, date_to=end),
        "xlsx": lambda: register_book.register_xlsx(desk=desk, date_from=start, date_to=end),
    }
    with pytest.raises(ValidationError) as excinfo:
        calls[make]()
    assert excinfo.value.messages == ["Mỗi lần chỉ in sổ cho tối đa 366 ngày."]
    assert not RegisterExport.objects.exists()
