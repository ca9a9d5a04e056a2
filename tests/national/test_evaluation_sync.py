"""Indicator 1.4 follows the pushes: each dossier's evaluation fact keeps whether the national portal has its
latest state, refreshed by the job that reads the latest pushes (reports.services.facts_sync_refresh)."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop_tayninh.national.services import sync_push_due
from onestop_tayninh.reports import figures, periods
from onestop_tayninh.reports.models import DossierFact
from onestop_tayninh.reports.services import facts_refresh, facts_sync_refresh, indicators_recompute
from tests.factories import receiving_world

from .helpers import change, local, received

pytestmark = pytest.mark.django_db


def synced_in_march() -> tuple[int, int]:
    f = figures.period_figures(figures.Slice(), periods.month(2027, 3))
    return f["synced"], f["received"]


def test_the_facts_follow_the_portal_accepting_and_a_later_change_waiting(portal):
    """Two dossiers received in March 2027, their facts derived: none synced (0/2). The portal accepts
    both receipts at 10:00; the refresh job at 10:04 looks back 10 minutes: 2/2. One changes again (its
    new message waits): its fact is derived again with the change, 1/2. A refresh whose window holds no
    push changes nothing; the recompute from scratch agrees."""
    world = receiving_world()
    first = received(world, cccd="072090002001", at=local(2027, 3, 2, 9))
    second = received(world, cccd="072090002002", at=local(2027, 3, 3, 9))
    facts_refresh(dossier_ids=[first.pk, second.pk])
    assert synced_in_march() == (0, 2)

    pushed = local(2027, 3, 4, 10)
    assert sync_push_due(at=pushed)["accepted"] == 2
    assert facts_sync_refresh(at=pushed + dt.timedelta(minutes=4)) == 2
    assert synced_in_march() == (2, 2)
    assert DossierFact.objects.get(dossier=first).synced

    change(first)
    facts_refresh(dossier_ids=[first.pk])  # as the dossier event's commit does
    assert synced_in_march() == (1, 2)
    assert facts_sync_refresh(at=pushed + dt.timedelta(minutes=30)) == 0
    # The nightly recompute reads the same messages and adds up the same numbers.
    indicators_recompute()
    assert synced_in_march() == (1, 2)
