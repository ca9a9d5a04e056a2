"""RQ jobs of the portal; scheduled in core/cron.py."""

from __future__ import annotations

from django.utils import timezone

from .services import drafts_expired_delete


def drafts_housekeeping() -> int:
    """Nightly: remove unsubmitted drafts past their expiry, with the files only they held."""
    return drafts_expired_delete(at=timezone.now())
