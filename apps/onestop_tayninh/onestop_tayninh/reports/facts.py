"""One dossier's evaluation fact, derived from the dossier row and its events: the one definition the
live path (a dossier event commits, reports.services.facts_refresh) and the from-scratch recompute
(reports.services.indicators_recompute) both use, batch by batch.

The national evaluation's rules, as docs/domain.md §9 gives them:
- only received dossiers count; a dossier refused or withdrawn before receipt is not one;
- the supplement time is already out of the due time (the engine pushes the due time by the paused
  office time), so a dossier is late when it closed after its due time, or is open past it at the end
  of the day; a dossier waiting for the citizen's supplement is not late while it waits;
- a dossier asked for a supplement more than once (`counted_late`) is late, from the day it was received;
- a dossier resolves when its result (or refusal) is returned; withdrawn after receipt, it closes unresolved.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.db.models import Count, Q

from onestop_tayninh.calendars.constants import TimeUnit
from onestop_tayninh.calendars.engine import VIETNAM_TZ, WorkCalendar
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.dossiers.constants import DossierStatus, EventAction
from onestop_tayninh.dossiers.models import Dossier, DossierDocument, DossierEvent
from onestop_tayninh.dossiers.selectors import CompetentBodies
from onestop_tayninh.national.constants import SyncStatus
from onestop_tayninh.national.models import SyncMessage
from onestop_tayninh.portal.models import ServiceRating
from onestop_tayninh.workflows.constants import StateKind
from onestop_tayninh.workflows.models import State

from .constants import Outcome

#: The payment methods that are not online (the counter at the desk); every other provider is.
OFFLINE_PAYMENT_METHODS = frozenset({"counter", ""})

#: The dossier's columns a fact is made of.
DOSSIER_COLUMNS = (
    "id",
    "status",
    "channel",
    "procedure_version_id",
    "receiving_desk_id",
    "receiving_agency_id",
    "current_agency_id",
    "applicant_unit_id",
    "object_unit_id",
    "assigned_to_id",
    "state_id",
    "received_at",
    "due_at",
    "paused_at",
    "paused_seconds",
    "supplement_count",
    "counted_late",
    "apology_count",
    "result_electronic",
    "result_file",
    "result_issued_at",
    "closed_at",
)


@dataclass
class Extras:
    """What a fact reads besides the dossier row, for one batch of dossiers."""

    documents: dict[int, int] = field(default_factory=dict)
    reused: set[int] = field(default_factory=set)
    with_fees: set[int] = field(default_factory=set)
    paid_online: set[int] = field(default_factory=set)
    #: Dossiers whose every national sync message the national portal accepted (at least one).
    synced: set[int] = field(default_factory=set)
    complaints: set[int] = field(default_factory=set)
    #: dossier id → (satisfied, the citizen's index points, their maximum)
    ratings: dict[int, tuple[bool, int, int]] = field(default_factory=dict)


#: Vietnam keeps UTC+7 all year (no daylight saving): a UTC instant's local date is a fixed shift.
VIETNAM_OFFSET = dt.timedelta(hours=7)


def local_day(moment: dt.datetime | None) -> dt.date | None:
    if moment is None:
        return None
    if moment.tzinfo is dt.UTC:
        return (moment + VIETNAM_OFFSET).date()
    return moment.astimezone(VIETNAM_TZ).date()


class OfficeClock:
    """`WorkCalendar.working_seconds_between`, answered from each day's office time summed once: the
    recompute measures a million dossiers, most of them spanning days the others span too."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._segments: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = {}
        # Office seconds from the calendar's first day to the start of each day after it, by index.
        self._origin: dt.date = calendar.span[0] if calendar.span else dt.date(2000, 1, 1)
        self._before: list[int] = [0]

    def _day_segments(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if day not in self._segments:
            self._segments[day] = self.calendar.office_segments(day)
        return self._segments[day]

    def _office_before(self, day: dt.date) -> int:
        """Office seconds from the calendar's first day to the start of `day`."""
        index = (day - self._origin).days
        while len(self._before) <= index:
            known = self._origin + dt.timedelta(days=len(self._before) - 1)
            seconds = sum(int((end - start).total_seconds()) for start, end in self._day_segments(known))
            self._before.append(self._before[-1] + seconds)
        return self._before[index]

    def _office_until(self, moment: dt.datetime) -> int:
        moment = self.calendar.local(moment)
        within = sum(
            max(0, int((min(end, moment) - start).total_seconds()))
            for start, end in self._day_segments(moment.date())
            if start < moment
        )
        return self._office_before(moment.date()) + within

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        return self._office_until(end) - self._office_until(start)

    @functools.cached_property
    def office_day_seconds(self) -> int:
        """The length of an office day (the calendar's office periods added up)."""
        return sum(
            (dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)).seconds
            for start, end in self.calendar.office_periods
        )


class Deriver:
    """Derives facts, remembering what many dossiers share: procedure versions, desks, competent bodies,
    the final states' kinds, and the working calendar."""

    def __init__(self) -> None:
        self.bodies = CompetentBodies()
        self._versions: dict[int, ProcedureVersion] = {}
        self._desks: dict[int, ReceptionDesk] = {}
        self._agencies: dict[tuple[int | None, ...], int] = {}
        self._state_kinds: dict[int, str] = dict(State.objects.values_list("pk", "kind"))
        self._clock: OfficeClock | None = None
        self._years: tuple[int, int] = (0, 0)

    # -- what many dossiers share ---------------------------------------------------------------

    def _version(self, pk: int) -> ProcedureVersion:
        if pk not in self._versions:
            self._versions[pk] = ProcedureVersion.objects.get(pk=pk)
        return self._versions[pk]

    def _desk(self, pk: int | None) -> ReceptionDesk | None:
        if pk is None:
            return None
        if pk not in self._desks:
            self._desks[pk] = ReceptionDesk.objects.get(pk=pk)
        return self._desks[pk]

    def state_kind(self, pk: int | None) -> str:
        if pk is not None and pk not in self._state_kinds:
            self._state_kinds[pk] = State.objects.filter(pk=pk).values_list("kind", flat=True).first() or ""
        return self._state_kinds.get(pk, "") if pk is not None else ""

    def agency_of(self, row: dict[str, Any]) -> int:
        """The competent body (dossiers.selectors.CompetentBodies), or the agency holding the dossier."""
        key = (row["procedure_version_id"], row["applicant_unit_id"], row["object_unit_id"], row["receiving_desk_id"])
        if key not in self._agencies:
            probe = SimpleNamespace(
                procedure_version=self._version(row["procedure_version_id"]),
                applicant_unit_id=row["applicant_unit_id"],
                object_unit_id=row["object_unit_id"],
                receiving_desk=self._desk(row["receiving_desk_id"]),
            )
            agency = self.bodies.for_dossier(probe)  # type: ignore[arg-type]
            self._agencies[key] = agency.pk if agency is not None else 0
        return self._agencies[key] or row["current_agency_id"] or row["receiving_agency_id"] or 0

    def clock(self, *days: dt.date) -> OfficeClock:
        """The office clock over a calendar spanning `days` (built again, wider, when a day falls outside)."""
        low, high = min(day.year for day in days), max(day.year for day in days)
        if self._clock is None or low < self._years[0] or high > self._years[1]:
            self._years = (min(low, self._years[0] or low), max(high, self._years[1]))
            self._clock = OfficeClock(get_calendar(years=range(self._years[0], self._years[1] + 1)))
        return self._clock

    # -- one fact --------------------------------------------------------------------------------

    def fact(self, row: dict[str, Any], extras: Extras) -> dict[str, Any] | None:
        """The fact's fields for a dossier row, or None for a dossier the indicators do not count."""
        if row["status"] != DossierStatus.RECEIVED or row["received_at"] is None:
            return None
        pk = row["id"]
        received_at: dt.datetime = row["received_at"]
        closed_at: dt.datetime | None = row["closed_at"]
        due_at: dt.datetime | None = row["due_at"]
        withdrawn = closed_at is not None and self.state_kind(row["state_id"]) == StateKind.WITHDRAWN

        late_from: dt.datetime | None = None
        if row["counted_late"]:
            late_from = received_at
        elif due_at is not None:
            if closed_at is not None:
                late_from = due_at if closed_at > due_at else None
            elif row["paused_at"] is None:
                late_from = due_at

        if closed_at is None:
            outcome = Outcome.OPEN
        elif withdrawn:
            outcome = Outcome.WITHDRAWN
        elif late_from is not None:
            outcome = Outcome.LATE
        elif due_at is not None and local_day(closed_at) < local_day(due_at):  # type: ignore[operator]
            outcome = Outcome.EARLY
        else:
            outcome = Outcome.ON_TIME

        working = elapsed = legal = 0
        if closed_at is not None and not withdrawn:
            clock = self.clock(local_day(received_at), local_day(closed_at))  # type: ignore[arg-type]
            working = max(0, clock.seconds_between(received_at, closed_at) - row["paused_seconds"])
            elapsed = max(0, int((closed_at - received_at).total_seconds()))
            legal = self.legal_seconds(row["procedure_version_id"], clock)

        resolved = outcome in (Outcome.EARLY, Outcome.ON_TIME, Outcome.LATE)
        rating = extras.ratings.get(pk)
        index_points, index_max = self._indices(row, outcome, rating)
        return {
            "dossier_id": pk,
            "agency_id": self.agency_of(row),
            "desk_id": row["receiving_desk_id"] or 0,
            "procedure_id": self._version(row["procedure_version_id"]).procedure_id,
            "channel": row["channel"],
            "official_id": row["assigned_to_id"] or 0,
            "state_id": row["state_id"] or 0,
            "received_on": local_day(received_at),
            "closed_on": local_day(closed_at),
            "late_on": local_day(late_from),
            "outcome": outcome,
            "working_seconds": working,
            "elapsed_seconds": elapsed,
            "legal_seconds": legal,
            "digitised": extras.documents.get(pk, 0) > 0
            and (row["result_issued_at"] is None or bool(row["result_file"])),
            "reused": pk in extras.reused,
            "with_fees": pk in extras.with_fees,
            "paid_online": pk in extras.paid_online,
            "synced": pk in extras.synced,
            "e_result": resolved and bool(row["result_electronic"]),
            "dissatisfied": pk in extras.complaints or (rating is not None and not rating[0]),
            "rated": rating is not None,
            "index_points": index_points,
            "index_max": index_max,
        }

    def legal_seconds(self, version_id: int, clock: OfficeClock) -> int:
        """The procedure's processing time in office seconds: a (working) day is one office day."""
        version = self._version(version_id)
        amount = float(version.processing_amount or 0)
        if version.processing_unit == TimeUnit.HOURS:
            return int(amount * 3600)
        return int(amount * clock.office_day_seconds)

    @staticmethod
    def _indices(row: dict[str, Any], outcome: str, rating: tuple[bool, int, int] | None) -> tuple[int, int]:
        """Circular 01/2018 art. 13's indices, 2 / 1 / 0 each, for a resolved dossier: the two the system
        knows (time against the appointment; how many times the citizen was asked to complete the
        dossier) and those the citizen rated."""
        if outcome not in (Outcome.EARLY, Outcome.ON_TIME, Outcome.LATE):
            return 0, 0
        if outcome == Outcome.LATE:
            time_points = 1 if row["apology_count"] else 0
        else:
            time_points = 2
        supplements = row["supplement_count"]
        visit_points = 2 if supplements <= 1 else 1 if supplements == 2 else 0
        points, maximum = time_points + visit_points, 4
        if rating is not None:
            points, maximum = points + rating[1], maximum + rating[2]
        return points, maximum


def extras_for(ids: list[int]) -> Extras:
    """Everything besides the rows, for a batch of dossiers: a handful of queries, whatever its size."""
    from onestop_tayninh.portal.constants import RATING_QUESTIONS

    extras = Extras()
    if not ids:
        return extras
    # A batch of the recompute is a run of ids: a range reads the index without 5,000 parameters
    # (rows of dossiers outside the batch are only never asked about).
    batch = Q(dossier_id__gte=min(ids), dossier_id__lte=max(ids)) if len(ids) > 50 else Q(dossier_id__in=ids)
    documents = (
        DossierDocument.objects.filter(batch)
        .values("dossier_id")
        .annotate(
            n=Count("pk"),
            reused=Count("pk", filter=~Q(reused_from=None) | ~Q(reused_document=None) | ~Q(reused_result=None)),
        )
    )
    for item in documents:
        extras.documents[item["dossier_id"]] = item["n"]
        if item["reused"]:
            extras.reused.add(item["dossier_id"])
    actions = (EventAction.PAYMENT_REQUESTED, EventAction.PAYMENT_RECEIVED, EventAction.FEEDBACK_RECEIVED)
    for dossier_id, action, data in DossierEvent.objects.filter(batch, action__in=actions).values_list(
        "dossier_id", "action", "data"
    ):
        data = data or {}
        if action == EventAction.PAYMENT_REQUESTED and data.get("amount", 0) > 0:
            extras.with_fees.add(dossier_id)
        elif action == EventAction.PAYMENT_RECEIVED:
            extras.with_fees.add(dossier_id)
            if data.get("method", "") not in OFFLINE_PAYMENT_METHODS:
                extras.paid_online.add(dossier_id)
        elif action == EventAction.FEEDBACK_RECEIVED and data.get("complaint"):
            extras.complaints.add(dossier_id)
    sync = (
        SyncMessage.objects.filter(batch)
        .values("dossier_id")
        .annotate(waiting=Count("pk", filter=~Q(status=SyncStatus.ACCEPTED)))
        .order_by()
    )
    extras.synced = {item["dossier_id"] for item in sync if not item["waiting"]}
    best = {question["code"]: max(int(code) for code, _label in question["options"]) for question in RATING_QUESTIONS}
    for dossier_id, satisfied, answers in ServiceRating.objects.filter(batch).values_list(
        "dossier_id", "satisfied", "answers"
    ):
        answered = {
            code: int(value) for code, value in (answers or {}).items() if code in best and str(value).isdigit()
        }
        extras.ratings[dossier_id] = (satisfied, sum(answered.values()), sum(best[code] for code in answered))
    return extras


_SELECT = f"SELECT {', '.join(DOSSIER_COLUMNS)} FROM {Dossier._meta.db_table}"
_TIMES = [i for i, name in enumerate(DOSSIER_COLUMNS) if name.endswith("_at")]


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """The dossiers' columns read straight from the table: a million rows through the ORM's per-value
    converters would cost most of the recompute. The database keeps UTC (USE_TZ), naive."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows = []
    for values in fetched:
        values = list(values)
        for i in _TIMES:
            if values[i] is not None:
                values[i] = values[i].replace(tzinfo=dt.UTC)
        rows.append(dict(zip(DOSSIER_COLUMNS, values, strict=True)))
    return rows


def dossier_rows(ids: Iterable[int]) -> list[dict[str, Any]]:
    ids = list(ids)
    if not ids:
        return []
    return _rows(f"{_SELECT} WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)


def facts_for(ids: list[int], deriver: Deriver | None = None) -> dict[int, dict[str, Any] | None]:
    """dossier id → its fact (None for one not counted), for a batch of dossiers."""
    deriver = deriver or Deriver()
    rows = dossier_rows(ids)
    extras = extras_for([row["id"] for row in rows])
    facts: dict[int, dict[str, Any] | None] = dict.fromkeys(ids)
    for row in rows:
        facts[row["id"]] = deriver.fact(row, extras)
    return facts


def all_facts(batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Every received dossier's fact, in id order, batch by batch (the recompute)."""
    deriver = Deriver()
    last = 0
    while True:
        rows = _rows(
            f"{_SELECT} WHERE id > %s AND status = %s ORDER BY id LIMIT %s", [last, DossierStatus.RECEIVED, batch]
        )
        if not rows:
            return
        extras = extras_for([row["id"] for row in rows])
        for row in rows:
            fact = deriver.fact(row, extras)
            if fact is not None:
                yield fact
        last = rows[-1]["id"]
