"""The figures of background work, read once for both readers: the desk's page and /metrics.

The monitoring page (`selectors.monitoring_overview`) and the Prometheus endpoint
(`metrics.FiguresCollector`) call these same functions, so the page and a scrape taken at the same
moment show the same numbers. Reads only: counts come from Redis without RQ's registry clean-up,
and from the database with one aggregate per outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django_rq.queues import get_queue
from django_rq.settings import get_queues_map
from rq import Worker

from django.apps import apps
from django.db.models import Count, Min, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class QueueFigures:
    name: str
    #: django-rq's index of the queue, for links into /desk/rq/.
    index: int
    #: Jobs waiting in the queue (the Redis list's length).
    queued: int
    started: int
    #: RQ's failed job registry: jobs that raised, kept for reading and running again.
    failed: int
    scheduled: int
    deferred: int
    workers: int


def queue_figures() -> list[QueueFigures]:
    """Every configured RQ queue, in settings order. Raises RedisError when Redis does not answer."""
    rows = []
    for name, index in get_queues_map().items():
        queue = get_queue(name)
        rows.append(
            QueueFigures(
                name=name,
                index=index,
                queued=queue.count,
                started=queue.started_job_registry.get_job_count(cleanup=False),
                failed=queue.failed_job_registry.get_job_count(cleanup=False),
                scheduled=queue.scheduled_job_registry.get_job_count(cleanup=False),
                deferred=queue.deferred_job_registry.get_job_count(cleanup=False),
                workers=Worker.count(queue=queue),
            )
        )
    return rows


@dataclass(frozen=True)
class Outbox:
    """A table whose rows are work waiting for a worker (docs/architecture.md §4.1)."""

    #: The `outbox` label in /metrics; never renamed (dashboards and alerts name it).
    key: str
    label: str | Promise
    #: app_label.ModelName: core names the apps above it by string only, as the cron table does.
    model: str
    #: Status values of rows still to be done (waiting, or handed to a worker that has not finished).
    pending: tuple[str, ...]
    #: The status of rows given up on; an official has to look at them.
    failed: str
    #: When the fact the row carries happened: the pending row's age is counted from it.
    created_field: str = "created_at"


#: Every outbox of the project. Hand-overs to other installations, Zalo events, receipts and refunds
#: are written as `core.Task` rows, so they are counted in "tasks" (the page splits it by kind).
#: tests/core/test_metrics.py checks the statuses against each model's choices.
OUTBOXES: tuple[Outbox, ...] = (
    Outbox(
        key="tasks",
        label=_("Tác vụ nền (in biểu mẫu, liên thông, Zalo, biên lai, hoàn phí…)"),
        model="core.Task",
        pending=("queued", "running"),
        failed="failed",
    ),
    Outbox(
        key="notifications",
        label=_("Thông báo gửi công dân và cán bộ (thư điện tử, SMS, Zalo)"),
        model="notifications.Message",
        pending=("queued", "sending"),
        failed="failed",
    ),
    Outbox(
        key="webhooks",
        label=_("Sự kiện gửi các hệ thống nhận (webhook)"),
        model="webhooks.Delivery",
        pending=("queued", "sending"),
        failed="failed",
    ),
    Outbox(
        key="national_sync",
        label=_("Đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia"),
        model="national.SyncMessage",
        pending=("pending",),
        failed="rejected",
    ),
)


@dataclass(frozen=True)
class OutboxFigures:
    outbox: Outbox
    pending: int
    failed: int
    oldest_pending_at: datetime | None
    #: Seconds since the oldest pending row's fact, at the time asked (0: nothing pending).
    oldest_pending_age: float


def outbox_figures(*, at: datetime) -> list[OutboxFigures]:
    """Backlog of every outbox at `at`: one aggregate query each, on the (status, …) indexes."""
    rows = []
    for outbox in OUTBOXES:
        model = apps.get_model(outbox.model)
        pending = Q(status__in=outbox.pending)
        figures = model._default_manager.filter(pending | Q(status=outbox.failed)).aggregate(
            pending=Count("pk", filter=pending),
            failed=Count("pk", filter=Q(status=outbox.failed)),
            oldest=Min(outbox.created_field, filter=pending),
        )
        oldest = figures["oldest"]
        rows.append(
            OutboxFigures(
                outbox=outbox,
                pending=figures["pending"],
                failed=figures["failed"],
                oldest_pending_at=oldest,
                oldest_pending_age=max((at - oldest).total_seconds(), 0.0) if oldest else 0.0,
            )
        )
    return rows
