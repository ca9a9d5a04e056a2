"""Due dates under the legal counting rules (docs/domain.md §7), on the package's holidays, no database."""

import datetime as dt
from decimal import Decimal

from onestop_tayninh.calendars.constants import TimeUnit
from tests.calendars.helpers import at

WD = TimeUnit.WORKING_DAYS


def test_tet_2027_rest_days_from_the_package(calendar):
    # holidays.VN 0.109: 29 Tết (Thu 4/2) to mùng 5 (Wed 10/2), Tết days on the weekend given back.
    rest = list(calendar.rest_days(dt.date(2027, 2, 3), dt.date(2027, 2, 12)))
    assert rest == [dt.date(2027, 2, day) for day in range(4, 11)]
    assert calendar.is_working_day(dt.date(2027, 2, 11))


def test_five_working_days_from_friday_5_february_2027_land_after_tet(calendar):
    # Fri 5/2/2027 is Giao thừa, a holiday: the receipt counts at the opening of Thu 11/2,
    # which is not counted; days 1–5 are Fri 12, Mon 15, Tue 16, Wed 17, Thu 18.
    assert calendar.due_at(at(2027, 2, 5, 9, 0), 5, WD) == at(2027, 2, 18, 17, 0)


def test_five_working_days_from_tet_eve_without_next_opening_rule_start_the_day_after(calendar):
    # The holiday receipt day itself is not counted: days 1–5 are 11, 12, 15, 16, 17 February.
    due = calendar.due_at(at(2027, 2, 5, 9, 0), 5, WD, outside_hours_counts_next_opening=False)
    assert due == at(2027, 2, 17, 17, 0)


def test_first_day_is_not_counted(calendar):
    # Received at the opening on Monday 9/3/2026: one working day ends Tuesday, not Monday.
    assert calendar.due_at(at(2026, 3, 9, 7, 0), 1, WD) == at(2026, 3, 10, 17, 0)


def test_working_days_from_a_friday_land_on_the_nth_working_day_after_it(calendar):
    assert calendar.due_at(at(2026, 3, 6, 10, 0), 1, WD) == at(2026, 3, 9, 17, 0)
    assert calendar.due_at(at(2026, 3, 6, 10, 0), 5, WD) == at(2026, 3, 13, 17, 0)


def test_same_day_procedure_received_after_cutoff_is_due_next_working_day(calendar):
    due = calendar.due_at(at(2026, 3, 10, 15, 30), 0, WD, same_day_cutoff=dt.time(15, 0))
    assert due == at(2026, 3, 11, 17, 0)


def test_same_day_procedure_received_before_cutoff_is_due_same_day(calendar):
    due = calendar.due_at(at(2026, 3, 10, 14, 59), 0, WD, same_day_cutoff=dt.time(15, 0))
    assert due == at(2026, 3, 10, 17, 0)


def test_same_day_procedure_received_exactly_at_cutoff_is_due_same_day(calendar):
    due = calendar.due_at(at(2026, 3, 10, 15, 0), 0, WD, same_day_cutoff=dt.time(15, 0))
    assert due == at(2026, 3, 10, 17, 0)


def test_same_day_procedure_received_friday_after_cutoff_is_due_monday(calendar):
    due = calendar.due_at(at(2026, 3, 13, 16, 0), 0, WD, same_day_cutoff=dt.time(15, 0))
    assert due == at(2026, 3, 16, 17, 0)


def test_same_day_procedure_without_cutoff_received_after_closing_is_due_next_working_day(calendar):
    due = calendar.due_at(at(2026, 3, 10, 18, 0), 0, WD, outside_hours_counts_next_opening=False)
    assert due == at(2026, 3, 11, 17, 0)


def test_dossier_received_on_saturday_counts_from_monday(calendar):
    saturday = at(2026, 3, 7, 10, 0)
    assert calendar.effective_receipt(saturday, outside_hours_counts_next_opening=True) == at(2026, 3, 9, 7, 0)
    # So it is due exactly as if received at Monday's opening: Monday is not counted.
    assert calendar.due_at(saturday, 1, WD) == calendar.due_at(at(2026, 3, 9, 7, 0), 1, WD) == at(2026, 3, 10, 17, 0)


def test_dossier_received_in_the_evening_counts_from_next_opening(calendar):
    assert calendar.effective_receipt(at(2026, 3, 10, 19, 45)) == at(2026, 3, 11, 7, 0)


def test_dossier_received_at_lunch_counts_from_the_afternoon_opening(calendar):
    assert calendar.effective_receipt(at(2026, 3, 10, 12, 10)) == at(2026, 3, 10, 13, 30)


def test_receipt_outside_hours_keeps_its_instant_when_the_rule_is_off(calendar):
    received = at(2026, 3, 7, 10, 0)
    assert calendar.effective_receipt(received, outside_hours_counts_next_opening=False) == received


def test_calendar_days_deadline_landing_on_sunday_moves_to_monday(calendar):
    # Mon 2/3/2026 + 6 days = Sun 8/3 → Mon 9/3 (Civil Code art. 148).
    assert calendar.due_at(at(2026, 3, 2, 9, 0), 6, TimeUnit.DAYS) == at(2026, 3, 9, 17, 0)


def test_calendar_days_deadline_landing_on_a_holiday_moves_past_it(calendar):
    # Mon 20/4/2026 + 10 days = Thu 30/4; 30/4, 1/5 and the weekend are rest days → Mon 4/5.
    assert calendar.due_at(at(2026, 4, 20, 9, 0), 10, TimeUnit.DAYS) == at(2026, 5, 4, 17, 0)


def test_calendar_days_count_weekends_in_the_middle(calendar):
    assert calendar.due_at(at(2026, 3, 2, 9, 0), 10, TimeUnit.DAYS) == at(2026, 3, 12, 17, 0)


def test_hours_count_office_hours_only(calendar):
    # Fri 16:00–17:00 is 1 h, Mon 07:00–11:30 is 4.5 h, then 2.5 h after 13:30 → Mon 16:00.
    assert calendar.due_at(at(2026, 3, 6, 16, 0), 8, TimeUnit.HOURS) == at(2026, 3, 9, 16, 0)


def test_hours_ending_exactly_at_lunch_are_due_at_the_start_of_lunch(calendar):
    assert calendar.due_at(at(2026, 3, 9, 7, 0), Decimal("4.5"), TimeUnit.HOURS) == at(2026, 3, 9, 11, 30)


def test_fractional_hours_cross_the_lunch_break(calendar):
    assert calendar.due_at(at(2026, 3, 9, 11, 0), Decimal("1.5"), TimeUnit.HOURS) == at(2026, 3, 9, 14, 30)


def test_hours_from_a_receipt_on_a_rest_day_start_at_the_next_opening(calendar):
    due = calendar.due_at(at(2026, 3, 8, 10, 0), 2, TimeUnit.HOURS, outside_hours_counts_next_opening=False)
    assert due == at(2026, 3, 9, 9, 0)


def test_deadline_across_new_year_skips_the_holiday(calendar):
    # Wed 30/12/2026 + 2 working days: Thu 31/12, (Fri 1/1 holiday), Mon 4/1/2027.
    assert calendar.due_at(at(2026, 12, 30, 9, 0), 2, WD) == at(2027, 1, 4, 17, 0)


def test_vietnamese_culture_day_is_a_holiday_from_2026(calendar):
    # 24/11 became a public holiday from 2026; holidays 0.109 knows it (no built-in rule needed).
    assert not calendar.is_working_day(dt.date(2026, 11, 24))
    assert calendar.holiday_name(dt.date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert calendar.is_working_day(dt.date(2025, 11, 24))


def test_make_up_saturday_known_to_the_package_is_a_working_day(calendar):
    # National Day 2026: Monday 31/8 off, worked on Saturday 22/8.
    assert calendar.is_working_day(dt.date(2026, 8, 22))
    assert not calendar.is_working_day(dt.date(2026, 8, 31))
