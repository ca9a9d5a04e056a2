import pytest

from onestop_tayninh.calendars.engine import WorkCalendar
from onestop_tayninh.calendars.selectors import build_calendar


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    """The package's holidays for 2025–2028, default office hours, no overrides (no database)."""
    return build_calendar(years=range(2025, 2029))
