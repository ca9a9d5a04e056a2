"""`manage.py rqworker` forks a work-horse per job: the horse starts with what the worker's main process
holds and loses whatever it loads itself when it exits. The main process loads, before its first fork,
what jobs load on first use (core/rqworker.py, WarmParentMixin); without it every message sent cost a
horse the URL configuration and the catalogue again, 334 ms of CPU per job against 50 ms."""

from __future__ import annotations

import os
import sys

from rq import Queue

from tests.support import MANAGE, REPO, start_session, stop_worker


def test_a_work_horse_starts_with_the_urls_the_jobs_and_the_language_loaded(private_redis, settings, tmp_path):
    job = Queue("default", connection=private_redis).enqueue("tests.core.rqworker_jobs.what_the_horse_started_with")
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}
    env.update(
        DJANGO_SETTINGS_MODULE="onestop_tayninh.conf.test",
        TEST_REDIS_URL=settings.RQ_QUEUES["default"]["URL"],
        CLAMD_SOCKET=settings.CLAMD_SOCKET,
        PYTHONPATH=str(REPO),
    )
    log = tmp_path / "worker.log"
    worker = start_session([sys.executable, str(MANAGE), "rqworker", "default", "--burst"], env, log=log)
    try:
        worker.wait(timeout=120)
    finally:
        stop_worker(worker)

    found = job.latest_result().return_value if job.latest_result() else None
    assert found is not None, log.read_text(encoding="utf-8")[-2000:]
    assert found["pid"] not in (os.getpid(), worker.pid)  # a work-horse of its own ran it
    assert found["urls_filled"]
    assert "onestop_tayninh.notifications.jobs" in found["jobs_modules"]
    assert "onestop_tayninh.national.jobs" in found["jobs_modules"]
    assert found["language_loaded"]
