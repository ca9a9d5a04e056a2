"""Reads of the national sync: the reconciliation (dossiers not yet synced, the share synced) that the
desk shows and indicator 1.4 reads (reports.selectors), and the catalogue changes' dates that
indicator 1.1 reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from onestop_tayninh.dossiers.models import Dossier

from .constants import UPDATE_WITHIN, ChangeStatus, SyncStatus
from .models import ProcedureChange, SyncMessage


def _not_accepted() -> Exists:
    return Exists(SyncMessage.objects.filter(dossier_id=OuterRef("pk")).exclude(status=SyncStatus.ACCEPTED))


def _any_message() -> Exists:
    return Exists(SyncMessage.objects.filter(dossier_id=OuterRef("pk")))


def unsynced_dossiers(dossiers: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Received dossiers whose latest change the national portal has not accepted: a message still
    waiting or rejected, or no message at all (received before the sync began). Oldest change first."""
    rows = (dossiers if dossiers is not None else Dossier.objects.all()).filter(code__isnull=False)
    return (
        rows.filter(_not_accepted() | ~_any_message())
        .select_related("procedure_version__procedure")
        .order_by("updated_at", "pk")
    )


def never_synced() -> QuerySet[Dossier]:
    """Received dossiers with no message at all: received before the sync began."""
    return Dossier.objects.filter(code__isnull=False).exclude(_any_message())


def sync_share(dossiers: QuerySet[Dossier] | None = None) -> dict[str, int]:
    """Of the received dossiers (all, or those given): how many, and how many the national portal has
    in their latest state (every message accepted). Indicator 1.4 divides the two."""
    rows = (dossiers if dossiers is not None else Dossier.objects.all()).filter(code__isnull=False)
    received = rows.count()
    synced = rows.filter(_any_message()).exclude(_not_accepted()).count()
    return {"received": received, "synced": synced}


def messages_of(dossier_ids: list[int]) -> dict[int, dict[str, Any]]:
    """dossier id → its messages waiting, its rejected message (if any) with the portal's reason."""
    out: dict[int, dict[str, Any]] = {pk: {"waiting": 0, "rejected": None} for pk in dossier_ids}
    messages = (
        SyncMessage.objects.filter(dossier_id__in=dossier_ids)
        .exclude(status=SyncStatus.ACCEPTED)
        .order_by("dossier_id", "seq")
    )
    for message in messages:
        row = out[message.dossier_id]
        if message.status == SyncStatus.REJECTED and row["rejected"] is None:
            row["rejected"] = message
        else:
            row["waiting"] += 1
    return out


def status_counts() -> dict[str, int]:
    """Messages by status, for the desk's summary."""
    counts = dict(SyncMessage.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in SyncStatus.values}


def late_catalogue_updates(*, at: dt.datetime, procedure_ids: list[int] | None = None) -> set[int]:
    """Procedures with a national change flagged more than UPDATE_WITHIN before `at` and still not
    published (nor dismissed): their published version is out of date, not "publicised in full" (1.1)."""
    changes = ProcedureChange.objects.filter(
        procedure__isnull=False, status=ChangeStatus.FLAGGED, flagged_at__lt=at - UPDATE_WITHIN
    )
    if procedure_ids is not None:
        changes = changes.filter(procedure_id__in=procedure_ids)
    return set(changes.values_list("procedure_id", flat=True))
