"""Periods the evaluation is asked about: a month, a quarter, a year, or a range of days.

A period is read from the page's query string; whatever is wrong with it (a reversed range, a year
from another century, a month 13) is refused with a message in Vietnamese, never guessed at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.calendars.engine import VIETNAM_TZ

from .constants import PeriodKind

#: The earliest year asked about, and how far a range may reach.
FIRST_YEAR = 2015
MAX_RANGE_DAYS = 366 * 5


class PeriodError(ValueError):
    """A period that cannot be asked about; the message says why, in Vietnamese."""


def today() -> dt.date:
    return timezone.now().astimezone(VIETNAM_TZ).date()


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    #: The last day, included.
    end: dt.date

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return _("Tháng %(month)s/%(year)s") % {"month": f"{self.start.month:02d}", "year": self.start.year}
        if self.kind == PeriodKind.QUARTER:
            return _("Quý %(quarter)s/%(year)s") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == PeriodKind.YEAR:
            return _("Năm %(year)s") % {"year": self.start.year}
        return _("Từ %(start)s đến %(end)s") % {"start": f"{self.start:%d/%m/%Y}", "end": f"{self.end:%d/%m/%Y}"}

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> Iterator[dt.date]:
        """The first day of every month the period touches."""
        month = self.start.replace(day=1)
        while month <= self.end:
            yield month
            month = add_months(month, 1)

    def previous(self) -> Period:
        """The period of the same kind just before (a range: the same number of days before)."""
        if self.kind == PeriodKind.MONTH:
            return month(
                self.start.year if self.start.month > 1 else self.start.year - 1, (self.start.month - 2) % 12 + 1
            )
        if self.kind == PeriodKind.QUARTER:
            first = add_months(self.start, -3)
            return quarter(first.year, (first.month - 1) // 3 + 1)
        if self.kind == PeriodKind.YEAR:
            return year(self.start.year - 1)
        return Period(PeriodKind.RANGE, self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def as_query(self) -> dict[str, str]:
        """The query string that asks for this period again (`parse` reads it)."""
        if self.kind == PeriodKind.MONTH:
            return {"ky": "thang", "nam": str(self.start.year), "thang": str(self.start.month)}
        if self.kind == PeriodKind.QUARTER:
            return {"ky": "quy", "nam": str(self.start.year), "quy": str((self.start.month - 1) // 3 + 1)}
        if self.kind == PeriodKind.YEAR:
            return {"ky": "nam", "nam": str(self.start.year)}
        return {"ky": "khoang", "tu": self.start.isoformat(), "den": self.end.isoformat()}


def _year(value: int) -> int:
    if not FIRST_YEAR <= value <= today().year + 1:
        raise PeriodError(_("Năm phải từ %(first)s đến %(last)s.") % {"first": FIRST_YEAR, "last": today().year + 1})
    return value


def month(year_: int, month_: int) -> Period:
    if not 1 <= month_ <= 12:
        raise PeriodError(_("Tháng phải từ 1 đến 12."))
    start = dt.date(_year(year_), month_, 1)
    return Period(PeriodKind.MONTH, start, month_end(start))


def quarter(year_: int, quarter_: int) -> Period:
    if not 1 <= quarter_ <= 4:
        raise PeriodError(_("Quý phải từ 1 đến 4."))
    start = dt.date(_year(year_), 3 * quarter_ - 2, 1)
    return Period(PeriodKind.QUARTER, start, month_end(add_months(start, 2)))


def year(year_: int) -> Period:
    return Period(PeriodKind.YEAR, dt.date(_year(year_), 1, 1), dt.date(year_, 12, 31))


def day_range(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise PeriodError(_("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
    _year(start.year)
    _year(end.year)
    if (end - start).days >= MAX_RANGE_DAYS:
        raise PeriodError(_("Khoảng thời gian dài nhất là 5 năm."))
    return Period(PeriodKind.RANGE, start, end)


def current_month() -> Period:
    now = today()
    return month(now.year, now.month)


def _int(query: Mapping[str, str], name: str, label: str) -> int:
    value = (query.get(name) or "").strip()
    if not value.isdigit() or len(value) > 4:
        raise PeriodError(_("Hãy chọn %(label)s.") % {"label": label})
    return int(value)


def _date(query: Mapping[str, str], name: str, label: str) -> dt.date:
    value = (query.get(name) or "").strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        try:
            return dt.datetime.strptime(value, "%d/%m/%Y").date()
        except ValueError:
            raise PeriodError(_("%(label)s không đúng dạng ngày (ngày/tháng/năm).") % {"label": label}) from None


def parse(query: Mapping[str, str], *, default: Period | None = None) -> Period:
    """The period a query string asks for: ky=thang&nam=2026&thang=11, ky=quy&nam=2026&quy=4,
    ky=nam&nam=2026, ky=khoang&tu=2026-01-01&den=2026-03-31; none at all gives `default`
    (this month)."""
    kind = (query.get("ky") or "").strip()
    if not kind:
        return default or current_month()
    if kind == "thang":
        return month(_int(query, "nam", _("năm")), _int(query, "thang", _("tháng")))
    if kind == "quy":
        return quarter(_int(query, "nam", _("năm")), _int(query, "quy", _("quý")))
    if kind == "nam":
        return year(_int(query, "nam", _("năm")))
    if kind == "khoang":
        return day_range(_date(query, "tu", _("Ngày bắt đầu")), _date(query, "den", _("Ngày kết thúc")))
    raise PeriodError(_("Kỳ báo cáo không hợp lệ."))
