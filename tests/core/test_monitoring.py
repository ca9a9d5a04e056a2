"""The desk page "Giám sát tác vụ nền": cron jobs with next and last runs, queues, "run now"; the run recorder."""

import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rq import Queue
from rq.job import Job

from django.contrib.auth.models import Permission
from django.test import Client

from onestop_tayninh.core import cron
from onestop_tayninh.core.cron import PERIODIC_JOBS, PeriodicJob
from onestop_tayninh.core.jobs import run_periodic
from onestop_tayninh.core.monitoring import views
from onestop_tayninh.core.monitoring.records import RunStatus, last_runs, record_key, record_run
from onestop_tayninh.core.monitoring.selectors import next_run
from onestop_tayninh.security.models import AuditEvent
from tests.factories import OfficialFactory, UserFactory
from tests.support import SimpleBurstWorker, free_port

pytestmark = pytest.mark.django_db

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE = "/desk/giam-sat/"
RUN_PATH = "onestop_tayninh.core.jobs.run_periodic"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, username="quantri.cao"))
    return client


def _broken(*, message: str = "máy chủ SMS không phản hồi") -> None:
    raise RuntimeError(message)


@pytest.fixture
def failing_job(monkeypatch):
    """A declared job that raises, run through the same wrapper as the real ones."""
    job = PeriodicJob(name="boom", label="Tác vụ hỏng", func=_broken, queue="default", cron="0 * * * *", schedule="")
    monkeypatch.setattr(cron, "PERIODIC_JOBS", (*PERIODIC_JOBS, job))
    return job


def _row(html: str, name: str) -> str:
    """A cron job's rows: the job, and its last error when it has one."""
    match = re.search(rf'<tr id="cron-{re.escape(name)}">(.*?)</tbody>', html, re.S)
    assert match, f"no row for {name}"
    return match.group(1)


def _burst(connection, *queue_names: str) -> None:
    queues = [Queue(name, connection=connection) for name in queue_names]
    SimpleBurstWorker(queues, connection=connection).work(burst=True)


# --- the page ------------------------------------------------------------------------------


def test_page_lists_every_declared_cron_job_with_its_next_run_in_vietnam_time(
    admin_client, private_redis, monkeypatch, django_assert_max_num_queries
):
    # 09:07 in Tây Ninh is 02:07 UTC.
    monkeypatch.setattr(views, "timezone_now", lambda: datetime(2027, 3, 1, 9, 7, tzinfo=VIETNAM))
    # The desk's own (session, user, official, notification bell), one for the outbox's tasks by kind and
    # one per outbox (figures.OUTBOXES: its backlog); the rest of the page reads only Redis.
    with django_assert_max_num_queries(13):
        response = admin_client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Giám sát tác vụ nền" in html
    assert html.count('action="/desk/giam-sat/') == len(PERIODIC_JOBS)
    expected_next = {
        "heartbeat": ("09:10", "01/03/2027"),
        "notifications-dispatch": ("09:08", "01/03/2027"),
        "tasks-dispatch": ("09:08", "01/03/2027"),
        "webhooks-dispatch": ("09:08", "01/03/2027"),
        "national-push": ("09:08", "01/03/2027"),
        "national-catalogue": ("09:10", "01/03/2027"),
        "deadline-scan": ("09:15", "01/03/2027"),
        "feedback-deadline-scan": ("09:15", "01/03/2027"),
        "payments-settle": ("09:10", "01/03/2027"),
        # 18:30 UTC is 01:30 the next morning in Vietnam.
        "payments-reconcile": ("01:30", "02/03/2027"),
        # 19:30 UTC is 02:30 the next morning in Vietnam.
        "housekeeping": ("02:30", "02/03/2027"),
        "registers-housekeeping": ("02:40", "02/03/2027"),
        "intake-files-housekeeping": ("02:50", "02/03/2027"),
        "indicators-recompute": ("03:00", "02/03/2027"),
        "facts-sync-refresh": ("09:10", "01/03/2027"),
        # Monday 00:00 UTC is Monday 07:00 in Vietnam; 1 March 2027 is a Monday, already past 07:00.
        "weekly-digest": ("07:00", "08/03/2027"),
        # 22:30 UTC is 05:30 the next morning in Vietnam: after the night's recompute.
        "statistics-reports": ("05:30", "02/03/2027"),
    }
    assert set(expected_next) == {job.name for job in PERIODIC_JOBS}
    for job in PERIODIC_JOBS:
        row = _row(html, job.name)
        assert str(job.label) in row
        assert job.func_path in row.replace("<wbr>", "")
        assert f"<code>{job.cron}</code>" in row
        assert str(job.schedule) in row
        hour, day = expected_next[job.name]
        assert f'<td class="nowrap">{hour}<div class="monitoring-meta">{day}</div></td>' in row
        assert "Chưa ghi nhận lần chạy nào" in row
        assert f'action="/desk/giam-sat/{job.name}/chay-ngay/"' in row
    for index, queue in enumerate(("default", "notifications", "reports")):
        assert f'<tr id="queue-{queue}">' in html
        assert f'href="/desk/rq/queues/{index}/failed/"' in html
    assert "Không thấy bộ lập lịch nào đang chạy" in html


@pytest.mark.parametrize(
    ("expression", "at", "expected"),
    [
        ("30 19 * * *", datetime(2027, 3, 1, 1, 0, tzinfo=VIETNAM), datetime(2027, 3, 1, 2, 30, tzinfo=VIETNAM)),
        ("30 19 * * *", datetime(2027, 3, 1, 2, 30, tzinfo=VIETNAM), datetime(2027, 3, 2, 2, 30, tzinfo=VIETNAM)),
        ("*/15 * * * *", datetime(2027, 12, 31, 23, 50, tzinfo=VIETNAM), datetime(2028, 1, 1, 0, 0, tzinfo=VIETNAM)),
    ],
)
def test_next_run_reads_the_expression_in_utc_and_answers_in_vietnam_time(expression, at, expected):
    result = next_run(expression, at=at)
    assert result == expected
    assert result.utcoffset().total_seconds() == 7 * 3600


def test_page_still_lists_the_jobs_when_redis_is_down(admin_client, settings):
    settings.RQ_QUEUES = {name: {"URL": f"redis://127.0.0.1:{free_port()}/0"} for name in ("default", "notifications")}
    response = admin_client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không kết nối được Redis" in html
    for job in PERIODIC_JOBS:
        assert f'<tr id="cron-{job.name}">' in html


# --- who may see it ------------------------------------------------------------------------


def test_official_without_the_permission_is_denied_and_sees_no_link(client, private_redis):
    official = OfficialFactory(roles=["receiving_officer"])
    client.force_login(official.user)
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}heartbeat/chay-ngay/").status_code == 403
    assert Queue("default", connection=private_redis).count == 0
    assert PAGE not in client.get("/desk/").content.decode()


def test_anonymous_visitor_is_sent_to_the_desk_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/")


def test_official_granted_the_rq_permission_sees_the_page_and_the_desk_link(client, private_redis):
    official = OfficialFactory(roles=["system_admin"])
    official.user.user_permissions.add(Permission.objects.get(content_type__app_label="django_rq", codename="admin"))
    client.force_login(official.user)
    assert client.get(PAGE).status_code == 200
    assert f'href="{PAGE}"' in client.get("/desk/").content.decode()


# --- run now -------------------------------------------------------------------------------


def test_run_now_enqueues_the_job_on_its_queue_and_audits_it(
    admin_client, private_redis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{PAGE}deadline-scan/chay-ngay/")
    assert response.status_code == 302
    assert response["Location"] == PAGE

    queue = Queue("notifications", connection=private_redis)
    assert queue.count == 1
    job = Job.fetch(queue.job_ids[0], connection=private_redis)
    assert job.func_name == RUN_PATH
    assert job.args == ("deadline-scan",)

    event = AuditEvent.objects.get(action="cron_job_run_now")
    assert event.object_repr == "deadline-scan"
    assert event.actor_repr == "quantri.cao"
    assert event.data["job_id"] == job.id
    assert event.data["queue"] == "notifications"

    page = admin_client.get(PAGE).content.decode()
    assert "Đã đưa tác vụ" in page and job.id in page


def test_run_now_refuses_a_post_without_csrf_token(private_redis):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_superuser=True))
    assert client.post(f"{PAGE}heartbeat/chay-ngay/").status_code == 403
    assert Queue("default", connection=private_redis).count == 0


def test_run_now_of_an_undeclared_job_is_404(admin_client, private_redis):
    assert admin_client.post(f"{PAGE}khong-co/chay-ngay/").status_code == 404
    assert admin_client.get(f"{PAGE}heartbeat/chay-ngay/").status_code == 405


@pytest.mark.parametrize("path", ["queues/99/", "queues/99/finished/", "workers/99/", "queues/-1/"])
def test_a_queue_that_is_not_configured_is_404_not_a_server_error(admin_client, private_redis, path):
    # django-rq looks queues up by their position in RQ_QUEUES and raised IndexError.
    admin_client.raise_request_exception = False
    assert admin_client.get(f"/desk/rq/{path}").status_code == 404
    assert admin_client.get("/desk/rq/queues/0/").status_code == 200


def test_run_now_then_a_worker_records_a_successful_run(
    admin_client, private_redis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"{PAGE}heartbeat/chay-ngay/")
    _burst(private_redis, "default")

    last = last_runs(["heartbeat"])["heartbeat"]
    assert last.status == RunStatus.OK
    assert last.started_at <= last.finished_at
    assert last.duration is not None and last.duration >= 0
    assert last.last_error == ""
    row = _row(admin_client.get(PAGE).content.decode(), "heartbeat")
    assert "Thành công" in row
    assert "Chưa ghi nhận lần chạy nào" not in row


# --- the run recorder ----------------------------------------------------------------------


def test_a_run_shows_as_running_until_it_ends(private_redis):
    with record_run("heartbeat"):
        during = last_runs(["heartbeat"])["heartbeat"]
    assert during.status == RunStatus.RUNNING
    assert during.finished_at is None and during.duration is None
    assert last_runs(["heartbeat"])["heartbeat"].status == RunStatus.OK


def test_a_job_that_raises_records_the_error_and_reraises(private_redis, failing_job):
    with pytest.raises(RuntimeError, match="máy chủ SMS"):
        run_periodic("boom")
    last = last_runs(["boom"])["boom"]
    assert last.status == RunStatus.FAILED
    assert last.last_error == "RuntimeError: máy chủ SMS không phản hồi"
    assert last.last_failed_at == last.finished_at

    # A later success shows as the last run; the last failure's error stays readable.
    with record_run("boom"):
        pass
    last = last_runs(["boom"])["boom"]
    assert last.status == RunStatus.OK
    assert last.last_error == "RuntimeError: máy chủ SMS không phản hồi"


def test_a_failed_run_in_a_worker_is_in_the_failed_registry_and_linked_from_the_page(
    admin_client, private_redis, failing_job
):
    queue = Queue("default", connection=private_redis)
    job = queue.enqueue(RUN_PATH, "boom")
    _burst(private_redis, "default")

    assert queue.failed_job_registry.get_job_ids() == [job.id]
    last = last_runs(["boom"])["boom"]
    assert last.status == RunStatus.FAILED
    assert last.last_failed_job_id == job.id
    row = _row(admin_client.get(PAGE).content.decode(), "boom")
    assert "Thất bại" in row
    assert "máy chủ SMS không phản hồi" in row
    assert f'href="/desk/rq/queues/0/{job.id}/"' in row
    # django-rq's job page, where the failed job is re-queued.
    assert admin_client.get(f"/desk/rq/queues/0/{job.id}/").status_code == 200


def test_a_run_still_going_long_after_its_timeout_is_flagged(admin_client, private_redis):
    private_redis.hset(record_key("heartbeat"), mapping={"status": "running", "started_at": time.time() - 3600})
    private_redis.hset(record_key("housekeeping"), mapping={"status": "running", "started_at": time.time() - 5})
    html = admin_client.get(PAGE).content.decode()
    assert "có thể bộ xử lý đã dừng giữa chừng" in _row(html, "heartbeat")
    assert "Đang chạy" in _row(html, "housekeeping")
    assert "có thể bộ xử lý đã dừng giữa chừng" not in _row(html, "housekeeping")


def test_a_recording_failure_never_fails_the_job(settings, failing_job):
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{free_port()}/0"}}
    assert isinstance(run_periodic("heartbeat"), float)
    # The job's own error still comes through, not the recorder's.
    with pytest.raises(RuntimeError, match="máy chủ SMS"):
        run_periodic("boom")


# --- the declaration -----------------------------------------------------------------------


def test_rqcron_registers_every_declared_job_through_the_recorder():
    from django_rq.cron import DjangoCronScheduler

    scheduler = DjangoCronScheduler()
    scheduler.load_config_from_file("onestop_tayninh.core.cron")
    registered = {job.name: job for job in scheduler.get_jobs()}
    assert set(registered) == {job.name for job in cron.PERIODIC_JOBS}
    for declared in cron.PERIODIC_JOBS:
        job = registered[declared.name]
        assert job.func_name == RUN_PATH
        assert job.args == (declared.name,)
        assert (job.cron, job.queue_name) == (declared.cron, declared.queue)


def test_the_outbox_tasks_not_done_are_counted_by_kind_with_the_zalo_queue_named(admin_client):
    from django.utils import timezone

    from onestop_tayninh.core.constants import TaskStatus
    from onestop_tayninh.core.models import Task

    now = timezone.now()
    zalo = "onestop_tayninh.zalo.jobs.event_process"
    for number, status in enumerate(
        [TaskStatus.QUEUED, TaskStatus.QUEUED, TaskStatus.RUNNING, TaskStatus.FAILED, TaskStatus.DONE]
    ):
        Task.objects.create(
            func=zalo, kwargs={}, dedupe_key=f"zalo.event:{number}", status=status, next_attempt_at=now, created_at=now
        )
    page = admin_client.get(PAGE).content.decode()
    table = page[page.index('id="tasks"') :]
    table = table[: table.index("</table>")]
    assert "Xử lý sự kiện Zalo (tin nhắn, ảnh công dân gửi)" in table
    cells = re.findall(r'<td class="num[^"]*">(\d+)</td>', table)
    assert cells == ["2", "1", "1"]
