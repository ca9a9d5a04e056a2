"""Reading the daily and monthly sums (reports.rollups): the measures of any slice, any period.

A slice (`Slice`) is a set of bodies, a desk, a set of procedures, a channel, or an official. A period
is summed from the monthly rows for the months it covers whole and the daily rows for the days at
its edges, so a year is twelve rows per key whatever the number of dossiers; a slice of bodies and
channels only (the province, a body) reads the monthly rows kept by (body, channel), a tenth as many. What is open at the
period's end is the balance minus what came after (reports.rollups). An official's figures come
from their own facts, in one aggregate whose conditions are `contributions` again (the property test
holds the two together).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection

from . import periods
from .constants import MEASURES, RUNNING
from .models import AgencyMonthlyRollup, DailyRollup, DossierFact, MonthlyRollup, RollupBalance
from .periods import Period, add_months, month_end

GROUPS = ("agency_id", "desk_id", "procedure_id", "channel")


@dataclass(frozen=True)
class Slice:
    """Which dossiers: every field set narrows (None: no condition)."""

    agency_ids: tuple[int, ...] | None = None
    desk_ids: tuple[int, ...] | None = None
    procedure_ids: tuple[int, ...] | None = None
    channels: tuple[str, ...] | None = None
    official_id: int | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, values in (
            ("agency_id", self.agency_ids),
            ("desk_id", self.desk_ids),
            ("procedure_id", self.procedure_ids),
            ("channel", self.channels),
        ):
            if values is None:
                continue
            if not values:
                clauses.append("1 = 0")
                continue
            clauses.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(values)
        return (" AND ".join(clauses) or "1 = 1"), params


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with two decimals; None ("—") when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """The measures of a slice over a period, and what was open at its end."""

    sums: dict[str, int] = field(default_factory=dict)
    #: Received and not closed at the end of the period's last day.
    open_at_end: int = 0
    #: Of those, past their due time (or asked for a supplement more than once).
    late_open_at_end: int = 0

    def __getitem__(self, measure: str) -> int:
        return self.sums.get(measure, 0)

    @property
    def resolved(self) -> int:
        return self["early"] + self["on_time"] + self["late"]

    @property
    def judged(self) -> int:
        """The dossiers the on-time rate is about: resolved in the period, and open at its end."""
        return self.resolved + self.open_at_end

    @property
    def on_time_total(self) -> int:
        """Resolved early or on time, and open at the end but not yet late."""
        return self["early"] + self["on_time"] + self.open_at_end - self.late_open_at_end

    @property
    def late_total(self) -> int:
        return self["late"] + self.late_open_at_end

    def add(self, other: Figures) -> None:
        for measure, amount in other.sums.items():
            self.sums[measure] = self.sums.get(measure, 0) + amount
        self.open_at_end += other.open_at_end
        self.late_open_at_end += other.late_open_at_end


def _monthly_table(where: Slice, group: Group) -> str:
    """The monthly sums that hold what the slice and grouping ask: by (body, channel) when neither
    names a desk or a procedure, else by the full key."""
    columns = () if group is None else ((group,) if isinstance(group, str) else group)
    if where.desk_ids is None and where.procedure_ids is None and set(columns) <= {"agency_id", "channel"}:
        return AgencyMonthlyRollup._meta.db_table
    return MonthlyRollup._meta.db_table


def _select(columns: Iterable[str]) -> str:
    return ", ".join(f"COALESCE(SUM({m}), 0)" for m in columns)


def _query(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


Group = str | tuple[str, ...] | None


def _grouping(group: Group) -> tuple[str, str, int]:
    """The SELECT prefix, the GROUP BY clause and the number of key columns of `group`: one column
    (keys are its values), several (keys are tuples), or none (one total under the key None)."""
    if group is None:
        return "", "", 0
    columns = (group,) if isinstance(group, str) else group
    joined = ", ".join(columns)
    return f"{joined}, ", f" GROUP BY {joined}", len(columns)


def _split(row: tuple[Any, ...], group: Group, width: int) -> tuple[Any, tuple[Any, ...]]:
    if width == 0:
        return None, row
    if isinstance(group, str):
        return row[0], row[1:]
    return tuple(row[:width]), row[width:]


def _sums(
    where_slice: Slice, first: dt.date, last: dt.date, *, group: Group, measures: tuple[str, ...]
) -> dict[Any, dict[str, int]]:
    """The measures summed over the days first..last, by `group` (None: one total under the key None)."""
    where, params = where_slice.where()
    parts: list[tuple[str, str, dt.date, dt.date]] = []
    whole_first = first if first.day == 1 else add_months(first, 1)
    whole_last = last.replace(day=1) if last == month_end(last) else add_months(last.replace(day=1), -1)
    if whole_first <= whole_last:
        parts.append((_monthly_table(where_slice, group), "month", whole_first, whole_last))
        if first < whole_first:
            parts.append((DailyRollup._meta.db_table, "day", first, whole_first - dt.timedelta(days=1)))
        if last > month_end(whole_last):
            parts.append((DailyRollup._meta.db_table, "day", month_end(whole_last) + dt.timedelta(days=1), last))
    else:
        parts.append((DailyRollup._meta.db_table, "day", first, last))
    out: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(measures, 0))
    group_sql, group_by, width = _grouping(group)
    for table, column, low, high in parts:
        sql = f"SELECT {group_sql}{_select(measures)} FROM {table} WHERE {column} BETWEEN %s AND %s AND {where}"
        sql += group_by
        for row in _query(sql, [low, high, *params]):
            key, values = _split(row, group, width)
            target = out[key]
            for measure, amount in zip(measures, values, strict=True):
                target[measure] += int(amount)
    return out


def _running_at(where_slice: Slice, day: dt.date, *, group: Group) -> dict[Any, dict[str, int]]:
    """The running measures summed over every day up to `day`: the balance minus the days after."""
    where, params = where_slice.where()
    group_sql, group_by, width = _grouping(group)
    out: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(RUNNING, 0))
    queries = (
        (
            1,
            f"SELECT {group_sql}{_select(RUNNING)} FROM {RollupBalance._meta.db_table} WHERE {where}{group_by}",
            params,
        ),
        (
            -1,
            f"SELECT {group_sql}{_select(RUNNING)} FROM {DailyRollup._meta.db_table} "
            f"WHERE day > %s AND day <= %s AND {where}{group_by}",
            [day, month_end(day), *params],
        ),
        (
            -1,
            f"SELECT {group_sql}{_select(RUNNING)} FROM {_monthly_table(where_slice, group)} "
            f"WHERE month > %s AND {where}{group_by}",
            [day.replace(day=1), *params],
        ),
    )
    for sign, sql, query_params in queries:
        for row in _query(sql, query_params):
            key, values = _split(row, group, width)
            target = out[key]
            for measure, amount in zip(RUNNING, values, strict=True):
                target[measure] += sign * int(amount)
    return out


def _figures(sums: dict[str, int], running: dict[str, int]) -> Figures:
    return Figures(
        sums=dict(sums),
        open_at_end=running["received"] - running["closed"],
        late_open_at_end=running["late_opened"] - running["late_closed"],
    )


def judged_on(day: dt.date) -> dt.date:
    """The day whose end what is open is judged at: the period's last day, or today for a period not yet
    over (a dossier due next week is not late at the end of this month yet)."""
    return min(day, periods.today())


def period_figures(where: Slice, period: Period) -> Figures:
    """The slice's figures over the period."""
    if where.official_id is not None:
        return official_figures(where, period)
    sums = _sums(where, period.start, period.end, group=None, measures=MEASURES).get(None) or dict.fromkeys(MEASURES, 0)
    running = _running_at(where, judged_on(period.end), group=None).get(None) or dict.fromkeys(RUNNING, 0)
    return _figures(sums, running)


def figures_by(where: Slice, period: Period, *, group: str) -> dict[Any, Figures]:
    """The slice's figures over the period, for each body, desk, procedure or channel (`group`)."""
    if group not in GROUPS:
        raise ValueError(group)
    sums = _sums(where, period.start, period.end, group=group, measures=MEASURES)
    running = _running_at(where, judged_on(period.end), group=group)
    keys = set(sums) | {key for key, values in running.items() if any(values.values())}
    return {
        key: _figures(sums.get(key) or dict.fromkeys(MEASURES, 0), running.get(key) or dict.fromkeys(RUNNING, 0))
        for key in keys
    }


def figures_by_columns(
    where: Slice, period: Period, *, groups: tuple[str, ...], measures: tuple[str, ...] = MEASURES
) -> dict[tuple[Any, ...], Figures]:
    """The slice's figures over the period for each combination of the columns `groups` (body, desk,
    procedure, channel), keyed by tuples in that order; only `measures` are summed (the running
    measures always are), so a report that reads five measures does not add up twenty."""
    if not groups or any(column not in GROUPS for column in groups):
        raise ValueError(groups)
    sums = _sums(where, period.start, period.end, group=groups, measures=measures)
    running = _running_at(where, judged_on(period.end), group=groups)
    keys = set(sums) | {key for key, values in running.items() if any(values.values())}
    return {
        key: _figures(sums.get(key) or dict.fromkeys(measures, 0), running.get(key) or dict.fromkeys(RUNNING, 0))
        for key in keys
    }


def open_by_columns(where: Slice, day: dt.date, *, groups: tuple[str, ...]) -> dict[tuple[Any, ...], int]:
    """Received and not closed at the end of `day`, for each combination of the columns `groups`: what a
    period starting the day after carries over from the one before."""
    if not groups or any(column not in GROUPS for column in groups):
        raise ValueError(groups)
    running = _running_at(where, day, group=groups)
    return {
        key: values["received"] - values["closed"]
        for key, values in running.items()
        if values["received"] != values["closed"]
    }


def monthly_trend(where: Slice, months: list[dt.date]) -> dict[dt.date, Figures]:
    """The slice's figures for each month in `months` (their first days, in order)."""
    if where.official_id is not None:
        from .periods import month as month_period

        return {m: official_figures(where, month_period(m.year, m.month)) for m in months}
    clause, params = where.where()
    first, last = months[0], months[-1]
    rows = _query(
        f"SELECT month, {_select(MEASURES)} FROM {_monthly_table(where, None)} WHERE month >= %s AND {clause} GROUP BY month",
        [first, *params],
    )
    by_month = {row[0]: dict(zip(MEASURES, (int(v) for v in row[1:]), strict=True)) for row in rows}
    judge = judged_on(month_end(last))
    balance = _running_at(where, judge, group=None).get(None) or dict.fromkeys(RUNNING, 0)
    partial = _month_so_far(where, judge, group=None).get(None) or {}
    # Walk back from the last month: the running measures at a month's end (or today, in this month)
    # are those of the month after minus what that month added by then.
    out: dict[dt.date, Figures] = {}
    running = dict(balance)
    for month_first in sorted(months, reverse=True):
        out[month_first] = _figures(by_month.get(month_first) or dict.fromkeys(MEASURES, 0), running)
        own = _own_by_judge(month_first, judge, by_month.get(month_first) or {}, partial)
        running = {m: running[m] - own.get(m, 0) for m in RUNNING}
    return {m: out[m] for m in months}


def _month_so_far(where: Slice, judge: dt.date, *, group: str | None) -> dict[Any, dict[str, int]]:
    """The running measures of `judge`'s month up to `judge` (its own row also holds the days after)."""
    if judge == month_end(judge):
        return {}
    return _sums(where, judge.replace(day=1), judge, group=group, measures=RUNNING)


def _own_by_judge(
    month_first: dt.date, judge: dt.date, whole: dict[str, int], partial: dict[str, int]
) -> dict[str, int]:
    """What a month added to the running measures by the judged day: all of it for a month over, its
    days so far for the judged day's month, nothing for a month to come."""
    if month_end(month_first) <= judge:
        return whole
    if month_first > judge:
        return {}
    return partial


def official_figures(where: Slice, period: Period) -> Figures:
    """One official's figures, from the facts of the dossiers assigned to them, in one aggregate (the
    contributions of reports.rollups, written as conditions on the facts)."""
    from django.db.models import Count, F, Q, Sum, Value
    from django.db.models.functions import Coalesce

    from onestop_tayninh.dossiers.constants import ONLINE_CHANNELS

    facts = DossierFact.objects.filter(official_id=where.official_id or 0)
    if where.agency_ids is not None:
        facts = facts.filter(agency_id__in=where.agency_ids)
    start, end = period.start, period.end
    judge = judged_on(end)
    received = Q(received_on__range=(start, end))
    closed = Q(closed_on__range=(start, end))
    resolved = closed & ~Q(outcome="withdrawn")
    late_from = Q(late_on__isnull=False)

    def count(condition: Q) -> Coalesce:
        return Coalesce(Count("pk", filter=condition), Value(0))

    def total(field: str, condition: Q) -> Coalesce:
        return Coalesce(Sum(F(field), filter=condition), Value(0))

    values = facts.aggregate(
        received=count(received),
        received_online=count(received & Q(channel__in=ONLINE_CHANNELS)),
        digitised=count(received & Q(digitised=True)),
        reused=count(received & Q(reused=True)),
        with_fees=count(received & Q(with_fees=True)),
        paid_online=count(received & Q(paid_online=True)),
        synced=count(received & Q(synced=True)),
        closed=count(closed),
        early=count(closed & Q(outcome="early")),
        on_time=count(closed & Q(outcome="on_time")),
        late=count(closed & Q(outcome="late")),
        withdrawn=count(closed & Q(outcome="withdrawn")),
        working_seconds=total("working_seconds", resolved),
        elapsed_seconds=total("elapsed_seconds", resolved),
        legal_seconds=total("legal_seconds", resolved),
        e_results=count(resolved & Q(e_result=True)),
        dissatisfied=count(resolved & Q(dissatisfied=True)),
        rated=count(resolved & Q(rated=True)),
        index_points=total("index_points", resolved),
        index_max=total("index_max", resolved),
        late_opened=count(Q(late_on__range=(start, end))),
        late_closed=count(closed & late_from),
        received_to_end=count(Q(received_on__lte=judge)),
        closed_to_end=count(Q(closed_on__lte=judge)),
        late_to_end=count(Q(late_on__lte=judge)),
        late_closed_to_end=count(Q(closed_on__lte=judge) & late_from),
    )
    sums = {measure: int(values[measure]) for measure in MEASURES}
    return Figures(
        sums=sums,
        open_at_end=values["received_to_end"] - values["closed_to_end"],
        late_open_at_end=values["late_to_end"] - values["late_closed_to_end"],
    )


def trend_by(where: Slice, months: list[dt.date], *, group: str) -> dict[Any, dict[dt.date, Figures]]:
    """`monthly_trend` for each body, desk, procedure or channel at once, in three queries."""
    if group not in GROUPS:
        raise ValueError(group)
    clause, params = where.where()
    first, last = months[0], months[-1]
    table = _monthly_table(where, group)
    by: dict[Any, dict[dt.date, dict[str, int]]] = defaultdict(dict)
    for row in _query(
        f"SELECT {group}, month, {_select(MEASURES)} FROM {table} WHERE month >= %s AND {clause} GROUP BY {group}, month",
        [first, *params],
    ):
        by[row[0]][row[1]] = dict(zip(MEASURES, (int(v) for v in row[2:]), strict=True))
    judge = judged_on(month_end(last))
    balance = _running_at(where, judge, group=group)
    partial = _month_so_far(where, judge, group=group)
    out: dict[Any, dict[dt.date, Figures]] = {}
    for key in set(by) | set(balance):
        running = dict(balance.get(key) or dict.fromkeys(RUNNING, 0))
        series: dict[dt.date, Figures] = {}
        for month_first in sorted(months, reverse=True):
            whole = by[key].get(month_first) or {}
            series[month_first] = _figures(whole or dict.fromkeys(MEASURES, 0), running)
            own = _own_by_judge(month_first, judge, whole, partial.get(key) or {})
            running = {m: running[m] - own.get(m, 0) for m in RUNNING}
        out[key] = {m: series[m] for m in months}
    return out


#: The backlog's ages, in calendar days since receipt (upper bounds; the last is open-ended).
AGE_BUCKETS: tuple[tuple[int | None, str], ...] = (
    (7, "≤ 7 ngày"),
    (15, "8–15 ngày"),
    (30, "16–30 ngày"),
    (90, "31–90 ngày"),
    (None, "> 90 ngày"),
)


def backlog(where: Slice, *, today: dt.date) -> dict[tuple[int, int], int]:
    """Open dossiers now, by (workflow step, age bucket index), from the facts' backlog index."""
    if where.official_id is not None:
        facts = DossierFact.objects.filter(official_id=where.official_id, closed_on__isnull=True)
    else:
        facts = DossierFact.objects.filter(closed_on__isnull=True)
        if where.agency_ids is not None:
            facts = facts.filter(agency_id__in=where.agency_ids)
        if where.desk_ids is not None:
            facts = facts.filter(desk_id__in=where.desk_ids)
        if where.procedure_ids is not None:
            facts = facts.filter(procedure_id__in=where.procedure_ids)
        if where.channels is not None:
            facts = facts.filter(channel__in=where.channels)
    from django.db.models import Count

    out: dict[tuple[int, int], int] = defaultdict(int)
    for row in facts.values("state_id", "received_on").annotate(n=Count("pk")).order_by():
        age = (today - row["received_on"]).days
        bucket = next(i for i, (limit, _label) in enumerate(AGE_BUCKETS) if limit is None or age <= limit)
        out[row["state_id"], bucket] += row["n"]
    return dict(out)
