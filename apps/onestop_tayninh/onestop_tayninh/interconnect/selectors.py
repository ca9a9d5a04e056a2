"""Reads of the interconnect app."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Handover, ReceivedHandover


def dossier_handovers(dossier_id: int) -> QuerySet[Handover]:
    """The hand-overs of one of our dossiers to other installations."""
    return Handover.objects.filter(dossier_id=dossier_id).select_related("peer", "sent_by")


def received_for(dossier_id: int) -> ReceivedHandover | None:
    """Where a dossier of ours came from, when another installation handed it over."""
    return ReceivedHandover.objects.filter(dossier_id=dossier_id).select_related("peer").first()
