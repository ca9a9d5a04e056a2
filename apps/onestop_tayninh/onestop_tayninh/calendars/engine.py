"""The working-day calendar: pure arithmetic for processing deadlines (docs/domain.md §7).

Nothing here reads the database or the clock: the rest days, the make-up working days and
the office periods are fields of a `WorkCalendar`, and every instant is a parameter. Build a
calendar with `selectors.get_calendar()`; build one by hand in tests.

The legal rules applied:

* A working day is Monday to Friday, unless it is a public holiday (Labour Code 2019
  art. 112), a substitute day or a day the government announces off; a Saturday or Sunday
  announced as a make-up working day ("làm bù") is a working day.
* Civil Code 2015 art. 147: when a period is counted in days, the day of the event is not
  counted; counting starts the next day. So N working days from a receipt end on the Nth
  working day *after* the day of receipt.
* Civil Code 2015 art. 148: a period ends at the end of its last day, and a period whose last
  day is a rest day ends at the end of the next working day. Here "the end of the day" is the
  closing of the office (17:00 by default), since the result is handed over at the counter.
* Online submissions outside office hours count as received at the next opening (Decree
  45/2020/NĐ-CP art. 11 [check]); a per-site setting, so it is a flag here.
* Same-day procedures ("trong ngày") have a cut-off, often 15:00: a dossier received later is
  due the next working day. The cut-off is per procedure, so it is a parameter here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from types import MappingProxyType
from zoneinfo import ZoneInfo

from .constants import TIME_ZONE_NAME, TimeUnit

OfficePeriod = tuple[dt.time, dt.time]
Amount = int | Decimal

VIETNAM_TZ = ZoneInfo(TIME_ZONE_NAME)
DEFAULT_OFFICE_PERIODS: tuple[OfficePeriod, ...] = (
    (dt.time(7, 0), dt.time(11, 30)),
    (dt.time(13, 30), dt.time(17, 0)),
)
SECONDS_PER_HOUR = 3600


def parse_office_periods(text: str) -> tuple[OfficePeriod, ...]:
    """Parse "07:00-11:30,13:30-17:00" into office periods; raise ValueError in Vietnamese."""
    periods: list[OfficePeriod] = []
    for chunk in text.split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        try:
            start_text, end_text = chunk.split("-")
            periods.append((dt.time.fromisoformat(start_text.strip()), dt.time.fromisoformat(end_text.strip())))
        except ValueError as exc:
            raise ValueError(f"Giờ làm việc không hợp lệ: '{chunk}'. Viết theo dạng 07:00-11:30,13:30-17:00.") from exc
    return _checked_periods(tuple(periods))


def _checked_periods(periods: tuple[OfficePeriod, ...]) -> tuple[OfficePeriod, ...]:
    if not periods:
        raise ValueError("Phải có ít nhất một khoảng giờ làm việc trong ngày.")
    previous_end: dt.time | None = None
    for start, end in periods:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("Giờ làm việc là giờ địa phương, không kèm múi giờ.")
        if start >= end:
            raise ValueError(f"Khoảng giờ làm việc {start:%H:%M}-{end:%H:%M} phải kết thúc sau khi bắt đầu.")
        if previous_end is not None and start < previous_end:
            raise ValueError("Các khoảng giờ làm việc phải theo thứ tự và không chồng lên nhau.")
        previous_end = end
    return periods


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked, when the office is open, and deadline arithmetic over them.

    `days_off` holds the weekday rest days (holidays, substitute and announced days off);
    `extra_working_days` the announced make-up working days, which win over everything.
    `span` is the first and last date the rest-day data covers: asking about a date outside
    it raises ValueError rather than silently treating an unknown holiday as a working day.
    """

    days_off: frozenset[dt.date] = frozenset()
    extra_working_days: frozenset[dt.date] = frozenset()
    office_periods: tuple[OfficePeriod, ...] = DEFAULT_OFFICE_PERIODS
    outside_hours_counts_next_opening: bool = True
    span: tuple[dt.date, dt.date] | None = None
    tz: dt.tzinfo = VIETNAM_TZ
    names: Mapping[dt.date, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        # Accept any iterable/mapping from callers but keep the instance immutable.
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "extra_working_days", frozenset(self.extra_working_days))
        object.__setattr__(self, "office_periods", _checked_periods(tuple(self.office_periods)))
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))
        if self.span is not None and self.span[0] > self.span[1]:
            raise ValueError("Phạm vi lịch không hợp lệ: ngày đầu sau ngày cuối.")

    # Days ---------------------------------------------------------------------------------

    @property
    def opening(self) -> dt.time:
        return self.office_periods[0][0]

    @property
    def closing(self) -> dt.time:
        return self.office_periods[-1][1]

    def covers(self, day: dt.date) -> bool:
        return self.span is None or self.span[0] <= day <= self.span[1]

    def is_working_day(self, day: dt.date) -> bool:
        """Mon–Fri unless a day off; a listed make-up working day is always a working day."""
        if self.span is not None and not self.span[0] <= day <= self.span[1]:
            raise ValueError(
                f"Lịch làm việc chưa có dữ liệu ngày nghỉ cho ngày {day:%d/%m/%Y} "
                f"(chỉ có từ {self.span[0]:%d/%m/%Y} đến {self.span[1]:%d/%m/%Y})."
            )
        if day in self.extra_working_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def holiday_name(self, day: dt.date) -> str | None:
        """The name of the holiday or announced change on `day`, if any (for display)."""
        return self.names.get(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def working_day_on_or_after(self, day: dt.date) -> dt.date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The nth working day after `day`; `day` itself is never counted (art. 147)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"Số ngày làm việc phải là số nguyên không âm (nhận được: {n!r}).")
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    # Instants -----------------------------------------------------------------------------

    def local(self, moment: dt.datetime) -> dt.datetime:
        """`moment` in the calendar's time zone; naive datetimes are refused (ambiguous)."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("Thời điểm phải kèm múi giờ (datetime aware), ví dụ Asia/Ho_Chi_Minh.")
        return moment.astimezone(self.tz)

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz)

    def closing_on(self, day: dt.date) -> dt.datetime:
        """The end of office hours on `day`: the instant a day-counted deadline expires."""
        return self._at(day, self.closing)

    def office_segments(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The office periods of `day` as aware intervals; none on a rest day."""
        if not self.is_working_day(day):
            return []
        return [(self._at(day, start), self._at(day, end)) for start, end in self.office_periods]

    def is_office_time(self, moment: dt.datetime) -> bool:
        """Whether the counter is open at `moment` (both ends of a period included)."""
        moment = self.local(moment)
        return any(start <= moment <= end for start, end in self.office_segments(moment.date()))

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """`moment` itself during office time, else the start of the next office period."""
        moment = self.local(moment)
        if self.is_office_time(moment):
            return moment
        for start, _end in self.office_segments(moment.date()):
            if start > moment:
                return start
        return self._at(self.next_working_day(moment.date()), self.opening)

    def effective_receipt(
        self, received_at: dt.datetime, *, outside_hours_counts_next_opening: bool | None = None
    ) -> dt.datetime:
        """The instant a dossier counts as received.

        With the flag on, a receipt outside office hours (evening, lunch break, rest day)
        counts as received at the next opening; with it off, the actual instant counts.
        `None` uses the calendar's own setting (ONESTOP_OUTSIDE_HOURS_NEXT_OPENING).
        """
        if outside_hours_counts_next_opening is None:
            outside_hours_counts_next_opening = self.outside_hours_counts_next_opening
        received_at = self.local(received_at)
        return self.next_opening(received_at) if outside_hours_counts_next_opening else received_at

    # Office time --------------------------------------------------------------------------

    def working_seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Office time, in whole seconds, between two instants (negative if `end` < `start`).

        Used to measure a supplement pause and whether a step finished early, on time or late.
        """
        start, end = self.local(start), self.local(end)
        if end < start:
            return -self.working_seconds_between(end, start)
        total = dt.timedelta()
        day = start.date()
        while day <= end.date():
            for seg_start, seg_end in self.office_segments(day):
                overlap = min(seg_end, end) - max(seg_start, start)
                if overlap > dt.timedelta():
                    total += overlap
            day += dt.timedelta(days=1)
        return int(total.total_seconds())

    def add_working_seconds(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """The instant at which `seconds` of office time have elapsed after `start`.

        Used for deadlines in hours and to push a due date by a pause measured with
        `working_seconds_between`. Zero returns `start` unchanged.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
            raise ValueError(f"Số giây làm việc phải là số nguyên không âm (nhận được: {seconds!r}).")
        cursor = self.local(start)
        remaining = dt.timedelta(seconds=seconds)
        if not remaining:
            return cursor
        day = cursor.date()
        while True:
            for seg_start, seg_end in self.office_segments(day):
                if seg_end <= cursor:
                    continue
                begin = max(seg_start, cursor)
                available = seg_end - begin
                # Finishing exactly at a period's end gives that end (11:30), not the next opening.
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += dt.timedelta(days=1)

    # Deadlines ----------------------------------------------------------------------------

    def due_at(
        self,
        received_at: dt.datetime,
        amount: Amount,
        unit: TimeUnit | str,
        *,
        same_day_cutoff: dt.time | None = None,
        outside_hours_counts_next_opening: bool | None = None,
    ) -> dt.datetime:
        """The instant the result is due for a dossier received at `received_at`.

        * working_days: the closing time of the `amount`-th working day after the day of
          (effective) receipt; the receipt day is not counted (art. 147).
        * days: calendar days from the receipt day; a last day that is a rest day moves to
          the next working day (art. 148); due at its closing time.
        * hours: office hours only, across the lunch break and rest days; due at that instant.
        * amount 0 in a day unit is a same-day procedure: received at or before the cut-off
          (`same_day_cutoff`, else closing time) on a working day, due that day at closing;
          otherwise due the next working day at closing. The cut-off only applies here.
        """
        unit = _checked_unit(unit)
        amount = _checked_amount(amount, unit)
        if same_day_cutoff is not None and same_day_cutoff.tzinfo is not None:
            raise ValueError("Giờ chốt nhận hồ sơ là giờ địa phương, không kèm múi giờ.")
        receipt = self.effective_receipt(
            received_at, outside_hours_counts_next_opening=outside_hours_counts_next_opening
        )
        if unit == TimeUnit.HOURS:
            seconds = int((amount * SECONDS_PER_HOUR).to_integral_value(rounding=ROUND_CEILING))
            return self.add_working_seconds(self.next_opening(receipt), seconds)

        days = int(amount)
        receipt_day = receipt.date()
        if days == 0:
            # A cut-off after closing would let a deadline fall before the receipt.
            cutoff = min(same_day_cutoff or self.closing, self.closing)
            if self.is_working_day(receipt_day) and receipt.time() <= cutoff:
                return self.closing_on(receipt_day)
            return self.closing_on(self.next_working_day(receipt_day))
        if unit == TimeUnit.WORKING_DAYS:
            return self.closing_on(self.add_working_days(receipt_day, days))
        return self.closing_on(self.working_day_on_or_after(receipt_day + dt.timedelta(days=days)))

    def rest_days(self, first: dt.date, last: dt.date) -> Iterator[dt.date]:
        """Every rest day from `first` to `last` inclusive (for calendars shown to users)."""
        day = first
        while day <= last:
            if not self.is_working_day(day):
                yield day
            day += dt.timedelta(days=1)


def _checked_unit(unit: TimeUnit | str) -> TimeUnit:
    try:
        return TimeUnit(unit)
    except ValueError:
        allowed = ", ".join(TimeUnit.values)
        raise ValueError(f"Đơn vị thời hạn không hợp lệ: {unit!r}. Chỉ dùng một trong: {allowed}.") from None


def _checked_amount(amount: Amount, unit: TimeUnit) -> Decimal:
    """Validate a processing time: a non-negative int or Decimal, whole for day units."""
    # bool is an int and float is binary-inexact: both are mistakes in procedure data.
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise ValueError(f"Thời hạn giải quyết phải là số nguyên hoặc Decimal (nhận được: {amount!r}).")
    try:
        value = Decimal(amount)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise ValueError(f"Thời hạn giải quyết không hợp lệ: {amount!r}.") from None
    if value < 0:
        raise ValueError(f"Thời hạn giải quyết không được là số âm (nhận được: {amount}).")
    if unit != TimeUnit.HOURS and value != value.to_integral_value():
        raise ValueError(
            f"Thời hạn tính theo ngày phải là số nguyên (nhận được: {amount}); "
            "hãy quy đổi phần lẻ sang giờ làm việc, ví dụ 0,5 ngày làm việc thành 4 giờ làm việc."
        )
    return value
