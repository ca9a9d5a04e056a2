"""The periodic statistical report on handling administrative procedures ("Tình hình, kết quả giải quyết
thủ tục hành chính", the form of Circular 01/2020/TT-VPCP; docs/domain.md §9.1): its rows for a unit (the
province, a body, a desk) and a period.

Rows are by sector (lĩnh vực); the province's are by body, each body's sectors under it. Every number
comes from the daily and monthly sums (reports.figures: a year is twelve monthly rows per key), never
from the dossiers, and each column is defined once, in `Counts.of`. The columns balance: what there
was to handle (carried over + received) is what was resolved, withdrawn, or still pending at the end.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.models import User
from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.catalog.constants import Channel
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.core.rowlevel import reaches_agencies, reaches_beyond_own_agency, visible_agency_id_list
from onestop_tayninh.core.text import fold
from onestop_tayninh.directory.models import Agency, ReceptionDesk

from .constants import STATISTICS_INLINE_MAX_DAYS, UnitKind
from .figures import Figures, Slice, figures_by_columns, open_by_columns
from .models import StatisticsReport
from .periods import Period
from .selectors import Unit, UnitError, unit_for

#: The report's units: what the desk page offers and the schedule makes.
UNIT_KINDS = (UnitKind.PROVINCE, UnitKind.AGENCY, UnitKind.DESK)

#: Which "newly received" column a channel counts in. A dossier a body received itself (a tracked-only
#: procedure's) came in person, as at the desk.
CHANNEL_COLUMNS: dict[str, str] = {
    Channel.ONLINE: "portal",
    Channel.ZALO: "zalo",
    Channel.DESK: "direct",
    Channel.AGENCY: "direct",
    Channel.POST: "post",
}

#: The period measures the report reads (the running ones, for what is open, come with them).
MEASURES = ("received", "early", "on_time", "late", "withdrawn")
GROUPS = ("agency_id", "procedure_id", "channel")


@dataclass
class Counts:
    """The report's numbers for one row; the totals (to handle, received, resolved, pending) are sums."""

    carried_over: int = 0
    portal: int = 0
    zalo: int = 0
    direct: int = 0
    post: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    pending_within: int = 0
    pending_past: int = 0
    withdrawn: int = 0

    #: The numeric columns in the form's order, (3) to (14) (reports.statistics_render.HEADS names them).
    COLUMNS = (
        "to_handle",
        "online",
        "portal",
        "zalo",
        "in_person",
        "direct",
        "post",
        "carried_over",
        "resolved",
        "early",
        "on_time",
        "late",
        "pending",
        "pending_within",
        "pending_past",
        "withdrawn",
    )

    @classmethod
    def of(cls, *, channel: str, figures: Figures, carried_over: int) -> Counts:
        """The numbers of the dossiers of one (body, procedure, channel), from the period's figures:

        - carried over: received before the period and not closed at the end of the day before it;
        - received: received in the period, in its channel's column (CHANNEL_COLUMNS): on the portal,
          through Zalo (the two online), at a desk or a body in person, by post;
        - resolved: a result or a refusal issued in the period, before the due day (early), on it (on
          time) or after it or asked for a supplement more than once (late) (reports.facts);
        - pending: received and not closed at the end of the period's last day, past its due time
          (or asked for a supplement more than once) or not; one waiting for the citizen's
          supplement is within time while it waits;
        - withdrawn: withdrawn by the citizen after receipt, in the period: closed, not resolved.
        """
        counts = cls(
            carried_over=carried_over,
            early=figures["early"],
            on_time=figures["on_time"],
            late=figures["late"],
            pending_within=figures.open_at_end - figures.late_open_at_end,
            pending_past=figures.late_open_at_end,
            withdrawn=figures["withdrawn"],
        )
        # A channel the list does not know yet counts as in person rather than disappearing from the totals.
        column = CHANNEL_COLUMNS.get(channel, "direct")
        setattr(counts, column, getattr(counts, column) + figures["received"])
        return counts

    @property
    def online(self) -> int:
        """Received online, the national form's column: on the portal or through Zalo."""
        return self.portal + self.zalo

    @property
    def in_person(self) -> int:
        """Received in person or by post, the national form's other column."""
        return self.direct + self.post

    @property
    def received(self) -> int:
        return self.online + self.in_person

    @property
    def to_handle(self) -> int:
        return self.carried_over + self.received

    @property
    def resolved(self) -> int:
        return self.early + self.on_time + self.late

    @property
    def pending(self) -> int:
        return self.pending_within + self.pending_past

    def add(self, other: Counts) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def values(self) -> list[int]:
        """The numbers in COLUMNS order."""
        return [getattr(self, name) for name in self.COLUMNS]

    def __bool__(self) -> bool:
        return any(getattr(self, item.name) for item in fields(self))


@dataclass
class Row:
    #: "1", "2" for sectors; the province's bodies "1", "2", their sectors "1.1", "1.2".
    number: str
    label: str
    counts: Counts
    #: 1: a body (the sum of its sectors, under it); 2: a sector.
    level: int = 2


@dataclass
class Statistics:
    """The report of a unit for a period: its rows and the total."""

    unit: Unit
    period: Period
    rows: list[Row]
    total: Counts
    made_at: dt.datetime
    #: The last day the numbers cover: the period's end, or today for a period not over yet.
    data_until: dt.date

    @property
    def by_body(self) -> bool:
        return self.unit.kind == UnitKind.PROVINCE


def sectors_of(procedure_ids: set[int]) -> dict[int, tuple[int, str]]:
    """procedure id → (sector id, sector name), from its newest version."""
    out: dict[int, tuple[int, str]] = {}
    versions = (
        ProcedureVersion.objects.filter(procedure_id__in=procedure_ids)
        .order_by("procedure_id", "number")
        .values_list("procedure_id", "sector_id", "sector__name")
    )
    for procedure_id, sector_id, name in versions:
        out[procedure_id] = (sector_id, name)
    return out


def _counts_by_key(unit: Unit, period: Period) -> dict[tuple[int, int], Counts]:
    """(body, procedure) → its numbers, the channels added up."""
    figures = figures_by_columns(unit.slice, period, groups=GROUPS, measures=MEASURES)
    carried = open_by_columns(unit.slice, period.start - dt.timedelta(days=1), groups=GROUPS)
    out: dict[tuple[int, int], Counts] = defaultdict(Counts)
    for key in set(figures) | set(carried):
        agency_id, procedure_id, channel = key
        counts = Counts.of(channel=channel, figures=figures.get(key) or Figures(), carried_over=carried.get(key, 0))
        if counts:
            out[agency_id, procedure_id].add(counts)
    return out


def _sector_rows(
    by_procedure: dict[int, Counts], sectors: dict[int, tuple[int, str]], *, prefix: str = ""
) -> list[Row]:
    by_sector: dict[Any, Counts] = defaultdict(Counts)
    names: dict[Any, str] = {}
    for procedure_id, counts in by_procedure.items():
        sector_id, name = sectors.get(procedure_id, (None, _("Thủ tục chưa xếp lĩnh vực")))
        by_sector[sector_id].add(counts)
        names[sector_id] = name
    ordered = sorted(by_sector, key=lambda sector_id: (sector_id is None, fold(names[sector_id])))
    return [Row(f"{prefix}{index}", names[key], by_sector[key]) for index, key in enumerate(ordered, start=1)]


def system_unit(kind: str, pk: int | None) -> Unit:
    """A unit as the system sees it, for the scheduled reports: no user, so no row-level rule (people
    reach a unit through reports.selectors.unit_for)."""
    if kind == UnitKind.PROVINCE:
        return Unit(kind, None, _("Toàn tỉnh"), Slice())
    if pk is None:
        raise UnitError(kind)
    if kind == UnitKind.AGENCY:
        agency = Agency.objects.get(pk=pk)
        return Unit(kind, agency.pk, agency.name, Slice(agency_ids=(agency.pk,)))
    if kind == UnitKind.DESK:
        desk = ReceptionDesk.objects.get(pk=pk)
        return Unit(kind, desk.pk, desk.name, Slice(desk_ids=(desk.pk,)))
    raise ValueError(kind)


STATISTICS_PERMISSION = "reports.view_statistics"


def may_make_statistics(user: User) -> bool:
    return user.is_authenticated and user.has_perm(STATISTICS_PERMISSION) and reaches_agencies(user)


def unit_choices(user: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """The units `user` may report on, grouped for the page's list: the province (a coordinator's),
    the bodies, the desks; values as `parse_unit` reads them. The unit chosen is checked again by
    reports.selectors.unit_for."""
    visible = visible_agency_id_list(user)
    agencies = Agency.objects.filter(is_active=True).order_by("code")
    desks = ReceptionDesk.objects.filter(is_active=True).order_by("name")
    if visible is not None:
        agencies, desks = agencies.filter(pk__in=visible), desks.filter(agency_id__in=visible)
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if reaches_beyond_own_agency(user):
        groups.append((_("Toàn tỉnh"), [(UnitKind.PROVINCE.value, unit_for(user, UnitKind.PROVINCE, None).label)]))
    groups.append(
        (
            _("Cơ quan giải quyết"),
            [(f"{UnitKind.AGENCY}:{pk}", name) for pk, name in agencies.values_list("pk", "name")],
        )
    )
    groups.append(
        (_("Bộ phận một cửa"), [(f"{UnitKind.DESK}:{pk}", name) for pk, name in desks.values_list("pk", "name")])
    )
    return [(label, options) for label, options in groups if options]


def parse_unit(value: str) -> tuple[str, int | None]:
    """ "province", "agency:12", "desk:3" → (kind, id); UnitError for anything else."""
    kind, _sep, pk = (value or "").strip().partition(":")
    if kind == UnitKind.PROVINCE and not pk:
        return kind, None
    if kind in (UnitKind.AGENCY, UnitKind.DESK) and pk.isdigit() and len(pk) < 10:
        return kind, int(pk)
    raise UnitError(value)


def unit_value(kind: str, pk: int | None) -> str:
    return kind if kind == UnitKind.PROVINCE else f"{kind}:{pk}"


def reaches_whole_province(user: User) -> bool:
    """Whether `user` reaches every body: the province's scheduled report lists them all."""
    visible = visible_agency_id_list(user)
    return visible is None or not Agency.objects.exclude(pk__in=visible).exists()


def may_download(user: User, report: StatisticsReport) -> bool:
    """A report the official asked for is theirs alone; a scheduled one is everyone's who reaches its unit
    (the province's, those who reach every body). Both while the unit is still in their reach."""
    if not may_make_statistics(user):
        return False
    if report.requested_by_id is not None and report.requested_by_id != user.pk:
        return False
    try:
        unit_for(user, report.unit_kind, report.unit_id or None)
    except (PermissionDenied, UnitError):
        return False
    return not (report.scheduled and report.unit_kind == UnitKind.PROVINCE) or reaches_whole_province(user)


def scheduled_reports(user: User, unit: Unit) -> QuerySet[StatisticsReport]:
    """The scheduled reports of `unit` (one `user` reaches, through unit_for), newest period first."""
    reports = StatisticsReport.objects.filter(
        schedule_key__isnull=False, unit_kind=unit.kind, unit_id=unit.pk or 0
    ).order_by("-period_end", "period_start", "-pk")
    if unit.kind == UnitKind.PROVINCE and not reaches_whole_province(user):
        return reports.none()
    return reports


def made_in_background(unit: Unit, period: Period) -> bool:
    """Whether the report is made by a worker rather than while the official waits: the province's (its
    PDF lists every body), or a period longer than a quarter."""
    return unit.kind == UnitKind.PROVINCE or period.days > STATISTICS_INLINE_MAX_DAYS


def statistics_for(unit: Unit, period: Period, *, at: dt.datetime | None = None) -> Statistics:
    """The report of `unit` (one the caller may see: reports.selectors.unit_for) for `period`."""
    at = at or timezone.now()
    counts = _counts_by_key(unit, period)
    sectors = sectors_of({procedure_id for _agency, procedure_id in counts})
    rows: list[Row] = []
    if unit.kind == UnitKind.PROVINCE:
        by_body: dict[int, dict[int, Counts]] = defaultdict(dict)
        for (agency_id, procedure_id), item in counts.items():
            by_body[agency_id][procedure_id] = item
        agencies = {
            pk: (code, name)
            for pk, code, name in Agency.objects.filter(pk__in=by_body).values_list("pk", "code", "name")
        }
        # Bodies in the order of their identifiers (QCVN 102:2016: the province's own first); a body
        # no longer in the directory last.
        ordered = sorted(by_body, key=lambda pk: (pk not in agencies, agencies.get(pk, ("", ""))[0], pk))
        for index, agency_id in enumerate(ordered, start=1):
            body = Counts()
            for item in by_body[agency_id].values():
                body.add(item)
            label = agencies[agency_id][1] if agency_id in agencies else _("Cơ quan chưa xác định")
            rows.append(Row(str(index), label, body, level=1))
            rows.extend(_sector_rows(by_body[agency_id], sectors, prefix=f"{index}."))
    else:
        merged: dict[int, Counts] = defaultdict(Counts)
        for (_agency, procedure_id), item in counts.items():
            merged[procedure_id].add(item)
        rows = _sector_rows(merged, sectors)
    total = Counts()
    for item in counts.values():
        total.add(item)
    today = at.astimezone(VIETNAM_TZ).date()
    return Statistics(unit=unit, period=period, rows=rows, total=total, made_at=at, data_until=min(period.end, today))
