"""Writes of the monitoring page: run a periodic job now."""

from __future__ import annotations

import uuid
from functools import partial

import django_rq

from django.db import transaction
from django.http import HttpRequest

from onestop_tayninh.core.cron import PeriodicJob, periodic_job
from onestop_tayninh.core.jobs import run_periodic
from onestop_tayninh.security.audit import audit_event

AUDIT_RUN_NOW = "cron_job_run_now"


def _enqueue(job: PeriodicJob, job_id: str) -> None:
    # commit_mode="auto": we are already on commit, enqueue now rather than wait for another one.
    queue = django_rq.get_queue(job.queue, commit_mode="auto")
    queue.enqueue(run_periodic, job.name, job_id=job_id, meta={"cron_job": job.name, "run_now": True})


def cron_job_run_now(*, name: str, actor, request: HttpRequest | None = None) -> str:
    """Enqueue the periodic job `name` on its queue now, through the same recording wrapper as the scheduler.

    The request is audited first; the job is enqueued once the audit row is committed, so an
    unrecorded run cannot happen. Returns the RQ job id. LookupError for an undeclared name.
    """
    job = periodic_job(name)
    job_id = uuid.uuid4().hex
    with transaction.atomic():
        audit_event(
            actor=actor,
            action=AUDIT_RUN_NOW,
            target=job.name,
            data={"queue": job.queue, "job_id": job_id, "func": job.func_path},
            request=request,
        )
        transaction.on_commit(partial(_enqueue, job, job_id))
    return job_id
