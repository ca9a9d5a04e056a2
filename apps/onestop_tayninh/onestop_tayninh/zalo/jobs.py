"""RQ jobs of the Zalo app: take ids, call one service, safe to run twice."""

from __future__ import annotations

from django.utils import timezone

from . import services


def event_process(*, event_id: str) -> None:
    """Process one stored Zalo event (its Zalo id, ZaloEvent.event_id)."""
    services.event_process(event_id=event_id, at=timezone.now())
