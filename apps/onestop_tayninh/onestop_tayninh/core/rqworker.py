"""The RQ worker class (settings `RQ["WORKER_CLASS"]`, read by `manage.py rqworker`).

Around each job it runs, the worker's main process

- binds the job's request id, id and function for logging (core.log). `RequestIdJob.perform` binds
  them only while the job's function runs; RQ's own lines about the job (its "Job OK", the
  traceback of a job that raised, a work-horse killed) are written outside it, in the work-horse
  and here, and now carry the id too. The work-horse is forked inside the binding and inherits it.
- records the job's duration and, unless it finished, a failure (core.monitoring.metrics), and the
  duration of a periodic job under its cron name. Here rather than in the work-horse: a forked
  work-horse is a new process for every job, and in prometheus_client's multiprocess mode every
  process writes files of its own, so recording there would leave a set of files per job run.

Before its first job, the main process also loads what every work-horse would otherwise load again
(`WarmParentMixin`).
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from rq import Worker
from rq.exceptions import DeserializationError, InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.queue import Queue

from .log import REQUEST_ID
from .monitoring.metrics import CRON_DURATION, CRON_FAILURES, JOB_DURATION, JOB_FAILURES

#: core.jobs.run_periodic: the job of every periodic run, whose first argument is the cron name.
RUN_PERIODIC = "onestop_tayninh.core.jobs.run_periodic"


def _func_name(job: Job) -> str:
    try:
        return job.func_name or "<unknown>"
    except DeserializationError:
        return "<undeserializable>"


def _finished(job: Job) -> bool:
    """Whether the run just ended finished; a job already gone (result_ttl=0) finished."""
    try:
        return job.get_status(refresh=True) == JobStatus.FINISHED
    except (InvalidJobOperation, NoSuchJobError):
        return True


class JobContextMixin:
    def execute_job(self, job: Job, queue: Queue) -> Any:
        func_name = _func_name(job)
        context = {"job_id": job.id, "job": func_name}
        if job.meta.get(REQUEST_ID):
            context[REQUEST_ID] = job.meta[REQUEST_ID]
        tokens = structlog.contextvars.bind_contextvars(**context)
        started = time.perf_counter()
        try:
            return super().execute_job(job, queue)  # type: ignore[misc]
        finally:
            duration = time.perf_counter() - started
            finished = _finished(job)
            JOB_DURATION.labels(queue=queue.name, job=func_name).observe(duration)
            if not finished:
                JOB_FAILURES.labels(queue=queue.name, job=func_name).inc()
            if func_name == RUN_PERIODIC and job.args:
                CRON_DURATION.labels(name=str(job.args[0])).observe(duration)
                if not finished:
                    CRON_FAILURES.labels(name=str(job.args[0])).inc()
            structlog.contextvars.reset_contextvars(**tokens)


def warm_up() -> None:
    """Load once, in the worker's main process, what jobs load on first use and a forked work-horse loses
    when it exits: every app's jobs module (a job's function is imported by name), the URL configuration
    (a message's link is a `reverse`; the first one in a process imports every view module, half a
    second) and the catalogue of the site's language."""
    from django.conf import settings
    from django.db import connections
    from django.urls import get_resolver
    from django.utils import translation
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs")
    with translation.override(settings.LANGUAGE_CODE):
        get_resolver().reverse_dict  # noqa: B018 - the property fills the resolver's tables
    # A connection opened here would be shared by every work-horse forked after it.
    connections.close_all()


class WarmParentMixin:
    """A work-horse is a fork of the worker's main process, one per job: it starts with what that process
    holds and throws away whatever it loads itself. So the main process loads what jobs need before the
    first fork (`warm_up`). Measured on the bench database, a message to send per job: 334 ms of CPU per
    job before, 50 ms after (15 ms when the jobs run in one process, without a fork)."""

    def bootstrap(self, *args: Any, **kwargs: Any) -> None:
        super().bootstrap(*args, **kwargs)  # type: ignore[misc]
        warm_up()


class OnestopWorker(JobContextMixin, WarmParentMixin, Worker):
    """RQ's forking worker, with the job's logging context and its metrics, its horses forked warm."""
