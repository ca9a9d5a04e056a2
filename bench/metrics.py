"""What /metrics costs (core/monitoring/metrics.py), in prometheus_client's multiprocess mode as in production:

- a request: the latency middleware's `labels(...).observe(...)`, written to the worker's mmap file;
- a scrape: eight live gunicorn workers' files (60 views each, with GET and POST and every status class:
  480 series, more than a day's traffic gives) and one RQ worker's (40 job functions, 17 cron names)
  merged, after 40 recycled workers' files were folded into the archive as gunicorn's child_exit does
  (core/monitoring/compaction.py), plus the figures read at scrape time (RQ queues in Redis, the four
  outboxes' aggregates on the bench database). Target p95 < 500 ms: Prometheus scrapes every 15 s and
  gives up after 10 s; a scrape holds one gunicorn worker meanwhile.

Each process is a subprocess with its own PROMETHEUS_MULTIPROC_DIR, since the mode is chosen when
prometheus_client is imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from bench.common import REPO, measure, report

WEB_WORKERS = 8
RECYCLED_WORKERS = 40
VIEWS = 60
OBSERVATIONS = 100_000

WRITER = """
import os, sys, time
sys.path.insert(0, {apps!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop_tayninh.conf.bench")
import django
django.setup()
from onestop_tayninh.core.monitoring import metrics
kind = sys.argv[1]
if kind == "web":
    print(os.getpid())
    for view in range({views}):
        for method in ("GET", "POST"):
            for status in ("2xx", "3xx", "4xx", "5xx"):
                metrics.REQUEST_LATENCY.labels(view=f"admin:app_model{{view}}", method=method, status=status).observe(0.05)
elif kind == "worker":
    for job in range(40):
        metrics.JOB_DURATION.labels(queue="default", job=f"onestop_tayninh.app.jobs.job{{job}}").observe(1.5)
        metrics.JOB_FAILURES.labels(queue="default", job=f"onestop_tayninh.app.jobs.job{{job}}").inc()
    for name in range(17):
        metrics.CRON_DURATION.labels(name=f"cron-{{name}}").observe(2.0)
else:
    started = time.perf_counter()
    for _ in range({observations}):
        metrics.REQUEST_LATENCY.labels(view="portal:home", method="GET", status="2xx").observe(0.02)
    print((time.perf_counter() - started) / {observations} * 1e6)
"""


def _run(kind: str, directory: str) -> str:
    code = WRITER.format(apps=str(REPO / "apps" / "onestop_tayninh"), views=VIEWS, observations=OBSERVATIONS)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": directory}
    done = subprocess.run(  # noqa: S603 - this module's own code
        [sys.executable, "-c", code, kind], env=env, capture_output=True, text=True, check=True, cwd=REPO
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def run() -> bool:
    from django.conf import settings

    from onestop_tayninh.core.monitoring.compaction import archive_dead_process
    from onestop_tayninh.core.monitoring.metrics import exposition

    with tempfile.TemporaryDirectory(prefix="onestop-metrics-") as root:
        web, worker = os.path.join(root, "web"), os.path.join(root, "worker-1")
        os.makedirs(web)
        os.makedirs(worker)
        for _ in range(RECYCLED_WORKERS):
            archive_dead_process(int(_run("web", web)), web)
        for _ in range(WEB_WORKERS):
            _run("web", web)
        _run("worker", worker)
        per_request_us = float(_run("observe", os.path.join(root, "web")))
        files = len([name for directory in (web, worker) for name in os.listdir(directory) if name.endswith(".db")])

        settings.ONESTOP_METRICS_DIR = root
        started = time.perf_counter()
        size = len(exposition())
        first_ms = (time.perf_counter() - started) * 1000
        figures = measure(exposition, runs=50)
    print(
        f"metrics: a request's observation {per_request_us:.1f} µs; a scrape of {files} files, "
        f"{size // 1024} KB (first {first_ms:.0f} ms)"
    )
    return report("metrics scrape", figures, target_ms=500)
