"""The last run of each periodic job: one small Redis hash per job name.

Recording is best effort by design: a Redis hiccup while writing a record is logged and
swallowed, so it can never fail (or retry) the job it describes. The job's own exception is
recorded and always re-raised.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import django_rq
from rq import get_current_job

from django.db import models
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("onestop_tayninh.core.monitoring")

KEY_PREFIX = "onestop:cron-run:"
#: Enough to read the cause; the full traceback stays in RQ's failed job registry.
MAX_ERROR_CHARS = 2000


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Đang chạy")
    OK = "ok", _("Thành công")
    FAILED = "failed", _("Thất bại")


def record_key(name: str) -> str:
    return f"{KEY_PREFIX}{name}"


def _connection():
    return django_rq.get_connection("default")


def _current_job_id() -> str:
    job = get_current_job()
    return job.id if job is not None else ""


def _safely(event: str, name: str, write) -> None:
    try:
        write(_connection())
    except Exception:  # a lost record must never fail the job
        logger.warning("%s name=%s", event, name, exc_info=True)


def _describe(exc: BaseException) -> str:
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


@contextmanager
def record_run(name: str) -> Iterator[None]:
    """Record the start, then the end (ok or failed, with the error) of the run inside the block."""
    started_at = time.time()
    started = time.monotonic()
    job_id = _current_job_id()

    def write_start(connection) -> None:
        with connection.pipeline() as pipe:
            pipe.hset(
                record_key(name), mapping={"status": RunStatus.RUNNING, "started_at": started_at, "job_id": job_id}
            )
            pipe.hdel(record_key(name), "finished_at", "duration")
            pipe.execute()

    def write_end(error: str | None) -> None:
        finished_at = time.time()
        fields: dict[str, str | float] = {
            "status": RunStatus.FAILED if error is not None else RunStatus.OK,
            "finished_at": finished_at,
            "duration": round(time.monotonic() - started, 3),
        }
        if error is not None:
            fields.update(last_error=error[:MAX_ERROR_CHARS], last_failed_at=finished_at, last_failed_job_id=job_id)
        else:
            # Kept through later failures: "when did it last work" is what an alert asks.
            fields["last_ok_at"] = finished_at
        _safely("cron_run_record_failed", name, lambda connection: connection.hset(record_key(name), mapping=fields))

    _safely("cron_run_record_failed", name, write_start)
    try:
        yield
    # BaseException too: a worker stopping mid-job (SystemExit, timeouts) ends the run as well.
    except BaseException as exc:
        write_end(_describe(exc))
        raise
    write_end(None)


@dataclass(frozen=True)
class LastRun:
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    #: Seconds, while the last run is not running any more.
    duration: float | None
    job_id: str
    #: The error of the last failed run, kept after later successful runs.
    last_error: str
    last_failed_at: datetime | None
    last_failed_job_id: str
    #: The end of the last successful run, kept after later failed runs.
    last_ok_at: datetime | None = None

    @property
    def status_label(self) -> str:
        return str(RunStatus(self.status).label) if self.status in RunStatus.values else self.status


def _time(value: str | None) -> datetime | None:
    return datetime.fromtimestamp(float(value), tz=UTC) if value else None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _last_run(data: dict) -> LastRun | None:
    if not data:
        return None
    fields = {_text(key): _text(value) for key, value in data.items()}
    duration = fields.get("duration")
    return LastRun(
        status=fields.get("status", ""),
        started_at=_time(fields.get("started_at")),
        finished_at=_time(fields.get("finished_at")),
        duration=float(duration) if duration else None,
        job_id=fields.get("job_id", ""),
        last_error=fields.get("last_error", ""),
        last_failed_at=_time(fields.get("last_failed_at")),
        last_failed_job_id=fields.get("last_failed_job_id", ""),
        last_ok_at=_time(fields.get("last_ok_at")),
    )


def last_runs(names: Iterable[str]) -> dict[str, LastRun | None]:
    """The recorded last run of each name (None: never recorded), in one round trip."""
    names = list(names)
    with _connection().pipeline(transaction=False) as pipe:
        for name in names:
            pipe.hgetall(record_key(name))
        results = pipe.execute()
    return {name: _last_run(data) for name, data in zip(names, results, strict=True)}
