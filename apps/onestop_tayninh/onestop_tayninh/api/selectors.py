"""Reads of the API: the published catalogue and the dossiers a client may see (`visible_to` its account)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Min, QuerySet

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.catalog.constants import VersionStatus
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.core.rowlevel import reads_dossiers, visible_agency_id_list
from onestop_tayninh.dossiers.models import Dossier, DossierAccess, DossierEvent

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


def _lookups(filters: dict[str, Any]) -> dict[str, Any]:
    """The list's filters as lookups on the dossier."""
    lookups: dict[str, Any] = {}
    if filters.get("status"):
        lookups["status"] = filters["status"]
    if filters.get("state"):
        lookups["state__code"] = filters["state"]
    if filters.get("procedure"):
        # The procedure's versions first (a handful of ids), so that each dossier the page reads is
        # tested on its own column, without two joins into the catalogue per row.
        lookups["procedure_version_id__in"] = list(
            ProcedureVersion.objects.filter(procedure__code=filters["procedure"]).values_list("pk", flat=True)
        )
    if filters.get("received_from"):
        lookups["received_at__gte"] = _day_start(filters["received_from"])
    if filters.get("received_to"):
        lookups["received_at__lt"] = _day_start(filters["received_to"] + dt.timedelta(days=1))
    if filters.get("updated_since"):
        lookups["updated_at__gte"] = filters["updated_since"]
    return lookups


def client_dossiers(user: User, filters: dict[str, Any]) -> QuerySet[Dossier]:
    """The dossiers `user` (a client's account) may see, filtered; the row-level rule is `visible_to`."""
    return Dossier.objects.visible_to(user).filter(**_lookups(filters))


def client_dossier_ids(user: User, filters: dict[str, Any], *, before: int | None, size: int) -> list[int]:
    """The ids of one page of `client_dossiers`, newest first, below `before`: the same dossiers, read
    from the agencies' side as `dossiers.selectors.overdue_for` reads them.

    `visible_to` asks, for each dossier, whether one of its DossierAccess rows is at an agency in reach;
    MariaDB answers by first collecting every access row of those agencies (the provincial centre's:
    120,000 at a million dossiers, 130 ms) before the 50 newest are found. Read from (agency, dossier)
    in descending order instead, a page is the newest of the agencies' own rows, joined to their
    dossiers by key for the filters; the dossiers assigned to the account (the rule's other half) are
    read from their own index and merged. tests/api/test_reads.py holds both readings equal.
    """
    if not reads_dossiers(user):
        return []
    lookups = _lookups(filters)
    dossiers = Dossier.objects.filter(**lookups)
    if before is not None:
        dossiers = dossiers.filter(pk__lt=before)
    if "received_at__lt" in lookups:
        # A period that ended: its dossiers lie between the first and last id received in it (read from
        # the received_at index alone), so the page's scan starts there instead of at today's dossiers.
        # A period open to today needs no bound: its dossiers are the newest.
        bounds = Dossier.objects.filter(
            **{key: value for key, value in lookups.items() if key.startswith("received_at__")}
        ).aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["high"] is None:
            return []
        dossiers = dossiers.filter(pk__range=(bounds["low"], bounds["high"]))
    agencies = visible_agency_id_list(user, dossiers=True)
    if agencies is None:
        return list(dossiers.order_by("-pk").values_list("pk", flat=True)[:size])
    at_agencies = DossierAccess.objects.filter(
        agency_id__in=agencies, **{f"dossier__{k}": v for k, v in lookups.items()}
    )
    if before is not None:
        at_agencies = at_agencies.filter(dossier_id__lt=before)
    if "received_at__lt" in lookups:
        at_agencies = at_agencies.filter(dossier_id__gte=bounds["low"], dossier_id__lte=bounds["high"])
    newest = at_agencies.order_by("-dossier_id").values_list("dossier_id", flat=True)
    # One agency has one row per dossier; DISTINCT there would make MariaDB collect every row of the
    # agency in a temporary table first (360 ms for the centre's), where the range alone stops at `size`.
    ids = set((newest if len(agencies) == 1 else newest.distinct())[:size])
    ids.update(dossiers.filter(assigned_to=user).order_by("-pk").values_list("pk", flat=True)[:size])
    return sorted(ids, reverse=True)[:size]


def dossiers_by_ids(ids: list[int]) -> list[Dossier]:
    rows = Dossier.objects.filter(pk__in=ids).select_related(
        "procedure_version__procedure", "receiving_agency", "current_agency", "state"
    )
    found = {row.pk: row for row in rows}
    return [found[pk] for pk in ids if pk in found]


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
