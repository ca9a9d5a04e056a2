"""Reads of the notifications app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import DeskNotification

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User

BELL_ITEMS = 8


def desk_bell(user: User) -> dict:
    """Unread count and the latest notices for the bell in the desk header (two queries)."""
    if not user.is_authenticated:
        return {"unread": 0, "items": []}
    notices = DeskNotification.objects.filter(user=user)
    return {
        "unread": notices.filter(read_at__isnull=True).count(),
        "items": list(
            notices.select_related("message", "message__dossier").order_by("-created_at", "-pk")[:BELL_ITEMS]
        ),
    }
