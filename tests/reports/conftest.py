import datetime as dt

import pytest


@pytest.fixture
def judged_in_2028(monkeypatch):
    """The worked examples are set in 2027: judge their periods at their own ends, as after 2027 is over
    (what is open is judged at a period's end, or today for a period not yet over)."""
    from onestop_tayninh.reports import periods

    monkeypatch.setattr(periods, "today", lambda: dt.date(2028, 1, 15))
