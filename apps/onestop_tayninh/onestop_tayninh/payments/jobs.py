"""RQ jobs of the payments app: take ids, call one service, safe to run twice."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import services
from .registry import online_providers


def receipt_render(*, receipt_id: int) -> None:
    """Draw the receipt's PDF and keep it with the dossier and in the payer's vault."""
    from .receipts import receipt_render as render

    render(receipt_id=receipt_id)


def refund_send(*, refund_id: int) -> None:
    services.refund_send(refund_id=refund_id, at=timezone.now())


def payments_settle() -> int:
    """Cron: ask the providers about transactions whose notification has not come."""
    return services.pending_settle(at=timezone.now())


def payments_reconcile(day: str | None = None) -> int:
    """Cron, daily: yesterday's transactions of every online provider against its list."""
    target = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    runs = 0
    for provider in online_providers():
        services.reconcile(provider_code=provider.code, day=target, at=timezone.now())
        runs += 1
    return runs
