"""Reads of the API: the published catalogue and the dossiers a client may see (`visible_to` its account)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.catalog.constants import VersionStatus
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.dossiers.models import Dossier, DossierEvent

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User


def catalogue_versions() -> QuerySet[ProcedureVersion]:
    """The published catalogue: every procedure's version in force."""
    return ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("procedure", "sector")


def procedure_versions(code: str) -> QuerySet[ProcedureVersion]:
    """A procedure's versions that were ever published (in force and retired), never its drafts."""
    return ProcedureVersion.objects.filter(
        procedure__code=code, status__in=(VersionStatus.PUBLISHED, VersionStatus.RETIRED)
    ).select_related("procedure", "sector")


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=VIETNAM_TZ)


def client_dossiers(user: User, filters: dict[str, Any]) -> QuerySet[Dossier]:
    """The dossiers `user` (a client's account) may see, filtered; the row-level rule is `visible_to`."""
    dossiers = Dossier.objects.visible_to(user).select_related(
        "procedure_version__procedure", "receiving_agency", "current_agency", "state"
    )
    if filters.get("status"):
        dossiers = dossiers.filter(status=filters["status"])
    if filters.get("state"):
        dossiers = dossiers.filter(state__code=filters["state"])
    if filters.get("procedure"):
        dossiers = dossiers.filter(procedure_version__procedure__code=filters["procedure"])
    if filters.get("received_from"):
        dossiers = dossiers.filter(received_at__gte=_day_start(filters["received_from"]))
    if filters.get("received_to"):
        dossiers = dossiers.filter(received_at__lt=_day_start(filters["received_to"] + dt.timedelta(days=1)))
    if filters.get("updated_since"):
        dossiers = dossiers.filter(updated_at__gte=filters["updated_since"])
    return dossiers


def dossier_for(user: User, pk: int) -> Dossier | None:
    return (
        Dossier.objects.visible_to(user)
        .select_related("procedure_version__procedure", "receiving_agency", "current_agency", "state")
        .prefetch_related("documents")
        .filter(pk=pk)
        .first()
    )


def dossier_events(dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor", "from_state", "to_state", "from_agency", "to_agency")
