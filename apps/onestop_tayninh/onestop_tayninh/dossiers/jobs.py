"""RQ jobs of the dossiers app: ids only, one service call, safe to run twice."""

from __future__ import annotations

from django.utils import timezone


def intake_files_housekeeping() -> int:
    """Nightly (core/cron.py): files kept for a receipt form that was never completed go after a day."""
    from .services import intake_files_housekeeping as housekeeping

    return housekeeping(now=timezone.now())
