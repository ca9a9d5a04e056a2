"""Jobs of the core app. Jobs take ids only and are safe to run twice."""

import time

from django.core.cache import cache

CRON_HEARTBEAT_KEY = "cron:last-heartbeat"


def heartbeat() -> float:
    """Store the time a cron-scheduled job last ran, so monitoring can see the scheduler works."""
    now = time.time()
    cache.set(CRON_HEARTBEAT_KEY, now, timeout=None)
    return now
