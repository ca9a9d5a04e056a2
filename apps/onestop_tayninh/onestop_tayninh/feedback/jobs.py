"""RQ jobs of the feedback app: one service each, safe to run twice.

Scheduled in core/cron.py: feedback_deadline_scan every 15 minutes.
"""

from __future__ import annotations

from django.utils import timezone

from . import services


def feedback_deadline_scan() -> dict[str, int]:
    """Escalate each PAKN step past its deadline to the body's heads, once (idempotent)."""
    return services.feedback_deadline_scan(at=timezone.now())
