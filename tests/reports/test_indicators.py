"""Worked examples of the Decision 766 indicators: small hand-made data sets, the expected number
worked out in each docstring (docs/domain.md §9)."""

from decimal import Decimal

import pytest

from onestop_tayninh.reports import figures, periods
from onestop_tayninh.reports.constants import UnitKind
from onestop_tayninh.reports.indicators import Inputs, indicator, scorecard
from onestop_tayninh.reports.selectors import Unit
from tests.reports.builders import Province, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("judged_in_2028")]

MARCH = periods.month(2027, 3)


def inputs(province: Province, period=MARCH, **catalogue) -> Inputs:
    where = figures.Slice(agency_ids=(province.agency.pk,))
    return Inputs(
        figures=figures.period_figures(where, period),
        catalogue={
            "published": 0,
            "complete": 0,
            "online": 0,
            "online_with_dossiers": 0,
            "online_payment": 0,
            "paid_online_procedures": 0,
            **catalogue,
        },
        feedback=None,
        office_day_seconds=8 * 3600,
    )


def value(code: str, data: Inputs):
    item = indicator(code)
    result = item.compute(data)
    return result, item.score(result)


def test_on_time_rate_subtracts_supplement_time_counts_a_second_request_late_and_judges_open_dossiers_at_the_end():
    """March 2027, one body:

    - A received 1/3, due 8/3, resolved 5/3: early.
    - B received 2/3, due 9/3 17:00, resolved 9/3 10:00: on time.
    - C received 3/3, due 10/3, resolved 12/3: late.
    - D received 4/3, due 11/3, resolved 10/3, but asked for a supplement twice: late.
    - E received 10/3, due 17/3 pushed to 18/3 by one day waiting for the citizen's supplement
      (the engine adds the paused office time), resolved 18/3 10:00: on time — the supplement time
      is not counted against it.
    - F received 25/3, due 1/4, open on 31/3: judged at the period's end, not yet due: on time.
    - G received 20/3, due 27/3, open on 31/3: late.
    - H received and resolved in February: not in March.
    - I received 15/3, withdrawn 16/3: not judged.

    Judged: resolved in March A B C D E (5) + open at the end F G (2) = 7.
    On time: A B E + F = 4.  Rate 4 / 7 = 57.142… → 57.14 %.  Points 14 × 0.5714… = 8.00.
    """
    p = Province()
    p.dossier(received=at(1), due=at(8, 17), closed=at(5))
    p.dossier(received=at(2), due=at(9, 17), closed=at(9, 10))
    p.dossier(received=at(3), due=at(10, 17), closed=at(12))
    p.dossier(received=at(4), due=at(11, 17), closed=at(10), supplement_count=2, counted_late=True)
    p.dossier(received=at(10), due=at(18, 17), closed=at(18, 10), supplement_count=1, paused_seconds=8 * 3600)
    p.dossier(received=at(25), due=at(1, 17, month=4))
    p.dossier(received=at(20), due=at(27, 17))
    p.dossier(received=at(10, month=2), due=at(17, month=2), closed=at(15, month=2))
    p.dossier(received=at(15), due=at(22, 17), closed=at(16), kind="withdrawn")

    result, score = value("2.1", inputs(p))

    assert (result.numerator, result.denominator, result.value) == (4, 7, Decimal("57.14"))
    assert score == Decimal("8.00")


def test_an_unfinished_dossier_is_judged_at_the_end_of_each_period_it_spans():
    """Received 20/2, due 5/3, still open. At the end of February it was not yet due: on time, 1/1 =
    100 %. At the end of March it is past due: late, 0/1 = 0 %."""
    p = Province()
    p.dossier(received=at(20, month=2), due=at(5, 17))

    february = value("2.1", inputs(p, periods.month(2027, 2)))[0]
    march = value("2.1", inputs(p))[0]

    assert (february.numerator, february.denominator, february.value) == (1, 1, Decimal("100.00"))
    assert (march.numerator, march.denominator, march.value) == (0, 1, Decimal("0.00"))


def test_a_dossier_waiting_for_the_citizen_is_not_late_while_it_waits():
    """Received 1/3, due 8/3, paused on 5/3 for a supplement and still waiting on 31/3: the clock stopped,
    so it is open and on time at the end of March: 1/1."""
    p = Province()
    p.dossier(received=at(1), due=at(8, 17), paused_at=at(5), supplement_count=1, kind="awaiting_citizen")

    result = value("2.1", inputs(p))[0]

    assert (result.numerator, result.denominator) == (1, 1)


def test_a_zero_denominator_is_shown_as_a_dash_and_earns_no_points():
    """No dossier at all in April 2026: every dossier-based rate is "—" (None), scores None, and the
    scorecard leaves those points out of what it could compute."""
    p = Province()

    data = inputs(p, periods.month(2026, 4))
    card = scorecard(data)

    for code in ("2.1", "2.2", "3.3", "3.6", "4.1", "4.2", "4.3", "5.1", "5.4", "5.5"):
        assert card.get(code).value.value is None, code
        assert card.get(code).score is None, code
    assert card.available_points == Decimal(0)
    assert card.score_100 is None


def test_average_processing_time_is_in_working_days_without_the_supplement_time():
    """Two dossiers resolved in March, procedure time 5 working days (office day 8 h, 7:00–11:30 and
    13:00–16:30):
    - received Mon 1/3 08:00, resolved Thu 4/3 08:00: 3 working days (24 office hours);
    - received Mon 8/3 08:00, resolved Mon 15/3 08:00: 5 working days, of which one day (8 h) waiting
      for the citizen: 4 working days.
    Average (3 + 4) / 2 = 3.50 working days; within the legal 5 days: every point (6.00)."""
    p = Province()
    p.dossier(received=at(1, 8), due=at(8, 17), closed=at(4, 8))
    p.dossier(received=at(8, 8), due=at(16, 17), closed=at(15, 8), paused_seconds=8 * 3600, supplement_count=1)

    result, score = value("2.2", inputs(p))

    assert result.value == Decimal("3.50")
    assert score == Decimal("6.00")


def test_online_rate_counts_the_portal_and_zalo_and_earns_every_point_at_half():
    """Four dossiers received in March: two on the portal, one through Zalo, one at the desk.
    Online 3 / 4 = 75.00 %: at or above the 50 % full-score rate, every point (8.00).
    With one online of four (25 %): 8 × 25 / 50 = 4.00."""
    p = Province()
    for channel in ("online", "online", "zalo", "desk"):
        p.dossier(received=at(2), due=at(9, 17), channel=channel)

    result, score = value("3.3", inputs(p))
    assert (result.numerator, result.denominator, result.value, score) == (3, 4, Decimal("75.00"), Decimal("8.00"))

    q = Province()
    for channel in ("online", "desk", "desk", "post"):
        q.dossier(received=at(2), due=at(9, 17), channel=channel)
    assert value("3.3", inputs(q))[1] == Decimal("4.00")


def test_digitisation_reuse_and_electronic_results():
    """Three dossiers received and resolved in March:
    - X has two scanned components, one of them taken from the citizen's vault, and an electronic result
      with its file: digitised, reused, e-result;
    - Y has one scanned component and a paper result (no file): not digitised (its result is not), no reuse;
    - Z has no component on file: not digitised.
    4.1 e-results 1/3 = 33.33 %; 4.2 digitised 1/3 = 33.33 % (8 × 33.33/80 = 3.33); 4.3 reused 1/3 = 33.33 %."""
    from django.core.files.base import ContentFile

    from onestop_tayninh.dossiers.models import DossierDocument
    from onestop_tayninh.reports.services import facts_refresh
    from tests.support import tiny_pdf

    p = Province()
    x = p.dossier(received=at(1), due=at(8, 17), closed=at(5), result_electronic=True, result_issued_at=at(4))
    y = p.dossier(received=at(1), due=at(8, 17), closed=at(5), result_issued_at=at(4))
    p.dossier(received=at(1), due=at(8, 17), closed=at(5))
    x.result_file.save("kq.pdf", ContentFile(tiny_pdf("kq")), save=True)
    for dossier, reused in ((x, True), (x, False), (y, False)):
        document = DossierDocument(
            dossier=dossier, original_name="a.pdf", content_type="application/pdf", size=10, uploaded_at=at(1)
        )
        document.file.save("a.pdf", ContentFile(tiny_pdf("a")), save=False)
        if reused:
            document.reused_result = x
        document.save()
    facts_refresh(dossier_ids=[x.pk, y.pk])

    data = inputs(p)
    assert value("4.1", data)[0].value == Decimal("33.33")
    assert value("4.2", data) == (value("4.2", data)[0], Decimal("3.33"))
    assert value("4.2", data)[0].value == Decimal("33.33")
    assert value("4.3", data)[0].value == Decimal("33.33")


def test_satisfaction_takes_the_late_rate_and_the_unhappy_rate_from_one_hundred():
    """Four dossiers resolved in March: one late; one whose citizen rated it "not satisfied"; one with a
    complaint (PAKN) about it; one fine. Late rate 1/4 = 25 %, unhappy 2/4 = 50 %:
    5.4 = 100 − (25 + 50) = 25.00 %; points 12 × 25/90 = 3.33."""
    from onestop_tayninh.dossiers.events import FeedbackReceived
    from onestop_tayninh.portal.models import ServiceRating
    from onestop_tayninh.reports.services import facts_refresh
    from tests.factories import hand_built_event

    p = Province()
    p.dossier(received=at(1), due=at(8, 17), closed=at(10))
    rated = p.dossier(received=at(1), due=at(8, 17), closed=at(5))
    complained = p.dossier(received=at(1), due=at(8, 17), closed=at(5))
    p.dossier(received=at(1), due=at(8, 17), closed=at(5))
    ServiceRating.objects.create(dossier=rated, satisfied=False, answers={"conduct": "0"}, score=0, created_at=at(6))
    hand_built_event(complained, FeedbackReceived(feedback_id=1, complaint=True, channel="online"), at=at(6))
    facts_refresh(dossier_ids=[rated.pk, complained.pk])

    result, score = value("5.4", inputs(p))

    assert result.value == Decimal("25.00")
    assert score == Decimal("3.33")


def test_rating_indices_score_two_one_zero():
    """Circular 01/2018 art. 13 per dossier, resolved in March:
    - early, no supplement: time 2 + visits 2 = 4 of 4; the citizen rated conduct 2 and guidance 1: 3 of 4;
      7 of 8 in all;
    - late with an apology (1), asked for a supplement twice (1): 2 of 4, no rating.
    Total 9 of 12 = 75.00 %."""
    from onestop_tayninh.portal.models import ServiceRating
    from onestop_tayninh.reports.services import facts_refresh

    p = Province()
    good = p.dossier(received=at(1), due=at(8, 17), closed=at(5))
    p.dossier(received=at(1), due=at(8, 17), closed=at(12), apology_count=1, supplement_count=2, counted_late=True)
    ServiceRating.objects.create(
        dossier=good, satisfied=True, answers={"conduct": "2", "guidance": "1"}, score=3, created_at=at(6)
    )
    facts_refresh(dossier_ids=[good.pk])

    result = value("5.1", inputs(p))[0]

    assert (result.numerator, result.denominator, result.value) == (9, 12, Decimal("75.00"))


def test_catalogue_indicators_count_the_units_procedures():
    """Province-wide with two published procedures: one level 3 with every part and an online dossier in
    March, one level 2 without its legal basis. 1.1 complete 1/2 = 50 %; 3.1 online 1/2 = 50 %
    (4 × 50/80 = 2.50); 3.2 online with a dossier 1/1 = 100 %."""
    from onestop_tayninh.catalog.models import ProcedureVersion
    from onestop_tayninh.reports.selectors import catalogue_figures

    p = Province()
    ProcedureVersion.objects.filter(pk=p.version.pk).update(
        status="published", steps="Nộp hồ sơ", legal_basis="Luật Hộ tịch"
    )
    p.version.documents.create(name="Tờ khai")
    other = Province()
    ProcedureVersion.objects.filter(pk=other.version.pk).update(status="published", level=2, steps="x", legal_basis="")
    p.dossier(received=at(2), due=at(9, 17), channel="online")
    unit = Unit(UnitKind.PROVINCE, None, "Toàn tỉnh", figures.Slice())

    catalogue = catalogue_figures(unit, MARCH)
    data = inputs(p, **catalogue)

    assert value("1.1", data)[0].value == Decimal("50.00")
    assert value("3.1", data) == (value("3.1", data)[0], Decimal("2.50"))
    assert value("3.2", data)[0].value == Decimal("100.00")


def test_a_period_not_yet_over_judges_its_open_dossiers_today(monkeypatch):
    """Today is 10/3/2027. A dossier received 1/3, due 20/3, still open: not late today, so March so far
    is 1/1 on time; judged at 31/3 it would count late though nothing has gone wrong yet."""
    from onestop_tayninh.reports import periods as period_module

    p = Province()
    p.dossier(received=at(1), due=at(20, 17))
    monkeypatch.setattr(period_module, "today", lambda: at(10).date())

    result = value("2.1", inputs(p))[0]

    assert (result.numerator, result.denominator) == (1, 1)
