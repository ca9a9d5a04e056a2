"""The daily sums kept live equal the from-scratch recompute, for random histories; the office clock
equals the calendar's; the live path follows the dossier events."""

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.reports import figures, periods
from onestop_tayninh.reports.constants import MEASURES
from onestop_tayninh.reports.facts import OfficeClock
from onestop_tayninh.reports.models import AgencyMonthlyRollup, DailyRollup, DossierFact, MonthlyRollup, RollupBalance
from onestop_tayninh.reports.services import facts_refresh, indicators_recompute
from tests.reports.builders import VN, Province

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("judged_in_2028")]


def stored() -> dict:
    """Every non-zero row of the four sums, and every fact."""
    out = {}
    full = ("agency_id", "desk_id", "procedure_id", "channel")
    for model, keys in (
        (DailyRollup, ("day", *full)),
        (MonthlyRollup, ("month", *full)),
        (AgencyMonthlyRollup, ("month", "agency_id", "channel")),
        (RollupBalance, full),
    ):
        for row in model.objects.values(*keys, *MEASURES):
            measures = tuple(row[m] for m in MEASURES)
            if any(measures):
                out[(model.__name__, *(row[k] for k in keys))] = measures
    for fact in DossierFact.objects.values():
        out[("fact", fact["dossier_id"])] = tuple(sorted(fact.items()))
    return out


def test_office_clock_equals_the_calendar():
    calendar = get_calendar(years=[2026, 2027])
    clock = OfficeClock(calendar)
    rng = random.Random(7)
    start = dt.datetime(2026, 1, 1, tzinfo=VN)
    for _ in range(300):
        a = start + dt.timedelta(minutes=rng.randrange(0, 660 * 24 * 60))
        b = max(start, a + dt.timedelta(minutes=rng.randrange(-60 * 24 * 30, 60 * 24 * 30)))
        assert clock.seconds_between(a, b) == calendar.working_seconds_between(a, b), (a, b)


DAY = st.integers(min_value=0, max_value=80)
CHANGE = st.fixed_dictionaries(
    {
        "dossier": st.integers(min_value=0, max_value=5),
        "received": DAY,
        "due_after": st.integers(min_value=-5, max_value=20),
        "closed_after": st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
        "kind": st.sampled_from(["result_returned", "refused", "withdrawn"]),
        "paused": st.booleans(),
        "counted_late": st.booleans(),
        "channel": st.sampled_from(["desk", "online", "zalo", "post"]),
        "province": st.integers(min_value=0, max_value=1),
        "status": st.sampled_from(["received", "received", "received", "to_check"]),
    }
)


@pytest.fixture
def provinces(db):
    # Made once for all the examples (Hypothesis runs them in the test's one transaction).
    return [Province(), Province()]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(CHANGE, min_size=1, max_size=14))
def test_live_sums_equal_the_recompute_for_random_histories(provinces, history):
    """Dossiers are written again and again (received, moved to another body, closed, reopened by a
    correction, paused, counted late, withdrawn): after each write the live path moves the sums; at the
    end the recompute from scratch must store exactly the same rows, and any period's figures agree."""
    from onestop_tayninh.dossiers.models import Dossier

    Dossier.objects.all().delete()
    for model in (DossierFact, DailyRollup, MonthlyRollup, AgencyMonthlyRollup, RollupBalance):
        model.objects.all().delete()
    origin = dt.datetime(2027, 1, 4, 9, 0, tzinfo=VN)
    dossiers: dict[int, int] = {}
    for change in history:
        p = provinces[change["province"]]
        received = origin + dt.timedelta(days=change["received"], hours=change["received"] % 7)
        closed = (
            received + dt.timedelta(days=change["closed_after"], hours=3)
            if change["closed_after"] is not None
            else None
        )
        values = {
            "procedure_version": p.version,
            "receiving_desk": p.desk,
            "receiving_agency": p.agency,
            "current_agency": p.agency,
            "status": change["status"],
            "channel": change["channel"],
            "received_at": received,
            "due_at": received + dt.timedelta(days=change["due_after"]),
            "closed_at": closed,
            "state": p.states[change["kind"] if closed else ("awaiting_citizen" if change["paused"] else "at_agency")],
            "paused_at": received + dt.timedelta(days=1) if change["paused"] and not closed else None,
            "counted_late": change["counted_late"],
            "supplement_count": 2 if change["counted_late"] else 0,
        }
        pk = dossiers.get(change["dossier"])
        if pk is None:
            fields = {k: v for k, v in values.items() if k not in ("received_at", "due_at", "closed_at")}
            dossier = p.dossier(received=received, due=values["due_at"], closed=closed, **fields)
            dossiers[change["dossier"]] = dossier.pk
        else:
            dossier = Dossier.objects.get(pk=pk)
            for name, value in values.items():
                setattr(dossier, name, value)
            dossier.save()
            facts_refresh(dossier_ids=[pk])

    live = stored()
    windows = [periods.month(2027, m) for m in (1, 2, 3, 4)] + [
        periods.day_range(dt.date(2027, 1, 20), dt.date(2027, 3, 9))
    ]
    live_figures = [figures.period_figures(figures.Slice(), w) for w in windows]

    indicators_recompute()

    assert stored() == live
    assert [figures.period_figures(figures.Slice(), w) for w in windows] == live_figures
    # The province's figures come from the sums by (body, channel); naming the procedures makes them come
    # from the sums by the full key: the same numbers, period by period and month by month.
    procedures = tuple(DossierFact.objects.values_list("procedure_id", flat=True).distinct())
    assert [figures.period_figures(figures.Slice(procedure_ids=procedures), w) for w in windows] == live_figures
    months = [dt.date(2027, m, 1) for m in range(1, 6)]
    assert figures.monthly_trend(figures.Slice(procedure_ids=procedures), months) == figures.monthly_trend(
        figures.Slice(), months
    )
    # An official's figures come from their facts in one aggregate: with every fact theirs, the same numbers.
    DossierFact.objects.update(official_id=4242)
    for window, got in zip(windows, live_figures, strict=True):
        assert figures.period_figures(figures.Slice(official_id=4242), window) == got
    # And the period sums read through months and days equal the facts added up by hand.
    facts = list(DossierFact.objects.values())
    for window, got in zip(windows, live_figures, strict=True):
        received = sum(1 for f in facts if window.start <= f["received_on"] <= window.end)
        closed = sum(1 for f in facts if f["closed_on"] and window.start <= f["closed_on"] <= window.end)
        still_open = sum(
            1
            for f in facts
            if f["received_on"] <= window.end and (f["closed_on"] is None or f["closed_on"] > window.end)
        )
        assert (got["received"], got["closed"], got.open_at_end) == (received, closed, still_open)
