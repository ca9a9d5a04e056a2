"""RQ jobs of the national sync: safe to run twice (rows are locked and claimed by the services).

Scheduled in core/cron.py: push_due every minute (the safety net after a Redis or portal outage; a
commit also queues it), catalogue_pull every hour.
"""

from __future__ import annotations

from django.utils import timezone

from . import services


def push_due() -> dict[str, int]:
    """Push every due message to the national portal, in order per dossier."""
    return services.sync_push_due(at=timezone.now())


def catalogue_pull() -> int:
    """Read the National Database's procedure changes and flag those that differ from our catalogue."""
    return services.catalogue_pull(at=timezone.now())
