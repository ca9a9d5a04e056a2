"""Jobs the metrics tests enqueue for a real worker process (kept apart from the test module, which a
worker would otherwise import with all its fixtures)."""

import structlog

log = structlog.get_logger("tests.metrics_jobs")


def failing_job() -> None:
    log.info("failing_job_started")
    raise RuntimeError("máy chủ nhận không phản hồi")


def waiting_job() -> None:
    """Enqueued on a queue no test worker listens to: it stays queued."""
