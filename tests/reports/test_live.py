"""The live path: a dossier event's commit derives the fact again; two workers at once count it once;
the recompute queues what changes while it runs."""

import pytest

from django.db import transaction

from onestop_tayninh.reports.constants import Outcome
from onestop_tayninh.reports.models import DailyRollup, DossierFact, PendingFact, RecomputeGuard, RollupBalance
from onestop_tayninh.reports.services import facts_refresh, indicators_recompute
from tests.reports.builders import Province, at
from tests.support import at_once
from tests.workflows.conftest import receive, world  # noqa: F401 - the fixture


def test_receiving_a_dossier_makes_its_fact_when_the_transaction_commits(world, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dossier = receive(world)
    # One refresh for the whole receipt, however many events it recorded.
    assert [c.__qualname__ for c in callbacks].count("refresh_after_commit.<locals>.run") == 1
    fact = DossierFact.objects.get(dossier_id=dossier.pk)
    assert fact.outcome == Outcome.OPEN
    assert fact.agency_id == world["justice"].competent_agency_id
    assert fact.received_on == at(1).date()
    assert RollupBalance.objects.get(agency_id=fact.agency_id).received == 1


def test_a_rolled_back_transaction_refreshes_nothing(world, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                receive(world)
                raise RuntimeError("bỏ")
        except RuntimeError:
            pass
    assert "refresh_after_commit.<locals>.run" not in [c.__qualname__ for c in callbacks]
    assert not DossierFact.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_one_dossier_at_once_count_it_once():
    p = Province()
    dossier = p.dossier(received=at(1), due=at(8, 17))
    DossierFact.objects.all().delete()
    DailyRollup.objects.all().delete()
    RollupBalance.objects.all().delete()

    results = at_once(lambda: facts_refresh(dossier_ids=[dossier.pk]), lambda: facts_refresh(dossier_ids=[dossier.pk]))

    assert sorted(results) == [0, 1]
    assert DailyRollup.objects.get(day=at(1).date()).received == 1


@pytest.mark.django_db(transaction=True)
def test_a_dossier_changed_while_the_recompute_runs_is_derived_at_its_end():
    p = Province()
    dossier = p.dossier(received=at(1), due=at(8, 17))
    RecomputeGuard.objects.update_or_create(pk=1, defaults={"recomputing_since": at(1)})
    type(dossier).objects.filter(pk=dossier.pk).update(closed_at=at(5), state=p.states["result_returned"])

    assert facts_refresh(dossier_ids=[dossier.pk]) == 0
    assert list(PendingFact.objects.values_list("dossier_id", flat=True)) == [dossier.pk]

    result = indicators_recompute()

    assert result["facts"] == 1
    assert DossierFact.objects.get(dossier_id=dossier.pk).outcome == Outcome.EARLY
    assert not PendingFact.objects.exists()
    assert RecomputeGuard.objects.get(pk=1).recomputing_since is None
