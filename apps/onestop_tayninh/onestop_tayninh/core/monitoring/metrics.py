"""Prometheus metrics, served at /metrics (core.views.metrics) to the monitoring networks only.

Two kinds:

- **Written by the process that sees the event**: request latency (`middleware.RequestMetricsMiddleware`,
  gunicorn workers), job durations and failures (`core.rqworker.OnestopWorker`, the RQ worker's main
  process), cron job durations (the same). With several processes, prometheus_client's multiprocess
  mode keeps each process's values in files under `PROMETHEUS_MULTIPROC_DIR`, which must be set before
  prometheus_client is first imported: gunicorn.conf.py sets it for the web (`<ONESTOP_METRICS_DIR>/web`),
  the worker units for each worker (`<ONESTOP_METRICS_DIR>/worker-<n>`). A scrape merges the files of
  every directory under ONESTOP_METRICS_DIR, so one scrape of any web worker reports them all. Without
  ONESTOP_METRICS_DIR (development) a process reports only its own values.
- **Read at scrape time** (`FiguresCollector`): queue lengths, failed job registries, outbox backlogs,
  the periodic jobs' last runs and whatever another component registered (`gauges`): the same functions
  the desk's monitoring page calls (`figures`, `records.last_runs`).
"""

from __future__ import annotations

import glob
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from redis.exceptions import RedisError

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from . import gauges
from .compaction import add_up, directory_lock, summable, write_file
from .figures import OutboxFigures, QueueFigures, outbox_figures, queue_figures
from .records import LastRun, last_runs

logger = logging.getLogger("onestop_tayninh.core.monitoring")

#: The text format every Prometheus reads; our names need none of 1.0.0's escaping, so the body is the same.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

#: This process's metrics, when it is not in multiprocess mode (development, a test process).
PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)

# Web requests: the README's targets ("Hiệu năng") sit at 50, 100 and 150 ms; gunicorn kills a request
# at 60 s. Every bucket is a series per view, method and status class in every worker's file, read at
# each scrape (bench/metrics.py), so no more of them than the targets need.
REQUEST_BUCKETS = (0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0)
# Jobs: from a few milliseconds (a heartbeat) to RQ's 600 s timeout (a report of a whole province).
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

REQUEST_LATENCY = Histogram(
    "onestop_http_request_duration_seconds",
    "Time to answer a request, by view (the URL pattern's name, not the path), method and status class.",
    ["view", "method", "status"],
    buckets=REQUEST_BUCKETS,
    registry=PROCESS_REGISTRY,
)
JOB_DURATION = Histogram(
    "onestop_rq_job_duration_seconds",
    "Time an RQ job took in the worker (its work-horse included), by queue and job function.",
    ["queue", "job"],
    buckets=JOB_BUCKETS,
    registry=PROCESS_REGISTRY,
)
JOB_FAILURES = Counter(
    "onestop_rq_job_failures",
    "RQ job runs that did not finish (raised, killed, stopped or sent to retry), by queue and job function.",
    ["queue", "job"],
    registry=PROCESS_REGISTRY,
)
CRON_DURATION = Histogram(
    "onestop_cron_job_duration_seconds",
    "Time a periodic job of core/cron.py took, by its name (deadline-scan, …), failed runs included.",
    ["name"],
    buckets=JOB_BUCKETS,
    registry=PROCESS_REGISTRY,
)
CRON_FAILURES = Counter(
    "onestop_cron_job_failures",
    "Runs of a periodic job of core/cron.py that did not finish, by its name.",
    ["name"],
    registry=PROCESS_REGISTRY,
)


def _gauge(name: str, documentation: str, labelname: str, values: Iterable[tuple[str, float]]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[labelname])
    for labelvalue, value in values:
        family.add_metric([labelvalue], value)
    return family


class FiguresCollector(Collector):
    """What is read at scrape time; a source that does not answer is reported down, never a 500."""

    def collect(self) -> Iterator[Metric]:
        # Here, not at the top: the cron table imports every app's jobs, and the middleware imports this module.
        from onestop_tayninh.core import cron

        at = timezone.now()
        up = GaugeMetricFamily(
            "onestop_metrics_source_up", "Whether the scrape could read a source (redis, database).", labels=["source"]
        )
        try:
            queues = queue_figures()
            runs = last_runs(job.name for job in cron.PERIODIC_JOBS)
        except RedisError:
            logger.warning("metrics_redis_unavailable", exc_info=True)
            up.add_metric(["redis"], 0)
        else:
            up.add_metric(["redis"], 1)
            yield from self._queues(queues)
            yield from self._cron(runs)
        try:
            outboxes = outbox_figures(at=at)
        except DatabaseError:
            logger.warning("metrics_database_unavailable", exc_info=True)
            up.add_metric(["database"], 0)
        else:
            up.add_metric(["database"], 1)
            yield from self._outboxes(outboxes)
        yield up
        yield from self._registered()

    @staticmethod
    def _queues(queues: list[QueueFigures]) -> Iterator[Metric]:
        yield _gauge(
            "onestop_rq_queue_jobs", "Jobs waiting in the RQ queue.", "queue", ((q.name, q.queued) for q in queues)
        )
        yield _gauge(
            "onestop_rq_failed_jobs",
            "Jobs in the queue's failed job registry.",
            "queue",
            ((q.name, q.failed) for q in queues),
        )
        yield _gauge(
            "onestop_rq_started_jobs", "Jobs a worker is running.", "queue", ((q.name, q.started) for q in queues)
        )
        yield _gauge(
            "onestop_rq_scheduled_jobs",
            "Jobs waiting for their time (retries, enqueue_in).",
            "queue",
            ((q.name, q.scheduled) for q in queues),
        )
        yield _gauge(
            "onestop_rq_workers", "Workers listening on the queue.", "queue", ((q.name, q.workers) for q in queues)
        )

    @staticmethod
    def _outboxes(outboxes: list[OutboxFigures]) -> Iterator[Metric]:
        yield _gauge(
            "onestop_outbox_pending",
            "Outbox rows not done yet (waiting, or handed to a worker that has not finished).",
            "outbox",
            ((row.outbox.key, row.pending) for row in outboxes),
        )
        yield _gauge(
            "onestop_outbox_oldest_pending_age_seconds",
            "Age of the oldest pending outbox row, from the fact it carries (0: none pending).",
            "outbox",
            ((row.outbox.key, row.oldest_pending_age) for row in outboxes),
        )
        yield _gauge(
            "onestop_outbox_failed",
            "Outbox rows given up on (failed, or rejected by the national portal).",
            "outbox",
            ((row.outbox.key, row.failed) for row in outboxes),
        )

    @staticmethod
    def _cron(runs: dict[str, LastRun | None]) -> Iterator[Metric]:
        recorded = {name: run for name, run in runs.items() if run is not None}
        yield _gauge(
            "onestop_cron_last_success_timestamp_seconds",
            "When the periodic job last finished without error (Unix time; absent: never).",
            "name",
            ((name, run.last_ok_at.timestamp()) for name, run in recorded.items() if run.last_ok_at),
        )
        yield _gauge(
            "onestop_cron_last_duration_seconds",
            "How long the periodic job's last finished run took.",
            "name",
            ((name, run.duration) for name, run in recorded.items() if run.duration is not None),
        )
        yield _gauge(
            "onestop_cron_last_run_failed",
            "1 when the periodic job's last finished run failed.",
            "name",
            ((name, float(run.status == "failed")) for name, run in recorded.items() if run.status != "running"),
        )

    @staticmethod
    def _registered() -> Iterator[Metric]:
        families: dict[str, GaugeMetricFamily] = {}
        for value in gauges.read_all():
            gauge = value.gauge
            if gauge.name not in families:
                labels = [gauge.labelname] if gauge.labelname else None
                families[gauge.name] = GaugeMetricFamily(gauge.name, gauge.documentation, labels=labels)
            family = families[gauge.name]
            if gauge.labelname:
                family.add_metric([value.labelvalue], value.value)
            else:
                family.add_metric([], value.value)
        yield from families.values()


class FilesCollector(Collector):
    """The multiprocess files of several directories (the web's, each worker's), merged as one.

    Each directory's lock is held shared while its files are read, so a dead worker's files being
    folded into the archive (compaction.py) are never read half-way. Counters and histograms are first
    added up by sample across the files, which is cheap, and only the sums go through
    prometheus_client's merge, which is not: per file it costs a parse and an accumulation of every
    sample, most of a scrape's time with eight workers (bench/metrics.py).
    """

    def __init__(self, directories: list[str]) -> None:
        self.directories = directories

    def collect(self) -> Iterable[Metric]:
        by_kind: dict[str, list[str]] = {}
        others: list[str] = []
        with ExitStack() as locks:
            for directory in self.directories:
                locks.enter_context(directory_lock(directory, exclusive=False))
            for directory in self.directories:
                for path in glob.glob(os.path.join(directory, "*.db")):
                    kind = summable(path)
                    if kind:
                        by_kind.setdefault(kind, []).append(path)
                    else:
                        others.append(path)
            sums = {kind: add_up(paths) for kind, paths in by_kind.items()}
            with tempfile.TemporaryDirectory(prefix="onestop-scrape-") as staging:
                files = list(others)
                for kind, totals in sums.items():
                    files.append(os.path.join(staging, f"{kind}_sum.db"))
                    write_file(files[-1], totals)
                merged: Iterable[Metric] = MultiProcessCollector.merge(files, accumulate=True)  # type: ignore[no-untyped-call]
        return merged


def multiprocess_mode() -> bool:
    """Whether this process writes its metrics to files (decided when prometheus_client was imported)."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def metrics_directories() -> list[str]:
    """The directories a scrape reads: every one under ONESTOP_METRICS_DIR, else this process's own."""
    root = settings.ONESTOP_METRICS_DIR
    if root:
        return sorted(path for path in glob.glob(os.path.join(root, "*")) if os.path.isdir(path))
    own = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    return [own] if own else []


def exposition() -> bytes:
    """The text a scrape returns (Prometheus text format 0.0.4, CONTENT_TYPE)."""
    registry = CollectorRegistry(auto_describe=False)
    directories = metrics_directories()
    if directories:
        registry.register(FilesCollector(directories))
    if not multiprocess_mode():
        registry.register(PROCESS_REGISTRY)
    registry.register(FiguresCollector())
    return generate_latest(registry)
