"""RQ jobs of the webhooks app: ids only, one service each, safe to run twice.

send_deliveries is enqueued on commit by the services; dispatch_due runs every minute (core/cron.py).
"""

from __future__ import annotations

from django.utils import timezone

from . import services


def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Post deliveries; rows already claimed, delivered, failed or not yet due are skipped."""
    return services.deliveries_send(delivery_ids=delivery_ids)


def dispatch_due() -> int:
    """Queue again sends whose worker died; hand due retries and rows no job carries to the workers."""
    return services.deliveries_dispatch_due(at=timezone.now())
