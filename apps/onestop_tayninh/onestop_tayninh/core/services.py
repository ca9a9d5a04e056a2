"""The task outbox (core.models.Task): write in the caller's transaction, hand to RQ after commit, run once."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .after_response import after_response
from .constants import TaskStatus
from .models import Task

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def lease() -> dt.timedelta:
    """A task handed to RQ this long ago and still queued (its job lost with Redis) is handed again;
    a running task claimed this long ago is taken over (its worker died). ONESTOP_TASK_LEASE_SECONDS."""
    return dt.timedelta(seconds=int(settings.ONESTOP_TASK_LEASE_SECONDS))


def task_enqueue(*, func: str, kwargs: dict[str, Any], dedupe_key: str, queue: str = "default") -> Task:
    """Write a task in the current transaction, due at once; after commit it is handed to RQ.

    Idempotent on `dedupe_key`: the same work for the same event is written once. Never raises
    because Redis is down: the dispatcher hands the row over later. (The work's own time, such as
    the event's, travels in `kwargs`; the row's times are the outbox's bookkeeping.)
    """
    existing = Task.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    now = timezone.now()
    task = Task(func=func, kwargs=kwargs, queue=queue, dedupe_key=dedupe_key, next_attempt_at=now, created_at=now)
    task.full_clean(validate_unique=False)
    # No savepoint: a key names one event's work, and an event is written in this very transaction,
    # so no other transaction can be writing the same key; the look-up above covers a replay.
    task.save()
    task_id, task_queue = task.pk, queue
    # Inside a request, once its answer has been sent (after_response): the row is committed already.
    transaction.on_commit(lambda: after_response(lambda: _hand_over([task_id], task_queue, timezone.now())))
    return task


def _hand_over(task_ids: list[int], queue: str, at: dt.datetime) -> None:
    """Give ids to RQ; a Redis outage is logged, not raised (the request has already committed)."""
    import django_rq

    from .jobs import run_tasks

    Task.objects.filter(pk__in=task_ids, status=TaskStatus.QUEUED).update(dispatched_at=at)
    try:
        django_rq.get_queue(queue, commit_mode="auto").enqueue(run_tasks, task_ids)
    except Exception:
        logger.warning("task_hand_over_failed ids=%s queue=%s", task_ids, queue, exc_info=True)
        # Not carried by any job: the next dispatch (within a minute) hands them over again.
        Task.objects.filter(pk__in=task_ids, status=TaskStatus.QUEUED).update(dispatched_at=None)


def _worker_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:100]


def _claim(task_id: int, token: str, now: dt.datetime) -> bool:
    """queued and due (or running with an expired lease) → running, in one UPDATE: one claimer wins."""
    return bool(
        Task.objects.filter(pk=task_id)
        .filter(
            Q(status=TaskStatus.QUEUED, next_attempt_at__lte=now)
            | Q(status=TaskStatus.RUNNING, claimed_at__lt=now - lease())
        )
        .update(status=TaskStatus.RUNNING, claimed_by=token, claimed_at=now, attempts=F("attempts") + 1)
    )


def tasks_run(*, task_ids: Iterable[int]) -> dict[str, int]:
    """Run the given tasks that are still due; safe to run twice on the same ids."""
    counts = {"done": 0, "retry": 0, "failed": 0, "skipped": 0}
    token = _worker_token()
    for task_id in task_ids:
        if not _claim(task_id, token, timezone.now()):
            counts["skipped"] += 1
            continue
        task = Task.objects.get(pk=task_id)
        mine = Task.objects.filter(pk=task_id, claimed_by=token, status=TaskStatus.RUNNING)
        try:
            import_string(task.func)(**task.kwargs)
        except Exception as exc:
            logger.exception("task_failed id=%s func=%s attempt=%s", task.pk, task.func, task.attempts)
            now = timezone.now()
            if task.attempts >= MAX_ATTEMPTS:
                mine.update(status=TaskStatus.FAILED, finished_at=now, last_error=repr(exc)[:2000])
                counts["failed"] += 1
            else:
                delay = dt.timedelta(seconds=30 * 2 ** (task.attempts - 1))
                mine.update(
                    status=TaskStatus.QUEUED,
                    next_attempt_at=now + delay,
                    dispatched_at=None,
                    claimed_by="",
                    last_error=repr(exc)[:2000],
                )
                counts["retry"] += 1
            continue
        mine.update(status=TaskStatus.DONE, finished_at=timezone.now(), last_error="")
        counts["done"] += 1
    return counts


def tasks_dispatch_due(*, at: dt.datetime, batch_size: int = 100, max_tasks: int = 20000) -> int:
    """The safety net, every minute: hand over due tasks no job carries, and tasks whose worker died."""
    expired = at - lease()
    due = (
        Task.objects.filter(
            Q(status=TaskStatus.QUEUED, next_attempt_at__lte=at)
            & (Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=expired))
            | Q(status=TaskStatus.RUNNING, claimed_at__lt=expired)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "queue")[:max_tasks]
    )
    by_queue: dict[str, list[int]] = {}
    for task_id, queue in due:
        by_queue.setdefault(queue, []).append(task_id)
    for queue, ids in by_queue.items():
        for start in range(0, len(ids), batch_size):
            _hand_over(ids[start : start + batch_size], queue, at)
    return sum(len(ids) for ids in by_queue.values())
