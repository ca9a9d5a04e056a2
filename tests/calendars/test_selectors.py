"""get_calendar(): the package merged with the override table and the site settings."""

import datetime as dt

import pytest

from onestop_tayninh.calendars.constants import OverrideKind, TimeUnit
from onestop_tayninh.calendars.selectors import get_calendar
from tests.calendars.factories import CalendarOverrideFactory
from tests.calendars.helpers import at

pytestmark = pytest.mark.django_db

WD = TimeUnit.WORKING_DAYS
THURSDAY = at(2026, 3, 5, 9, 0)


def test_make_up_working_saturday_in_the_table_brings_the_due_date_earlier():
    assert get_calendar(years=[2026]).due_at(THURSDAY, 3, WD) == at(2026, 3, 10, 17, 0)
    CalendarOverrideFactory(working_day=True, date=dt.date(2026, 3, 7), name="Làm bù thứ Bảy")
    # Fri 6 (1), Sat 7 worked (2), Mon 9 (3).
    assert get_calendar(years=[2026]).due_at(THURSDAY, 3, WD) == at(2026, 3, 9, 17, 0)


def test_extra_day_off_in_the_table_pushes_the_due_date():
    CalendarOverrideFactory(date=dt.date(2026, 3, 9), name="Nghỉ thêm")
    # Fri 6 (1), Mon 9 off, Tue 10 (2), Wed 11 (3).
    assert get_calendar(years=[2026]).due_at(THURSDAY, 3, WD) == at(2026, 3, 11, 17, 0)


def test_editing_an_override_is_reflected_immediately():
    monday = dt.date(2026, 3, 9)
    override = CalendarOverrideFactory(date=monday)
    assert not get_calendar(years=[2026]).is_working_day(monday)

    override.date = dt.date(2026, 3, 10)
    override.save()
    calendar = get_calendar(years=[2026])
    assert calendar.is_working_day(monday)
    assert not calendar.is_working_day(dt.date(2026, 3, 10))

    override.delete()
    assert get_calendar(years=[2026]).is_working_day(dt.date(2026, 3, 10))


def test_working_day_override_wins_over_a_package_holiday():
    # Wed 10/2/2027 is mùng 5 Tết in the package; an announcement may keep it a working day.
    tet_day = dt.date(2027, 2, 10)
    assert not get_calendar(years=[2027]).is_working_day(tet_day)
    CalendarOverrideFactory(working_day=True, date=tet_day)
    assert get_calendar(years=[2027]).is_working_day(tet_day)


def test_day_off_override_cancels_a_package_make_up_saturday():
    saturday = dt.date(2026, 8, 22)
    CalendarOverrideFactory(kind=OverrideKind.DAY_OFF, date=saturday, name="Hủy làm bù")
    assert not get_calendar(years=[2026]).is_working_day(saturday)


def test_override_name_is_shown_for_the_date():
    CalendarOverrideFactory(date=dt.date(2026, 3, 9), name="Nghỉ bù Tết")
    assert get_calendar(years=[2026]).holiday_name(dt.date(2026, 3, 9)) == "Nghỉ bù Tết"


def test_default_span_covers_the_year_of_at_and_the_next_years():
    calendar = get_calendar(at=at(2026, 12, 30, 9, 0))
    assert calendar.span == (dt.date(2025, 1, 1), dt.date(2028, 12, 31))
    assert calendar.due_at(at(2026, 12, 30, 9, 0), 2, WD) == at(2027, 1, 4, 17, 0)


def test_years_with_a_gap_are_filled():
    assert get_calendar(years=[2026, 2028]).span == (dt.date(2026, 1, 1), dt.date(2028, 12, 31))


def test_get_calendar_costs_one_query(django_assert_num_queries):
    CalendarOverrideFactory(date=dt.date(2026, 3, 9))
    with django_assert_num_queries(1):
        get_calendar(years=[2026, 2027])


def test_office_hours_and_outside_hours_rule_come_from_settings(settings):
    settings.ONESTOP_OFFICE_PERIODS = "07:30-11:30,13:00-16:30"
    settings.ONESTOP_OUTSIDE_HOURS_NEXT_OPENING = False
    calendar = get_calendar(years=[2026])
    assert calendar.closing == dt.time(16, 30)
    saturday = at(2026, 3, 7, 10, 0)
    assert calendar.effective_receipt(saturday) == saturday


def test_bad_office_hours_setting_fails_the_system_check(settings):
    from onestop_tayninh.calendars.apps import check_office_periods

    settings.ONESTOP_OFFICE_PERIODS = "17:00-07:00"
    errors = check_office_periods()
    assert [error.id for error in errors] == ["calendars.E001"]
