"""Build the working calendar from the `holidays` package, the override table and the settings.

Caching: the package's holidays are a pure function of the years, cached per process. The
override table is read on every `get_calendar()` call: one indexed query on a table of a few
dozen rows, so an edit in the desk (or a load_site, or a rolled-back transaction) is seen at
once by every web and RQ process, with no invalidation to get wrong. Callers needing many
deadlines (a job, a report) take one calendar and reuse it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import holidays

from django.conf import settings
from django.utils import timezone

from .constants import OverrideKind
from .engine import DEFAULT_OFFICE_PERIODS, OfficePeriod, WorkCalendar, parse_office_periods
from .models import CalendarOverride


@dataclass(frozen=True)
class PackageCalendar:
    """What `holidays.VN` says for some years: weekday rest days and make-up working days."""

    days_off: frozenset[dt.date]
    extra_working_days: frozenset[dt.date]
    names: Mapping[dt.date, str]


@functools.lru_cache(maxsize=32)
def package_calendar(years: tuple[int, ...]) -> PackageCalendar:
    """Public holidays, substitute days and known swaps for `years`, in Vietnamese.

    holidays 0.109 already lists 24 November (Ngày Văn hóa Việt Nam) from 2026, so no
    built-in rule is added here; tests/calendars guards that it stays so.
    """
    vietnam = holidays.country_holidays("VN", years=years, language="vi")
    # weekend_workdays: Saturdays the package knows were worked in exchange for a day off.
    workdays: set[dt.date] = getattr(vietnam, "weekend_workdays", set())
    return PackageCalendar(
        days_off=frozenset(day for day in vietnam if day.year in years),
        extra_working_days=frozenset(day for day in workdays if day.year in years),
        names=MappingProxyType({day: str(name) for day, name in vietnam.items() if day.year in years}),
    )


@functools.lru_cache(maxsize=8)
def office_periods_from_text(text: str) -> tuple[OfficePeriod, ...]:
    return parse_office_periods(text)


def _span_years(years: Iterable[int] | None, at: dt.date | dt.datetime | None) -> tuple[int, ...]:
    if years is None:
        if isinstance(at, dt.datetime):
            anchor = timezone.localtime(at).date()
        else:
            anchor = at or timezone.localdate()
        # The year before (pauses and reports on older dossiers) to two years ahead (long deadlines).
        return tuple(range(anchor.year - 1, anchor.year + 3))
    chosen = sorted(set(years))
    if not chosen:
        raise ValueError("Phải chọn ít nhất một năm để dựng lịch làm việc.")
    # Fill the gaps: a hole in the years would let deadlines cross a year without holidays.
    return tuple(range(chosen[0], chosen[-1] + 1))


def build_calendar(
    *,
    years: Iterable[int],
    overrides: Iterable[tuple[dt.date, str, str]] = (),
    office_periods: tuple[OfficePeriod, ...] | None = None,
    outside_hours_counts_next_opening: bool = True,
) -> WorkCalendar:
    """Merge the package with announced overrides, given as (date, kind, name); no database.

    An override wins over the package: a `day_off` makes the date a rest day, a
    `working_day` makes it a working day even if it is a weekend or a package holiday.
    """
    span_years = _span_years(years, None)
    package = package_calendar(span_years)
    days_off, working, names = set(package.days_off), set(package.extra_working_days), dict(package.names)
    for day, kind, name in overrides:
        if kind == OverrideKind.DAY_OFF:
            days_off.add(day)
            working.discard(day)
        else:
            working.add(day)
            days_off.discard(day)
        names[day] = name
    return WorkCalendar(
        days_off=frozenset(days_off),
        extra_working_days=frozenset(working),
        office_periods=office_periods or DEFAULT_OFFICE_PERIODS,
        outside_hours_counts_next_opening=outside_hours_counts_next_opening,
        span=(dt.date(span_years[0], 1, 1), dt.date(span_years[-1], 12, 31)),
        names=names,
    )


def get_calendar(*, years: Iterable[int] | None = None, at: dt.date | dt.datetime | None = None) -> WorkCalendar:
    """The site's working calendar, reflecting the override table as it is now.

    `years` (filled to a contiguous range) bounds the calendar; by default it spans the year
    before `at` to two years after it, `at` defaulting to today in Asia/Ho_Chi_Minh. Office
    periods and the outside-hours rule come from ONESTOP_OFFICE_PERIODS and
    ONESTOP_OUTSIDE_HOURS_NEXT_OPENING.
    """
    span_years = _span_years(years, at)
    rows = CalendarOverride.objects.filter(
        date__range=(dt.date(span_years[0], 1, 1), dt.date(span_years[-1], 12, 31))
    ).values_list("date", "kind", "name")
    return build_calendar(
        years=span_years,
        overrides=rows,
        office_periods=office_periods_from_text(settings.ONESTOP_OFFICE_PERIODS),
        outside_hours_counts_next_opening=settings.ONESTOP_OUTSIDE_HOURS_NEXT_OPENING,
    )
