"""Jobs of the core app. Jobs take ids only and are safe to run twice."""

import time

from django.core.cache import cache

from onestop_tayninh.core.monitoring.records import record_run

CRON_HEARTBEAT_KEY = "cron:last-heartbeat"


def heartbeat() -> float:
    """Store the time a cron-scheduled job last ran, so monitoring can see the scheduler works."""
    now = time.time()
    cache.set(CRON_HEARTBEAT_KEY, now, timeout=None)
    return now


def run_periodic(name: str) -> object:
    """Run the periodic job declared as `name` in core/cron.py, recording the run for the desk.

    Both the scheduler and the desk's "run now" enqueue this, so every run is recorded the same
    way. A failure is recorded and re-raised: RQ still puts the job in its failed registry.
    """
    # Imported here: the declaration imports this module to register run_periodic.
    from onestop_tayninh.core.cron import periodic_job

    job = periodic_job(name)
    with record_run(name):
        return job.func()


def run_tasks(task_ids: list[int]) -> dict[str, int]:
    """Run task outbox rows (core.models.Task); rows already claimed, done or failed are skipped."""
    from onestop_tayninh.core.services import tasks_run

    return tasks_run(task_ids=task_ids)


def dispatch_tasks() -> int:
    """Hand due task rows that no job carries to RQ (after a Redis outage, or a worker that died)."""
    from django.utils import timezone

    from onestop_tayninh.core.services import tasks_dispatch_due

    return tasks_dispatch_due(at=timezone.now())
