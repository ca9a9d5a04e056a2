"""The reconciliation: received dossiers whose latest change the national portal does not have, the share
it has, and indicator 1.4 read from it (each dossier's evaluation fact keeps whether it is synced, the sums
add them up: reports.selectors.national_figures)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from onestop_tayninh.national.constants import SyncStatus
from onestop_tayninh.national.models import SyncMessage
from onestop_tayninh.national.selectors import sync_share, unsynced_dossiers
from onestop_tayninh.reports import figures, periods
from onestop_tayninh.reports.indicators import Inputs, indicator
from onestop_tayninh.reports.selectors import national_figures
from onestop_tayninh.reports.services import facts_refresh
from tests.factories import receiving_world

from .helpers import change, local, received

pytestmark = pytest.mark.django_db


def test_unsynced_dossiers_and_indicator_1_4(django_capture_on_commit_callbacks):
    """Received in March 2027:
    - A: both its changes accepted by the portal: synced;
    - B: its receipt accepted, a later change still waiting: not synced (the portal has an old state);
    - C: its receipt rejected: not synced;
    - D: received before the sync began (no message at all): not synced.
    E, received in February and synced, is not in March's figures.

    March: 1 synced of 4 received = 25.00 %; 1.4's 4 points × 25/100 = 1.00. Everywhere: A and E synced,
    2 of 5. The reconciliation lists B, C and D, not A or E."""
    world = receiving_world()
    with django_capture_on_commit_callbacks(execute=True):
        a = received(world, cccd="072090000001", at=local(2027, 3, 2, 9))
        b = received(world, cccd="072090000002", at=local(2027, 3, 3, 9))
        c = received(world, cccd="072090000003", at=local(2027, 3, 4, 9))
        d = received(world, cccd="072090000004", at=local(2027, 3, 5, 9))
        e = received(world, cccd="072090000005", at=local(2027, 2, 10, 9))
    change(a)
    SyncMessage.objects.filter(dossier__in=[a, b, e]).update(status=SyncStatus.ACCEPTED)
    change(b)
    SyncMessage.objects.filter(dossier=c).update(status=SyncStatus.REJECTED, error_code="E05", error_reason="Sai mã")
    SyncMessage.objects.filter(dossier=d).delete()

    # The pushes' results reach the evaluation's facts (the job every 5 minutes; here for every dossier).
    facts_refresh(dossier_ids=[x.pk for x in (a, b, c, d, e)])
    march = national_figures(figures.period_figures(figures.Slice(), periods.month(2027, 3)))
    item = indicator("1.4")
    value = item.compute(
        Inputs(figures=figures.Figures(), catalogue={}, feedback=None, office_day_seconds=8 * 3600, national=march)
    )

    assert march == {"received": 4, "synced": 1}
    assert (value.numerator, value.denominator, value.value) == (1, 4, Decimal("25.00"))
    assert item.score(value) == Decimal("1.00")
    assert sync_share() == {"received": 5, "synced": 2}
    assert set(unsynced_dossiers()) == {b, c, d}


def test_1_4_is_left_out_where_it_is_not_measured():
    item = indicator("1.4")
    value = item.compute(Inputs(figures=figures.Figures(), catalogue={}, feedback=None, office_day_seconds=1))
    assert value.value is None and item.score(value) is None
