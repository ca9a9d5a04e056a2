"""A period's bounds as instants in Vietnam time (for reads of tables kept by the instant)."""

from __future__ import annotations

import datetime as dt

from onestop_tayninh.calendars.engine import VIETNAM_TZ

from .periods import Period


def period_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the period: its first day's midnight to the midnight after its last day."""
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=VIETNAM_TZ)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=VIETNAM_TZ)
    return start, end
