"""Dossier codes: <agency code>-<YYMMDD>-<NNNN>, one sequence per agency and local day (Circular 01/2018)."""

import threading

import pytest

from django.db import connection, transaction

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_accept, dossier_code_issue
from tests.factories import AgencyFactory, DeskFactory

from .conftest import local
from .helpers import complete_dossier


@pytest.mark.django_db
def test_code_has_agency_date_and_four_digit_sequence():
    agency = AgencyFactory(code="000.00.14.H53")
    with transaction.atomic():
        first = dossier_code_issue(agency=agency, day=local(2027, 3, 3).date())
        second = dossier_code_issue(agency=agency, day=local(2027, 3, 3).date())
    assert first == "000.00.14.H53-270303-0001"
    assert second == "000.00.14.H53-270303-0002"


@pytest.mark.django_db
def test_sequence_restarts_per_agency_and_per_day():
    one, other = AgencyFactory(code="000.00.14.H53"), AgencyFactory(code="000.00.15.H53")
    with transaction.atomic():
        dossier_code_issue(agency=one, day=local(2027, 3, 3).date())
        assert dossier_code_issue(agency=other, day=local(2027, 3, 3).date()) == "000.00.15.H53-270303-0001"
        assert dossier_code_issue(agency=one, day=local(2027, 3, 4).date()) == "000.00.14.H53-270304-0001"
        assert dossier_code_issue(agency=one, day=local(2027, 3, 3).date()) == "000.00.14.H53-270303-0002"


@pytest.mark.django_db
def test_accept_uses_the_desk_agency_and_the_local_date(world):
    dossier = complete_dossier(world)
    # 23:30 UTC on 2 March is already 3 March in Viet Nam.
    accepted = dossier_accept(dossier=dossier, officer=world["officer"], at=local(2027, 3, 3, 6, 30))
    assert accepted.code == f"{world['desk'].agency.code}-270303-0001"


@pytest.mark.django_db
def test_code_does_not_change_when_the_dossier_is_saved_again(world):
    dossier = dossier_accept(dossier=complete_dossier(world), officer=world["officer"], at=local(2027, 3, 3, 9, 30))
    code = dossier.code
    dossier.full_name = "Nguyễn Văn Bình"
    dossier.save()
    dossier.refresh_from_db()
    assert dossier.code == code


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_receipts_at_one_desk_get_fifty_consecutive_codes():
    from tests.factories import receiving_world

    world = receiving_world()
    dossiers = [complete_dossier(world, full_name=f"Người nộp {i}") for i in range(50)]
    at = local(2027, 3, 3, 9, 30)
    barrier = threading.Barrier(50)
    errors: list[BaseException] = []

    def receive(dossier: Dossier) -> None:
        try:
            barrier.wait(timeout=30)
            dossier_accept(dossier=dossier, officer=world["officer"], at=at)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=receive, args=(dossier,)) for dossier in dossiers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    codes = sorted(Dossier.objects.values_list("code", flat=True))
    prefix = f"{world['agency'].code}-270303-"
    assert codes == [f"{prefix}{n:04d}" for n in range(1, 51)]


@pytest.mark.django_db
def test_a_rolled_back_receipt_does_not_burn_a_number():
    agency = DeskFactory().agency
    day = local(2027, 3, 3).date()
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_code_issue(agency=agency, day=day)
        raise RuntimeError("rollback")
    with transaction.atomic():
        assert dossier_code_issue(agency=agency, day=day).endswith("-0001")
