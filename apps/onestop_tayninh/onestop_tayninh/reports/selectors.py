"""The evaluation's reads for people: which unit a user may ask about, its scorecard for a period,
its catalogue's figures. Row-level (core.rowlevel): a coordinator sees the bodies of their unit (the
province for the provincial coordinator), a head their body; an official's own figures are theirs
and their heads'. Figures are aggregates, but a unit outside the user's reach is refused, never
shown empty.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.models import User
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.catalog.constants import ServiceLevel, VersionStatus
from onestop_tayninh.catalog.models import ProcedureVersion, Sector
from onestop_tayninh.core.rowlevel import reaches_agencies, reaches_beyond_own_agency, visible_agency_id_list
from onestop_tayninh.directory.models import Agency, Official, ReceptionDesk
from onestop_tayninh.feedback.selectors import handling_figures
from onestop_tayninh.national import selectors as national_selectors

from . import indicators
from .calendar_helpers import period_bounds
from .constants import UnitKind
from .facts import OfficeClock
from .figures import Figures, Slice, _sums, period_figures
from .models import DossierFact, RollupBalance
from .periods import Period

#: The permission that opens the dashboards, the indicators of a body and the urging.
DASHBOARD_PERMISSION = "reports.view_dashboard"
URGE_PERMISSION = "reports.send_urging"


class UnitError(LookupError):
    """A unit that does not exist."""


@dataclass(frozen=True)
class Unit:
    kind: str
    pk: int | None
    label: str
    slice: Slice

    @property
    def query(self) -> dict[str, str]:
        return {"don_vi": self.kind, **({"ma": str(self.pk)} if self.pk is not None else {})}


def may_see_dashboards(user: User) -> bool:
    return user.is_authenticated and user.has_perm(DASHBOARD_PERMISSION) and reaches_agencies(user)


def _visible(user: User) -> tuple[int, ...] | None:
    ids = visible_agency_id_list(user)
    return None if ids is None else tuple(ids)


def _require_dashboard(user: User) -> tuple[int, ...] | None:
    if not may_see_dashboards(user):
        raise PermissionDenied(_("Bạn không có quyền xem số liệu đánh giá của cơ quan, đơn vị."))
    return _visible(user)


def top_unit(user: User) -> Unit:
    """Where a user's dashboard starts: the province (or a coordinator's own unit), a head's body."""
    visible = _require_dashboard(user)
    if not reaches_beyond_own_agency(user):
        return unit_for(user, UnitKind.AGENCY, user.official.agency_id)
    return (
        unit_for(user, UnitKind.PROVINCE, None)
        if visible is None or len(visible) != 1
        else unit_for(user, UnitKind.AGENCY, visible[0])
    )


def unit_for(user: User, kind: str, pk: int | None) -> Unit:
    """The unit `kind`/`pk` as `user` may see it; PermissionDenied outside their reach."""
    if kind == UnitKind.OFFICIAL:
        return _official_unit(user, pk)
    visible = _require_dashboard(user)
    if kind == UnitKind.PROVINCE:
        if not reaches_beyond_own_agency(user):
            raise PermissionDenied(_("Số liệu toàn tỉnh chỉ dành cho điều phối viên."))
        # A coordinator's reach is their unit and below: the province's coordinator's is the province.
        home = None if visible is None else user.official.agency.unit
        label = _("Toàn tỉnh") if home is None or home.parent_id is None else str(home)
        return Unit(kind, None, label, Slice(agency_ids=visible))
    if pk is None:
        raise UnitError(kind)
    if kind == UnitKind.AGENCY:
        agency = Agency.objects.filter(pk=pk).first()
        if agency is None:
            raise UnitError(kind)
        if visible is not None and agency.pk not in visible:
            raise PermissionDenied(_("Cơ quan này không thuộc phạm vi bạn được xem."))
        return Unit(kind, pk, agency.name, Slice(agency_ids=(pk,)))
    if kind == UnitKind.DESK:
        desk = ReceptionDesk.objects.filter(pk=pk).first()
        if desk is None:
            raise UnitError(kind)
        if visible is not None and desk.agency_id not in visible:
            raise PermissionDenied(_("Bộ phận này không thuộc phạm vi bạn được xem."))
        return Unit(kind, pk, desk.name, Slice(desk_ids=(pk,)))
    if kind == UnitKind.PROCEDURE:
        version = ProcedureVersion.objects.filter(procedure_id=pk).order_by("-number").first()
        if version is None:
            raise UnitError(kind)
        return Unit(kind, pk, version.name, Slice(agency_ids=visible, procedure_ids=(pk,)))
    if kind == UnitKind.SECTOR:
        sector = Sector.objects.filter(pk=pk).first()
        if sector is None:
            raise UnitError(kind)
        procedures = tuple(
            ProcedureVersion.objects.filter(sector=sector).values_list("procedure_id", flat=True).distinct()
        )
        return Unit(kind, pk, sector.name, Slice(agency_ids=visible, procedure_ids=procedures))
    raise UnitError(kind)


def _official_unit(user: User, pk: int | None) -> Unit:
    official = Official.objects.select_related("user", "agency").filter(user_id=pk).first() if pk else None
    if official is None:
        raise UnitError(UnitKind.OFFICIAL)
    if official.user_id != user.pk:
        visible = _require_dashboard(user)
        if visible is not None and official.agency_id not in visible:
            raise PermissionDenied(_("Số liệu của một cán bộ chỉ dành cho người đó và lãnh đạo của họ."))
    name = official.user.get_full_name() or official.user.username
    return Unit(UnitKind.OFFICIAL, official.user_id, name, Slice(official_id=official.user_id))


def office_day_seconds() -> int:
    return OfficeClock(get_calendar()).office_day_seconds


def _procedure_ids(unit: Unit) -> list[int] | None:
    """The procedures the unit's catalogue indicators are about; None for every published one."""
    where = unit.slice
    if unit.kind == UnitKind.PROVINCE and where.agency_ids is None:
        return None
    if where.procedure_ids is not None:
        return list(where.procedure_ids)
    if where.official_id is not None:
        return list(
            DossierFact.objects.filter(official_id=where.official_id).values_list("procedure_id", flat=True).distinct()
        )
    if where.desk_ids is not None:
        return list(
            ProcedureVersion.objects.published()
            .filter(receiving_desks__in=where.desk_ids)
            .values_list("procedure_id", flat=True)
            .distinct()
        )
    agencies = list(where.agency_ids or ())
    seen = set(RollupBalance.objects.filter(agency_id__in=agencies).values_list("procedure_id", flat=True))
    named = set(
        ProcedureVersion.objects.published()
        .filter(competent_agency__in=agencies)
        .values_list("procedure_id", flat=True)
    )
    return sorted(seen | named)


def catalogue_figures(unit: Unit, period: Period) -> dict[str, int]:
    """The unit's procedures: published, with every part, offered online, with online dossiers in the
    period, taking online payment, with online payments in the period."""
    catalogue = published_catalogue(_procedure_ids(unit))
    online = {pk for pk, c in catalogue.items() if c["online"]}
    paying = {pk for pk, c in catalogue.items() if c["paying"]}
    activity = _sums(
        unit.slice, period.start, period.end, group="procedure_id", measures=("received_online", "paid_online")
    )
    return {
        "published": len(catalogue),
        "complete": sum(1 for c in catalogue.values() if c["complete"]),
        "online": len(online),
        "online_with_dossiers": sum(1 for pk in online if activity.get(pk, {}).get("received_online")),
        "online_payment": len(paying),
        "paid_online_procedures": sum(1 for pk in paying if activity.get(pk, {}).get("paid_online")),
    }


def published_catalogue(procedure_ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """procedure id → what the catalogue indicators read of its published version: its competent body (a
    named one), offered online (level 3–4), taking online payment for a fee, published with every part."""
    versions = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
    if procedure_ids is not None:
        versions = versions.filter(procedure_id__in=procedure_ids)
    rows = versions.annotate(n_documents=Count("documents"), n_fees=Count("fees", filter=Q(fees__amount__gt=0))).values(
        "procedure_id",
        "competent_agency_id",
        "level",
        "online_payment",
        "steps",
        "legal_basis",
        "processing_amount",
        "n_documents",
        "n_fees",
    )
    # A procedure the National Database changed and we have not published again within the allowed time is
    # out of date: not publicised in full (1.1; national.selectors.late_catalogue_updates).
    late = national_selectors.late_catalogue_updates(at=timezone.now(), procedure_ids=procedure_ids)
    return {
        r["procedure_id"]: {
            "agency": r["competent_agency_id"],
            "online": r["level"] >= ServiceLevel.ONLINE_SUBMISSION,
            "paying": bool(r["online_payment"] and r["n_fees"]),
            "complete": bool(
                r["steps"].strip() and r["legal_basis"].strip() and r["processing_amount"] and r["n_documents"]
            )
            and r["procedure_id"] not in late,
        }
        for r in rows
    }


def feedback_figures(unit: Unit, period: Period) -> dict[str, Any] | None:
    """The unit's handling of citizens' feedback (PAKN), or None for an official's or a desk's figures
    (a PAKN is about a body, not a desk or a person)."""
    start, end = period_bounds(period)
    agency_ids = unit.slice.agency_ids
    if unit.kind == UnitKind.OFFICIAL or unit.slice.desk_ids is not None:
        return None
    figures: dict[str, Any] = handling_figures(agency_ids=agency_ids, start=start, end=end)
    return figures


def unit_inputs(unit: Unit, period: Period, *, channel: str | None = None) -> indicators.Inputs:
    where = replace(unit.slice, channels=(channel,)) if channel else unit.slice
    narrowed = replace(unit, slice=where)
    figures = period_figures(where, period)
    return indicators.Inputs(
        figures=figures,
        catalogue=catalogue_figures(narrowed, period),
        feedback=feedback_figures(narrowed, period),
        office_day_seconds=office_day_seconds(),
        national=national_figures(figures),
    )


def national_figures(figures: Figures) -> dict[str, int]:
    """Indicator 1.4's counts: the dossiers received in the period, and those the national portal has in
    their latest state (each fact's `synced`, kept from national.SyncMessage; reports.facts)."""
    return {"received": figures["received"], "synced": figures["synced"]}


def unit_scorecard(unit: Unit, period: Period, *, channel: str | None = None) -> indicators.Scorecard:
    return indicators.scorecard(unit_inputs(unit, period, channel=channel))


def slice_figures(unit: Unit, period: Period) -> Figures:
    return period_figures(unit.slice, period)
