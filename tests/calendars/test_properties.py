"""Properties that hold for every receipt, amount and unit (Hypothesis)."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from onestop_tayninh.calendars.constants import TimeUnit
from onestop_tayninh.calendars.selectors import build_calendar
from tests.calendars.helpers import VN

CALENDAR = build_calendar(years=range(2025, 2030))

instants = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=VN)
)
cutoffs = st.none() | st.times()


@settings(max_examples=300, deadline=None)
@given(
    received=instants,
    amount=st.integers(min_value=0, max_value=60),
    unit=st.sampled_from(TimeUnit),
    cutoff=cutoffs,
    next_opening=st.booleans(),
)
def test_due_date_is_never_on_a_rest_day_nor_before_receipt(received, amount, unit, cutoff, next_opening):
    due = CALENDAR.due_at(
        received, amount, unit, same_day_cutoff=cutoff, outside_hours_counts_next_opening=next_opening
    )
    assert due >= received
    assert CALENDAR.is_working_day(due.date())
    if unit != TimeUnit.HOURS:
        assert due.time() == CALENDAR.closing


@settings(max_examples=200, deadline=None)
@given(received=instants, amount=st.integers(min_value=1, max_value=30))
def test_one_more_working_day_is_never_earlier(received, amount):
    earlier = CALENDAR.due_at(received, amount, TimeUnit.WORKING_DAYS)
    assert CALENDAR.due_at(received, amount + 1, TimeUnit.WORKING_DAYS) > earlier


@settings(max_examples=200, deadline=None)
@given(start=instants, seconds=st.integers(min_value=0, max_value=40 * 8 * 3600))
def test_adding_working_seconds_then_measuring_them_gives_them_back(start, seconds):
    end = CALENDAR.add_working_seconds(start, seconds)
    assert CALENDAR.working_seconds_between(start, end) == seconds
