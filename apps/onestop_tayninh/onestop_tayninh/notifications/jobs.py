"""RQ jobs of the notifications app: ids only, one service each, safe to run twice.

Scheduled in core/cron.py: dispatch_due every minute, deadline_scan every 15 minutes.
send_messages is enqueued (on commit) by the services.
"""

from __future__ import annotations

from django.utils import timezone

from . import deadlines, services


def send_messages(message_ids: list[int]) -> dict[str, int]:
    """Send outbox rows; rows already claimed, sent or failed are skipped."""
    return services.messages_send(message_ids=message_ids)


def dispatch_due() -> int:
    """Recover sends whose worker died and enqueue queued rows that no job carries."""
    return services.messages_dispatch_due(at=timezone.now())


def deadline_scan() -> dict[str, int]:
    """Due-soon / overdue marks, notices, escalation and Form 04 drafts (set-based, idempotent)."""
    return deadlines.deadline_scan(at=timezone.now())
