"""The daily and monthly sums of the facts, and the running balances (reports.models).

A fact contributes each of its measures to one day (reports.constants.MEASURES says which day). When
a fact changes, its old contributions are taken away and its new ones added, in one
`INSERT … ON DUPLICATE KEY UPDATE m = m + VALUES(m)` per table, which no concurrent writer can lose;
the recompute has the database add up every stored fact's contributions, written a second time in
SQL (`rebuild_from_facts`). tests/reports/test_rollups.py holds the two to the same numbers on random
histories.

What is open at the end of a day D (received − closed), and open past its due time
(late_opened − late_closed), is a sum over every day up to D: the balance (the sum over all days)
minus the days after D, which for the periods people ask about (this month, last quarter) is a few rows.

The monthly sums are kept twice: by the full key, and by (body, channel) only (AgencyMonthlyRollup),
which is all the province's and a body's figures need and a tenth of the rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.db import connection

from onestop_tayninh.dossiers.constants import ONLINE_CHANNELS

from .constants import MEASURES, Outcome
from .models import AgencyMonthlyRollup, DailyRollup, DossierFact, MonthlyRollup, RollupBalance

#: (agency, desk, procedure, channel)
Key = tuple[int, int, int, str]
KEY_COLUMNS = ("agency_id", "desk_id", "procedure_id", "channel")
#: The coarse monthly sums' key: (agency, channel).
AGENCY_KEY_COLUMNS = ("agency_id", "channel")


def key_of(fact: Mapping[str, Any]) -> Key:
    return (fact["agency_id"], fact["desk_id"], fact["procedure_id"], fact["channel"])


def contributions(fact: Mapping[str, Any]) -> dict[tuple[dt.date, str], int]:
    """(day, measure) → amount: what one fact adds to the daily sums of its key."""
    out: dict[tuple[dt.date, str], int] = defaultdict(int)
    received: dt.date = fact["received_on"]
    out[received, "received"] += 1
    if fact["channel"] in ONLINE_CHANNELS:
        out[received, "received_online"] += 1
    for measure in ("digitised", "reused", "with_fees", "paid_online", "synced"):
        if fact[measure]:
            out[received, measure] += 1
    if fact["late_on"] is not None:
        out[fact["late_on"], "late_opened"] += 1
    closed: dt.date | None = fact["closed_on"]
    if closed is not None:
        out[closed, "closed"] += 1
        if fact["late_on"] is not None:
            out[closed, "late_closed"] += 1
        outcome = fact["outcome"]
        if outcome == Outcome.WITHDRAWN:
            out[closed, "withdrawn"] += 1
        else:
            out[closed, str(outcome)] += 1
            out[closed, "working_seconds"] += fact["working_seconds"]
            out[closed, "elapsed_seconds"] += fact["elapsed_seconds"]
            out[closed, "legal_seconds"] += fact["legal_seconds"]
            for measure in ("e_result", "dissatisfied", "rated"):
                if fact[measure]:
                    out[closed, "e_results" if measure == "e_result" else measure] += 1
            out[closed, "index_points"] += fact["index_points"]
            out[closed, "index_max"] += fact["index_max"]
    return {where: amount for where, amount in out.items() if amount}


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


Sums = dict[tuple[Key, dt.date], dict[str, int]]


class Changes(NamedTuple):
    """How much each stored sum moves: daily, monthly, by (body, channel) and month, and the balances."""

    daily: Sums
    monthly: Sums
    agency_monthly: dict[tuple[tuple[int, str], dt.date], dict[str, int]]
    balance: dict[Key, dict[str, int]]


def changes(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> Changes:
    """The changes of every sum when a fact goes from `old` to `new` (either may be None)."""
    daily: Sums = defaultdict(lambda: defaultdict(int))
    for fact, sign in ((old, -1), (new, 1)):
        if fact is None:
            continue
        key = key_of(fact)
        for (day, measure), amount in contributions(fact).items():
            daily[key, day][measure] += sign * amount
    return _rolled(daily)


def _rolled(daily: Sums) -> Changes:
    monthly: Sums = defaultdict(lambda: defaultdict(int))
    agency_monthly: dict[tuple[tuple[int, str], dt.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    balance: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (key, day), measures in daily.items():
        agency, _desk, _procedure, channel = key
        for measure, amount in measures.items():
            monthly[key, month_of(day)][measure] += amount
            agency_monthly[(agency, channel), month_of(day)][measure] += amount
            balance[key][measure] += amount
    return Changes(_pruned(daily), _pruned(monthly), _pruned(agency_monthly), _pruned(balance))


def _pruned(sums: Mapping[Any, Mapping[str, int]]) -> dict[Any, dict[str, int]]:
    """Without the rows whose every measure is 0: a change that moves nothing writes nothing."""
    return {where: dict(measures) for where, measures in sums.items() if any(measures.values())}


def _upsert(
    table: str,
    leading: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    measures: tuple[str, ...],
    keys: tuple[str, ...] = KEY_COLUMNS,
) -> None:
    if not rows:
        return
    columns = (*leading, *keys, *measures)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{m} = {m} + VALUES({m})" for m in measures)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholders] * len(chunk))} "
                f"ON DUPLICATE KEY UPDATE {updates}",
                [value for row in chunk for value in row],
            )


def add(sums: Changes) -> None:
    """Add these sums to the stored ones (negative amounts take away)."""
    for table, leading, by_when, keys in (
        (DailyRollup._meta.db_table, ("day",), sums.daily, KEY_COLUMNS),
        (MonthlyRollup._meta.db_table, ("month",), sums.monthly, KEY_COLUMNS),
        (AgencyMonthlyRollup._meta.db_table, ("month",), sums.agency_monthly, AGENCY_KEY_COLUMNS),
    ):
        rows = [
            (when, *key, *(measures.get(m, 0) for m in MEASURES)) for (key, when), measures in sorted(by_when.items())
        ]
        _upsert(table, leading, rows, MEASURES, keys)
    rows = [(*key, *(measures.get(m, 0) for m in MEASURES)) for key, measures in sorted(sums.balance.items())]
    _upsert(RollupBalance._meta.db_table, (), rows, MEASURES)


def _fact_projections() -> list[tuple[str, tuple[str, ...]]]:
    """The facts' contributions as three grouped SELECTs (by the day received, became late, closed), each
    giving every measure: `contributions`, written in SQL. Each comes with the measures it fills."""
    facts = DossierFact._meta.db_table
    keys = ", ".join(KEY_COLUMNS)
    online = ", ".join(f"'{channel}'" for channel in ONLINE_CHANNELS)
    resolved = "outcome <> 'withdrawn'"

    def select(day: str, values: dict[str, str], where: str) -> tuple[str, tuple[str, ...]]:
        # Every measure, those this kind of day does not fill as 0 (the columns have no default).
        sums = ", ".join(f"SUM({values[m]})" if m in values else "0" for m in MEASURES)
        sql = f"SELECT {day}, {keys}, {sums} FROM {facts} WHERE {where} GROUP BY {day}, {keys}"
        return sql, tuple(values)

    return [
        select(
            "received_on",
            {
                "received": "1",
                "received_online": f"channel IN ({online})",
                "digitised": "digitised",
                "reused": "reused",
                "with_fees": "with_fees",
                "paid_online": "paid_online",
                "synced": "synced",
            },
            "1 = 1",
        ),
        select("late_on", {"late_opened": "1"}, "late_on IS NOT NULL"),
        select(
            "closed_on",
            {
                "closed": "1",
                "late_closed": "late_on IS NOT NULL",
                "withdrawn": "outcome = 'withdrawn'",
                "early": "outcome = 'early'",
                "on_time": "outcome = 'on_time'",
                "late": "outcome = 'late'",
                "working_seconds": f"IF({resolved}, working_seconds, 0)",
                "elapsed_seconds": f"IF({resolved}, elapsed_seconds, 0)",
                "legal_seconds": f"IF({resolved}, legal_seconds, 0)",
                "e_results": f"{resolved} AND e_result",
                "dissatisfied": f"{resolved} AND dissatisfied",
                "rated": f"{resolved} AND rated",
                "index_points": f"IF({resolved}, index_points, 0)",
                "index_max": f"IF({resolved}, index_max, 0)",
            },
            "closed_on IS NOT NULL",
        ),
    ]


def rebuild_from_facts() -> None:
    """The sums written again from the stored facts (the recompute; the tables are empty): the daily
    rows by the three kinds of day, added into each other; months, body months and balances from them."""
    keys = ", ".join(KEY_COLUMNS)
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    measures = ", ".join(MEASURES)
    daily, monthly, balance = (DailyRollup._meta.db_table, MonthlyRollup._meta.db_table, RollupBalance._meta.db_table)
    agency_monthly = AgencyMonthlyRollup._meta.db_table
    with connection.cursor() as cursor:
        # A million facts grouped by day and key: in memory, not on disk.
        cursor.execute("SET SESSION tmp_table_size = 1073741824, max_heap_table_size = 1073741824")
        for sql, filled in _fact_projections():
            updates = ", ".join(f"{m} = {m} + VALUES({m})" for m in filled)
            cursor.execute(f"INSERT INTO {daily} (day, {keys}, {measures}) {sql} ON DUPLICATE KEY UPDATE {updates}")
        cursor.execute(
            f"INSERT INTO {monthly} (month, {keys}, {measures}) "
            f"SELECT DATE_SUB(day, INTERVAL DAYOFMONTH(day) - 1 DAY) AS month, {keys}, {sums} "
            f"FROM {daily} GROUP BY month, {keys}"
        )
        cursor.execute(
            f"INSERT INTO {agency_monthly} (month, agency_id, channel, {measures}) "
            f"SELECT month, agency_id, channel, {sums} FROM {monthly} GROUP BY month, agency_id, channel"
        )
        cursor.execute(f"INSERT INTO {balance} ({keys}, {measures}) SELECT {keys}, {sums} FROM {daily} GROUP BY {keys}")
