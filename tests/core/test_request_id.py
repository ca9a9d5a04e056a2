"""The request id: accepted or made for each request, returned in the response, written in every log
line of the request, and carried into the jobs the request enqueued (run here by a real worker)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import django_rq
import pytest
import structlog

from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from onestop_tayninh.core.log import json_formatter
from onestop_tayninh.core.middleware import RequestIdMiddleware
from tests.support import MANAGE, REPO, SimpleBurstWorker

log = structlog.get_logger("tests.request_id")


def job_that_logs(word: str) -> None:
    log.info("job_ran", word=word)
    logging.getLogger("tests.request_id.stdlib").warning("stdlib_job_line word=%s", word)


def enqueue_view(request):
    log.info("view_ran")
    # As the services do: the job is enqueued when the request's transaction commits.
    with transaction.atomic():
        transaction.on_commit(lambda: django_rq.enqueue(job_that_logs, "xin chào"))
    return HttpResponse("ok")


urlpatterns = [path("enqueue/", enqueue_view)]


@pytest.fixture
def log_lines():
    """Every log line written during the test, through the project's JSON formatter, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def only(lines: list[dict], event: str) -> dict:
    (line,) = [line for line in lines if line["event"] == event]
    return line


def middleware(response=None) -> RequestIdMiddleware:
    return RequestIdMiddleware(lambda request: response or HttpResponse("ok"))


# --- the request id itself --------------------------------------------------------------------


def test_a_request_without_an_id_gets_a_new_one_each_time():
    first = middleware()(RequestFactory().get("/"))["X-Request-ID"]
    second = middleware()(RequestFactory().get("/"))["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_the_proxys_request_id_is_kept():
    response = middleware()(RequestFactory().get("/", HTTP_X_REQUEST_ID="3f1c0a9e2b7d4c5e8f60718293a4b5c6"))
    assert response["X-Request-ID"] == "3f1c0a9e2b7d4c5e8f60718293a4b5c6"


@pytest.mark.parametrize("given", ["", "two words", 'quote"d', "line\nbreak", "x" * 200, "-leading-dash"])
def test_an_unusable_request_id_is_replaced(given):
    response = middleware()(RequestFactory().get("/", HTTP_X_REQUEST_ID=given))
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_the_id_is_unbound_when_the_response_leaves(log_lines):
    middleware()(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-1"))
    log.info("after_the_request")
    assert "request_id" not in only(log_lines(), "after_the_request")
    assert "request_id" not in structlog.contextvars.get_contextvars()


# --- into the log and the jobs ----------------------------------------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)  # autocommit as in production: the job is enqueued on commit
def test_a_requests_id_is_in_the_log_lines_of_the_job_it_enqueued(client, private_redis, log_lines):
    response = client.get("/enqueue/", HTTP_X_REQUEST_ID="req-7f3a")

    assert response["X-Request-ID"] == "req-7f3a"
    assert only(log_lines(), "view_ran")["request_id"] == "req-7f3a"
    (job,) = django_rq.get_queue("default").get_jobs()
    assert job.meta["request_id"] == "req-7f3a"

    django_rq.get_worker("default", worker_class=SimpleBurstWorker).work(burst=True)

    lines = log_lines()
    ran = only(lines, "job_ran")
    assert ran["request_id"] == "req-7f3a"
    assert ran["job_id"] == job.id
    assert ran["job"] == f"{__name__}.job_that_logs"
    assert ran["word"] == "xin chào"
    assert ran["level"] == "info" and ran["logger"] == "tests.request_id" and ran["timestamp"]
    # Lines of the standard library's loggers carry it too.
    assert only(lines, "stdlib_job_line word=xin chào")["request_id"] == "req-7f3a"
    assert "request_id" not in structlog.contextvars.get_contextvars()


def test_a_job_enqueued_outside_a_request_carries_no_request_id(private_redis):
    job = django_rq.get_queue("default", commit_mode="auto").enqueue(job_that_logs, "cron")
    assert "request_id" not in job.meta


# --- the settings, in a real process ------------------------------------------------------------


def test_onestop_log_file_receives_json_lines(tmp_path):
    log_file = tmp_path / "web.log"
    env = {**os.environ, "ONESTOP_LOG_FILE": str(log_file), "DJANGO_SETTINGS_MODULE": "onestop_tayninh.conf.dev"}
    code = (
        "import logging, structlog;"
        "logging.getLogger('django.server').info('\"GET / HTTP/1.1\" 200 5');"
        "structlog.get_logger('x').warning('hồ_sơ_event', code='000.00.14.H53-270301-0001')"
    )
    done = subprocess.run(
        [sys.executable, str(MANAGE), "shell", "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # nothing on the console: it all went to the file
    lines = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    access = only(lines, '"GET / HTTP/1.1" 200 5')
    assert access["logger"] == "django.server"
    event = only(lines, "hồ_sơ_event")
    assert event == {
        "event": "hồ_sơ_event",
        "code": "000.00.14.H53-270301-0001",
        "logger": "x",
        "level": "warning",
        "timestamp": event["timestamp"],
    }
