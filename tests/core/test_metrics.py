"""/metrics: request latency by view, RQ queues and jobs, outbox backlogs, periodic jobs, registered gauges;
closed to everyone but the monitoring networks; the same figures as the desk's monitoring page.

The end-to-end test runs what production runs: gunicorn with config/gunicorn.conf.py (two workers,
multiprocess files) and a real `manage.py rqworker --burst` on this run's Redis database, then scrapes
with prometheus_client's own text parser.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import django_rq
import pytest
import redis
import requests
import structlog
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from onestop_tayninh.core import cron
from onestop_tayninh.core.constants import TaskStatus
from onestop_tayninh.core.cron import PeriodicJob
from onestop_tayninh.core.jobs import run_periodic
from onestop_tayninh.core.models import Task
from onestop_tayninh.core.monitoring import gauges
from onestop_tayninh.core.monitoring.compaction import archive_dead_process
from onestop_tayninh.core.monitoring.figures import OUTBOXES
from onestop_tayninh.core.monitoring.metrics import FilesCollector
from onestop_tayninh.core.rqworker import JobContextMixin
from tests.factories import UserFactory
from tests.support import MANAGE, REPO, SimpleBurstWorker, children_of, start_session, stop_worker, wait_until

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, metric: str, /, **labels: str) -> float | None:
    return samples.get((metric, frozenset(labels.items())))


def families(text: str) -> set[str]:
    return {family.name for family in text_string_to_metric_families(text)}


# --- the declaration -------------------------------------------------------------------------------


def test_every_outbox_names_statuses_its_model_has():
    for outbox in OUTBOXES:
        model = apps.get_model(outbox.model)
        choices = {choice for choice, _label in model._meta.get_field("status").choices}
        assert set(outbox.pending) <= choices, outbox.key
        assert outbox.failed in choices, outbox.key
        assert model._meta.get_field(outbox.created_field)


# --- in this process -------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_latency_is_counted_by_view_never_by_path_and_the_scrape_itself_is_not(client, private_redis):
    before = parse(client.get("/metrics").content.decode())
    client.get("/healthz")
    client.get("/healthz", HTTP_X_REQUEST_ID="x")
    client.post("/healthz")  # 405
    client.get("/desk/giam-sat/khong-co-tac-vu-nay/chay-ngay/")  # a desk address: login redirect
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    after = parse(response.content.decode())

    def grew(**labels: str) -> float:
        name = "onestop_http_request_duration_seconds_count"
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert grew(view="healthz", method="GET", status="2xx") + grew(view="healthz", method="GET", status="5xx") == 2
    assert grew(view="healthz", method="POST", status="4xx") == 1
    assert grew(view="monitoring:run_now", method="GET", status="3xx") == 1
    labels = {label for (name, pairs) in after for label in pairs if name.startswith("onestop_http_request")}
    assert not any("khong-co-tac-vu-nay" in label_value for _key, label_value in labels)
    assert not any(key == "view" and label_value == "metrics" for key, label_value in labels)


def test_metrics_answer_404_to_an_address_not_allowed_and_no_token(client, private_redis, settings):
    settings.ONESTOP_METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16", "không-phải-mạng"]
    settings.ONESTOP_METRICS_TOKEN = "giam-sat-7c41"

    outsider = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert outsider.status_code == 404
    assert b"onestop_" not in outsider.content
    assert client.get("/metrics").status_code == 404  # loopback is no longer listed
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer sai").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    with_token = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer giam-sat-7c41")
    assert with_token.status_code == 200
    assert "onestop_outbox_pending" in families(with_token.content.decode())


def test_replica_lag_is_exported_and_shown_only_once_a_function_is_registered(client, private_redis):
    assert gauges.REPLICA_LAG not in families(client.get("/metrics").content.decode())
    client.force_login(UserFactory(is_superuser=True))
    assert 'id="gauges"' not in client.get("/desk/giam-sat/").content.decode()

    gauges.register(
        gauges.REPLICA_LAG,
        documentation="Seconds the replica is behind the primary.",
        label="Độ trễ của bản sao cơ sở dữ liệu (giây)",
        labelname="database",
        read=lambda: {"replica": 1.25, "replica_down": None},
    )
    try:
        samples = parse(client.get("/metrics").content.decode())
        page = client.get("/desk/giam-sat/").content.decode()
    finally:
        gauges.unregister(gauges.REPLICA_LAG)

    assert value(samples, gauges.REPLICA_LAG, database="replica") == 1.25
    assert not any(name == gauges.REPLICA_LAG and ("database", "replica_down") in pairs for name, pairs in samples)
    assert "Độ trễ của bản sao cơ sở dữ liệu (giây)" in page
    assert re.search(r'data-name="onestop_replica_lag_seconds" data-label="replica">.*?data-value="1.25"', page, re.S)


def test_the_routers_shortcut_exports_one_unlabelled_lag_and_nothing_while_it_reads_none(client, private_redis):
    lag: list[float | None] = [0.4]
    gauges.register_replica_lag(lambda: lag[0])
    try:
        readable = parse(client.get("/metrics").content.decode())
        lag[0] = None
        unreadable = client.get("/metrics").content.decode()
    finally:
        gauges.unregister(gauges.REPLICA_LAG)
    assert value(readable, gauges.REPLICA_LAG) == 0.4
    assert f"\n{gauges.REPLICA_LAG} " not in unreadable


def test_a_gauge_that_raises_is_left_out_and_the_scrape_still_answers(client, private_redis):
    def broken() -> float:
        raise ConnectionError("bản sao không trả lời")

    gauges.register(gauges.REPLICA_LAG, documentation="Lag.", label="Độ trễ", read=broken)
    try:
        response = client.get("/metrics")
    finally:
        gauges.unregister(gauges.REPLICA_LAG)
    assert response.status_code == 200
    assert gauges.REPLICA_LAG not in families(response.content.decode())


def _broken_periodic() -> None:
    raise RuntimeError("máy chủ SMS không phản hồi")


class MeasuredBurstWorker(JobContextMixin, SimpleBurstWorker):
    """The production worker's additions on the in-process worker."""


def test_a_failed_periodic_run_counts_under_its_cron_name_and_its_job(client, private_redis, monkeypatch):
    job = PeriodicJob(name="boom", label="Hỏng", func=_broken_periodic, queue="default", cron="0 * * * *", schedule="")
    monkeypatch.setattr(cron, "PERIODIC_JOBS", (*cron.PERIODIC_JOBS, job))
    before = parse(client.get("/metrics").content.decode())
    queue = django_rq.get_queue("default", commit_mode="auto")
    queue.enqueue(run_periodic, "boom")
    queue.enqueue(run_periodic, "heartbeat")
    MeasuredBurstWorker([queue], connection=queue.connection).work(burst=True)
    after = parse(client.get("/metrics").content.decode())

    def grew(metric: str, **labels: str) -> float:
        return (value(after, metric, **labels) or 0) - (value(before, metric, **labels) or 0)

    assert grew("onestop_cron_job_failures_total", name="boom") == 1
    assert grew("onestop_cron_job_failures_total", name="heartbeat") == 0
    assert grew("onestop_cron_job_duration_seconds_count", name="boom") == 1
    assert grew("onestop_cron_job_duration_seconds_count", name="heartbeat") == 1
    assert grew("onestop_rq_job_failures_total", queue="default", job="onestop_tayninh.core.jobs.run_periodic") == 1
    assert value(after, "onestop_cron_last_run_failed", name="boom") == 1
    assert value(after, "onestop_cron_last_run_failed", name="heartbeat") == 0
    assert value(after, "onestop_rq_failed_jobs", queue="default") == 1


WRITER = """
import os
from prometheus_client import Counter, Histogram
Counter("onestop_test_events", "Events.", ["kind"]).labels(kind="a").inc({n})
Histogram("onestop_test_seconds", "Seconds.", buckets=(0.1, 1.0)).observe(0.5 * {n})
print(os.getpid())
"""


def _write_as_a_process(directory: Path, n: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", WRITER.format(n=n)],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def _scrape_files(directory: Path) -> Samples:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FilesCollector([str(directory)]))
    return parse(generate_latest(registry).decode())


def test_a_dead_processs_files_fold_into_the_archive_and_the_totals_stay(tmp_path):
    first, second = _write_as_a_process(tmp_path, 2), _write_as_a_process(tmp_path, 3)
    before = _scrape_files(tmp_path)
    assert value(before, "onestop_test_events_total", kind="a") == 5

    archive_dead_process(first, str(tmp_path))
    assert not list(tmp_path.glob(f"*_{first}.db")) and list(tmp_path.glob(f"*_{second}.db"))
    assert _scrape_files(tmp_path) == before
    archive_dead_process(second, str(tmp_path))
    assert sorted(path.name for path in tmp_path.glob("*.db")) == ["counter_archive.db", "histogram_archive.db"]
    assert _scrape_files(tmp_path) == before
    assert value(before, "onestop_test_seconds_bucket", le="1.0") == 1  # 1.0 from the first, 1.5 from the second
    assert value(before, "onestop_test_seconds_bucket", le="+Inf") == 2
    assert value(before, "onestop_test_seconds_sum") == 2.5


# --- gunicorn and a real worker ----------------------------------------------------------------------

PORTS = range(9110, 9120)


def _port() -> int:
    import socket

    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port in 9110-9119")


@pytest.fixture
def stack(tmp_path, live_redis_url):
    """gunicorn (config/gunicorn.conf.py, two workers) on this test's database and Redis database."""
    metrics_dir = tmp_path / "metrics"
    (metrics_dir / "web").mkdir(parents=True)
    # Left by an "earlier run": gunicorn must empty the directory when it starts.
    (metrics_dir / "web" / "counter_999999.db").write_bytes(b"stale")
    port = _port()
    env = {
        key: val for key, val in os.environ.items() if key not in ("PYTEST_XDIST_WORKER", "PROMETHEUS_MULTIPROC_DIR")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="onestop_tayninh.conf.test",
        DB_NAME=connection.settings_dict["NAME"],
        TEST_REDIS_URL=live_redis_url,
        ONESTOP_METRICS_DIR=str(metrics_dir),
        ONESTOP_VAR_DIR=str(tmp_path / "var"),
        CLAMD_SOCKET=settings.CLAMD_SOCKET,
        PYTHONPATH=str(REPO),
        LOG_LEVEL="INFO",
    )
    log = tmp_path / "gunicorn.log"
    web = start_session(
        [
            str(REPO / ".venv" / "bin" / "gunicorn"),
            "-c",
            str(REPO / "config" / "gunicorn.conf.py"),
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            # The configuration's production settings refuse the test secret.
            "--env=DJANGO_SETTINGS_MODULE=onestop_tayninh.conf.test",
        ],
        env,
        log=log,
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{url}/favicon.ico", timeout=1, allow_redirects=False).status_code == 301
        except requests.RequestException:
            return False

    try:
        assert wait_until(answers, timeout=60, interval=0.2), log.read_text()[-3000:]
        yield {"url": url, "env": env, "metrics_dir": metrics_dir, "tmp": tmp_path, "process": web}
    finally:
        stop_worker(web)


@pytest.fixture
def live_redis_url():
    """This run's own database on the system Redis (the brief's number), emptied before and after."""
    url = os.environ.get("TEST_REDIS_URL") or settings.TEST_REDIS_URL
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


def _worker_burst(stack, queues: list[str]) -> list[dict]:
    """`manage.py rqworker --burst` as the worker units run it, with its own metrics directory; its log lines."""
    directory = stack["metrics_dir"] / "worker-1"
    directory.mkdir(exist_ok=True)
    log = stack["tmp"] / "worker.log"
    env = {**stack["env"], "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    worker = start_session([sys.executable, str(MANAGE), "rqworker", *queues, "--burst"], env, log=log)
    try:
        worker.wait(timeout=120)
    finally:
        stop_worker(worker)
    lines = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def _page_values(html: str, row_id: str) -> list[str]:
    match = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return re.findall(r'data-value="([^"]*)"', match.group(1))


@pytest.mark.django_db(transaction=True)  # gunicorn and the worker read what the test commits
def test_a_scrape_reports_requests_jobs_queues_and_outboxes_of_every_process_as_the_page_does(stack, client):
    url = stack["url"]
    assert not (stack["metrics_dir"] / "web" / "counter_999999.db").exists()

    # Outbox rows: one task waiting two minutes, one given up on.
    now = timezone.now()
    for status, age in ((TaskStatus.QUEUED, 120), (TaskStatus.FAILED, 600)):
        Task.objects.create(
            func="onestop_tayninh.printing.jobs.document_generate",
            dedupe_key=f"metrics-test:{status}",
            status=status,
            next_attempt_at=now + timedelta(hours=1),
            created_at=now - timedelta(seconds=age),
        )
    # An administrator's session, used through gunicorn.
    client.force_login(UserFactory(is_superuser=True, username="quantri.giamsat"))
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)

    for _ in range(3):
        assert requests.get(f"{url}/healthz", timeout=10).status_code in (200, 503)
    requests.get(f"{url}/ho-so/khong-co-ma-nay-123/", timeout=10, allow_redirects=False)

    # "Chạy ngay" on the deadline scan, under a request id nginx would have set.
    page = session.get(f"{url}/desk/giam-sat/", timeout=30)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    ran = session.post(
        f"{url}/desk/giam-sat/deadline-scan/chay-ngay/",
        data={"csrfmiddlewaretoken": token},
        headers={"X-Request-ID": "req-metrics-scan"},
        timeout=30,
        allow_redirects=False,
    )
    assert ran.status_code == 302
    # A job that raises, enqueued while a request id is bound (as a view's would be), and one left waiting.
    with structlog.contextvars.bound_contextvars(request_id="req-metrics-fail"):
        django_rq.get_queue("default", commit_mode="auto").enqueue("tests.core.metrics_jobs.failing_job")
    django_rq.get_queue("reports", commit_mode="auto").enqueue("tests.core.metrics_jobs.waiting_job")

    lines = _worker_burst(stack, ["default", "notifications"])

    # The request id is in the worker's lines of each job, RQ's own included.
    scan_lines = [line for line in lines if line.get("request_id") == "req-metrics-scan"]
    assert any("Job OK" in line["event"] for line in scan_lines), scan_lines
    fail_lines = [line for line in lines if line.get("request_id") == "req-metrics-fail"]
    assert any(line["event"] == "failing_job_started" for line in fail_lines)
    assert any("exception raised while executing" in line["event"] for line in fail_lines), fail_lines

    text = requests.get(f"{url}/metrics", timeout=30).text
    page = session.get(f"{url}/desk/giam-sat/", timeout=30).text
    samples = parse(text)

    # Requests, from whichever gunicorn worker answered them.
    latency = "onestop_http_request_duration_seconds_count"
    healthz = sum(value(samples, latency, view="healthz", method="GET", status=s) or 0 for s in ("2xx", "5xx"))
    assert healthz == 3
    assert value(samples, latency, view="monitoring:run_now", method="POST", status="3xx") == 1
    assert value(samples, latency, view="monitoring:overview", method="GET", status="2xx") == 1
    assert not any(pairs and ("view", "metrics") in pairs for _name, pairs in samples)
    assert not any("khong-co-ma-nay" in label for _name, pairs in samples for _key, label in pairs)
    # Jobs, from the worker process's files.
    scan_job = "onestop_tayninh.core.jobs.run_periodic"
    assert value(samples, "onestop_rq_job_duration_seconds_count", queue="notifications", job=scan_job) == 1
    assert value(samples, "onestop_cron_job_duration_seconds_count", name="deadline-scan") == 1
    failing = "tests.core.metrics_jobs.failing_job"
    assert value(samples, "onestop_rq_job_failures_total", queue="default", job=failing) == 1
    assert value(samples, "onestop_rq_job_failures_total", queue="notifications", job=scan_job) is None
    # Read at scrape time.
    assert value(samples, "onestop_rq_queue_jobs", queue="reports") == 1
    assert value(samples, "onestop_rq_failed_jobs", queue="default") == 1
    assert value(samples, "onestop_rq_failed_jobs", queue="notifications") == 0
    assert value(samples, "onestop_outbox_pending", outbox="tasks") == 1
    assert value(samples, "onestop_outbox_failed", outbox="tasks") == 1
    assert 120 <= value(samples, "onestop_outbox_oldest_pending_age_seconds", outbox="tasks") < 600
    for key in ("notifications", "webhooks", "national_sync"):
        assert value(samples, "onestop_outbox_pending", outbox=key) == 0
    last_ok = value(samples, "onestop_cron_last_success_timestamp_seconds", name="deadline-scan")
    assert last_ok and abs(last_ok - time.time()) < 600
    assert value(samples, "onestop_cron_last_run_failed", name="deadline-scan") == 0
    assert value(samples, "onestop_metrics_source_up", source="redis") == 1

    # The page shows the same figures.
    for queue in ("default", "notifications", "reports"):
        queued, started, failed, scheduled, workers = map(int, _page_values(page, f"queue-{queue}"))
        assert queued == value(samples, "onestop_rq_queue_jobs", queue=queue)
        assert started == value(samples, "onestop_rq_started_jobs", queue=queue)
        assert failed == value(samples, "onestop_rq_failed_jobs", queue=queue)
        assert scheduled == value(samples, "onestop_rq_scheduled_jobs", queue=queue)
        assert workers == value(samples, "onestop_rq_workers", queue=queue)
    for outbox in OUTBOXES:
        pending, age, failed = _page_values(page, f"outbox-{outbox.key}")
        assert int(pending) == value(samples, "onestop_outbox_pending", outbox=outbox.key)
        assert int(failed) == value(samples, "onestop_outbox_failed", outbox=outbox.key)
        # The page was read a moment after the scrape: the same row, a little older.
        scraped_age = value(samples, "onestop_outbox_oldest_pending_age_seconds", outbox=outbox.key)
        assert scraped_age <= float(age) <= scraped_age + 60
    match = re.search(r'<tr id="cron-deadline-scan">.*?class="cron-last-ok" data-value="(\d+)"', page, re.S)
    assert match and int(match.group(1)) == int(last_ok)
    assert "Hộp thư đi" in page and "Thành công gần nhất" in page

    # A gunicorn worker exits (as max_requests recycles one): its files are folded into the archive, and
    # the totals stay what they were.
    web_dir = stack["metrics_dir"] / "web"
    # One that served a request of the above (its latency histogram is on disk): under load the other
    # worker may have served them all, and a worker with nothing to fold leaves no histogram archive.
    served = [pid for pid in children_of(stack["process"].pid) if (web_dir / f"histogram_{pid}.db").exists()]
    assert served
    victim = served[0]
    os.kill(victim, signal.SIGTERM)
    assert wait_until(lambda: not list(web_dir.glob(f"*_{victim}.db")), timeout=30)
    assert (web_dir / "histogram_archive.db").exists()
    again = parse(requests.get(f"{url}/metrics", timeout=30).text)
    assert sum(value(again, latency, view="healthz", method="GET", status=s) or 0 for s in ("2xx", "5xx")) == 3
    assert value(again, latency, view="monitoring:run_now", method="POST", status="3xx") == 1
    assert value(again, "onestop_rq_job_failures_total", queue="default", job=failing) == 1
