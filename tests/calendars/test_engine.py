"""The engine on its own: office time arithmetic, hand-built calendars and refused input."""

import datetime as dt
from decimal import Decimal

import pytest

from onestop_tayninh.calendars.constants import TimeUnit
from onestop_tayninh.calendars.engine import WorkCalendar, parse_office_periods
from tests.calendars.helpers import VN, at


def test_working_seconds_between_skip_lunch_break_and_weekend(calendar):
    # Fri 11:00–11:30 + 13:30–17:00 = 4 h; Mon 07:00–11:30 + 13:30–14:00 = 5 h.
    assert calendar.working_seconds_between(at(2026, 3, 6, 11, 0), at(2026, 3, 9, 14, 0)) == 9 * 3600


def test_working_seconds_between_across_lunch_only(calendar):
    assert calendar.working_seconds_between(at(2026, 3, 9, 11, 0), at(2026, 3, 9, 14, 0)) == 3600


def test_working_seconds_between_is_negative_when_end_precedes_start(calendar):
    assert calendar.working_seconds_between(at(2026, 3, 9, 14, 0), at(2026, 3, 9, 11, 0)) == -3600


def test_working_seconds_between_outside_hours_is_zero(calendar):
    assert calendar.working_seconds_between(at(2026, 3, 7, 8, 0), at(2026, 3, 8, 16, 0)) == 0


def test_add_working_seconds_shifts_a_due_date_by_a_pause(calendar):
    # A 2-hour supplement pause pushes a Friday-closing due date to Monday 09:00.
    assert calendar.add_working_seconds(at(2026, 3, 6, 17, 0), 2 * 3600) == at(2026, 3, 9, 9, 0)


def test_add_working_seconds_zero_returns_the_start(calendar):
    assert calendar.add_working_seconds(at(2026, 3, 6, 17, 0), 0) == at(2026, 3, 6, 17, 0)


def test_instants_in_other_time_zones_are_converted(calendar):
    # 02:00 UTC is 09:00 in Vietnam.
    received = dt.datetime(2026, 3, 9, 2, 0, tzinfo=dt.UTC)
    assert calendar.effective_receipt(received) == at(2026, 3, 9, 9, 0)
    assert calendar.due_at(received, 1, TimeUnit.WORKING_DAYS).tzinfo == VN


def test_next_working_day_and_add_working_days(calendar):
    assert calendar.next_working_day(dt.date(2026, 3, 6)) == dt.date(2026, 3, 9)
    assert calendar.add_working_days(dt.date(2026, 3, 6), 0) == dt.date(2026, 3, 6)
    assert calendar.add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 23)


def test_extra_working_day_wins_over_day_off_in_a_hand_built_calendar():
    saturday = dt.date(2026, 3, 7)
    cal = WorkCalendar(days_off={saturday}, extra_working_days={saturday})
    assert cal.is_working_day(saturday)


def test_custom_office_periods_change_closing_and_hours():
    cal = WorkCalendar(office_periods=parse_office_periods("07:30-11:30, 13:00-16:30"))
    assert cal.due_at(at(2026, 3, 9, 9, 0), 1, TimeUnit.WORKING_DAYS) == at(2026, 3, 10, 16, 30)
    assert cal.due_at(at(2026, 3, 9, 11, 0), 1, TimeUnit.HOURS) == at(2026, 3, 9, 13, 30)


def test_negative_amount_is_refused_in_vietnamese(calendar):
    with pytest.raises(ValueError, match="Thời hạn giải quyết không được là số âm"):
        calendar.due_at(at(2026, 3, 9, 9, 0), -1, TimeUnit.WORKING_DAYS)


def test_unknown_unit_is_refused_in_vietnamese(calendar):
    with pytest.raises(ValueError, match="Đơn vị thời hạn không hợp lệ: 'weeks'"):
        calendar.due_at(at(2026, 3, 9, 9, 0), 1, "weeks")


@pytest.mark.parametrize("amount", [Decimal("0.5"), Decimal("2.25")])
def test_fractional_days_are_refused_with_a_hint_to_use_hours(calendar, amount):
    with pytest.raises(ValueError, match="quy đổi phần lẻ sang giờ làm việc"):
        calendar.due_at(at(2026, 3, 9, 9, 0), amount, TimeUnit.WORKING_DAYS)


@pytest.mark.parametrize("amount", [True, 1.5, "3", Decimal("NaN")])
def test_amounts_of_the_wrong_type_are_refused(calendar, amount):
    with pytest.raises(ValueError, match="Thời hạn giải quyết"):
        calendar.due_at(at(2026, 3, 9, 9, 0), amount, TimeUnit.HOURS)


def test_naive_datetime_is_refused(calendar):
    with pytest.raises(ValueError, match="phải kèm múi giờ"):
        calendar.due_at(dt.datetime(2026, 3, 9, 9, 0), 1, TimeUnit.WORKING_DAYS)


def test_date_outside_the_calendar_span_is_refused(calendar):
    with pytest.raises(ValueError, match="chưa có dữ liệu ngày nghỉ cho ngày 01/01/2029"):
        calendar.due_at(at(2028, 12, 29, 9, 0), 5, TimeUnit.WORKING_DAYS)


@pytest.mark.parametrize("text", ["", "07:00", "11:30-07:00", "07:00-12:00,11:00-17:00", "7h-11h"])
def test_bad_office_periods_are_refused(text):
    with pytest.raises(ValueError):
        parse_office_periods(text)


def test_office_periods_parse():
    assert parse_office_periods("07:00-11:30,13:30-17:00") == (
        (dt.time(7, 0), dt.time(11, 30)),
        (dt.time(13, 30), dt.time(17, 0)),
    )
