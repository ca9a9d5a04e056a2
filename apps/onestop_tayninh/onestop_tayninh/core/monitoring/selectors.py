"""Reads for the monitoring page: declared cron jobs with their next and last runs, RQ queues, outboxes,
registered gauges, schedulers. The figures /metrics exports too come from the same functions (figures.py,
records.last_runs, gauges.read_all)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import croniter
from django_rq.settings import get_queues_map
from django_rq.utils import get_cron_schedulers
from redis.exceptions import RedisError
from rq import Queue

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core import cron
from onestop_tayninh.core.cron import PeriodicJob

from ..constants import TaskStatus
from ..models import Task
from . import gauges
from .figures import OutboxFigures, QueueFigures, outbox_figures, queue_figures
from .records import LastRun, RunStatus, last_runs

logger = logging.getLogger("onestop_tayninh.core.monitoring")

#: Schedules are shown in Vietnam time whatever the server's or the user's time zone.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
#: Slack past the job timeout before a run still "running" is called stalled (the worker's own kill, clocks).
STALL_MARGIN_SECONDS = 60


def next_run(expression: str, *, at: datetime) -> datetime:
    """When RQ's cron scheduler next enqueues a job with this expression (read in UTC, as RQ does), in Vietnam time."""
    return croniter(expression, at.astimezone(UTC)).get_next(datetime).astimezone(VIETNAM)


def duration_display(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1:
        return gettext("%(n)s ms") % {"n": round(seconds * 1000)}
    if seconds < 60:
        return gettext("%(n)s giây") % {"n": f"{seconds:.1f}".replace(".", ",")}
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return gettext("%(h)s giờ %(m)s phút") % {"h": hours, "m": minutes}
    return gettext("%(m)s phút %(s)s giây") % {"m": minutes, "s": secs}


@dataclass(frozen=True)
class CronJobRow:
    job: PeriodicJob
    next_run: datetime
    last: LastRun | None
    #: django-rq's index of the job's queue, for links into /desk/rq/ (None: not a configured queue).
    queue_index: int | None
    #: Still "running" long after the job timeout: its worker most likely died mid-run (no end was recorded).
    stalled: bool = False

    @property
    def duration_display(self) -> str:
        return duration_display(self.last.duration if self.last else None)

    @property
    def last_ok_at(self) -> datetime | None:
        return self.last.last_ok_at if self.last else None

    @property
    def func_path_parts(self) -> list[str]:
        """The function's dotted path in pieces, so a narrow column breaks it at the dots."""
        return self.job.func_path.split(".")


@dataclass(frozen=True)
class SchedulerRow:
    name: str
    hostname: str
    pid: int
    created_at: datetime | None
    last_heartbeat: datetime | None
    connection_index: int | None


#: What each kind of outbox task does, in words; named by dotted path, as the apps write them
#: (core sits below the apps and imports none of them).
TASK_LABELS = {
    "onestop_tayninh.zalo.jobs.event_process": _("Xử lý sự kiện Zalo (tin nhắn, ảnh công dân gửi)"),
    "onestop_tayninh.payments.jobs.receipt_render": _("In biên lai thu phí, lệ phí điện tử"),
    "onestop_tayninh.payments.jobs.refund_send": _("Gửi yêu cầu hoàn trả phí qua cổng thanh toán"),
}


@dataclass(frozen=True)
class TaskRow:
    func: str
    label: str
    queued: int
    running: int
    failed: int
    oldest_queued_at: datetime | None


def task_rows() -> list[TaskRow]:
    """The outbox's tasks not done, by kind: the queues written in the database (the Zalo queue among them),
    which the RQ queues below only carry once handed over."""
    rows = (
        Task.objects.exclude(status=TaskStatus.DONE)
        .values("func")
        .annotate(
            queued=Count("pk", filter=Q(status=TaskStatus.QUEUED)),
            running=Count("pk", filter=Q(status=TaskStatus.RUNNING)),
            failed=Count("pk", filter=Q(status=TaskStatus.FAILED)),
            oldest_queued_at=Min("created_at", filter=Q(status=TaskStatus.QUEUED)),
        )
        .order_by("func")
    )
    return [
        TaskRow(
            func=row["func"],
            label=str(TASK_LABELS.get(row["func"], row["func"])),
            queued=row["queued"],
            running=row["running"],
            failed=row["failed"],
            oldest_queued_at=row["oldest_queued_at"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class OutboxRow:
    figures: OutboxFigures

    @property
    def age_display(self) -> str:
        return duration_display(self.figures.oldest_pending_age) if self.figures.pending else ""


@dataclass
class Overview:
    at: datetime
    cron_jobs: list[CronJobRow]
    queues: list[QueueFigures] = field(default_factory=list)
    schedulers: list[SchedulerRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    outboxes: list[OutboxRow] = field(default_factory=list)
    #: Gauges another component registered (the replica's lag), as /metrics exports them.
    gauges: list[gauges.GaugeValue] = field(default_factory=list)
    #: Redis did not answer: last runs, queues and schedulers are unknown.
    redis_error: bool = False

    @property
    def scheduler(self) -> SchedulerRow | None:
        """The live scheduler whose django-rq pages the cron jobs link to (their enqueue history)."""
        return next((row for row in self.schedulers if row.connection_index is not None), None)


def _stalled(job: PeriodicJob, last: LastRun | None, *, at: datetime) -> bool:
    if last is None or last.status != RunStatus.RUNNING or last.started_at is None:
        return False
    timeout = settings.RQ_QUEUES.get(job.queue, {}).get("DEFAULT_TIMEOUT") or Queue.DEFAULT_TIMEOUT
    return (at - last.started_at).total_seconds() > timeout + STALL_MARGIN_SECONDS


def cron_job_rows(*, at: datetime, runs: dict[str, LastRun | None] | None = None) -> list[CronJobRow]:
    runs = runs or {}
    queues = get_queues_map()
    return [
        CronJobRow(
            job=job,
            next_run=next_run(job.cron, at=at),
            last=runs.get(job.name),
            queue_index=queues.get(job.queue),
            stalled=_stalled(job, runs.get(job.name), at=at),
        )
        for job in cron.PERIODIC_JOBS
    ]


def _scheduler_rows() -> list[SchedulerRow]:
    rows = []
    for scheduler in get_cron_schedulers():
        try:
            connection_index: int | None = scheduler.connection_index
        except ValueError:
            connection_index = None
        rows.append(
            SchedulerRow(
                name=scheduler.name,
                hostname=scheduler.hostname,
                pid=scheduler.pid,
                created_at=scheduler.created_at,
                last_heartbeat=scheduler.last_heartbeat,
                connection_index=connection_index,
            )
        )
    return sorted(rows, key=lambda row: row.last_heartbeat or datetime.min.replace(tzinfo=UTC), reverse=True)


def monitoring_overview(*, at: datetime) -> Overview:
    """Everything the page shows; when Redis is down, the declared jobs and their next runs still are."""
    database = {
        "tasks": task_rows(),
        "outboxes": [OutboxRow(figures) for figures in outbox_figures(at=at)],
        "gauges": gauges.read_all(),
    }
    try:
        runs = last_runs(job.name for job in cron.PERIODIC_JOBS)
        queues = queue_figures()
        schedulers = _scheduler_rows()
    except RedisError:
        logger.warning("monitoring_redis_unavailable", exc_info=True)
        return Overview(at=at, cron_jobs=cron_job_rows(at=at), redis_error=True, **database)
    return Overview(at=at, cron_jobs=cron_job_rows(at=at, runs=runs), queues=queues, schedulers=schedulers, **database)
