"""The agency's register of outgoing documents: two clerks issuing at once never get the same number,
and a refused issue gives its number back (dossiers.results.outgoing_number_next)."""

import threading

import pytest

from django.db import connection, transaction

from onestop_tayninh.dossiers.models import OutgoingRegister
from onestop_tayninh.dossiers.results import agency_abbreviation, outgoing_number_next
from tests.factories import AgencyFactory


@pytest.mark.django_db(transaction=True)
def test_two_clerks_at_once_never_get_the_same_number():
    agency = AgencyFactory()
    numbers: list[int] = []
    start = threading.Barrier(2)

    def clerk():
        try:
            start.wait()
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(outgoing_number_next(agency=agency, year=2027))
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == list(range(1, 11))
    assert OutgoingRegister.objects.get(agency=agency, year=2027).last_number == 10


@pytest.mark.django_db
def test_a_rolled_back_issue_gives_its_number_back_and_each_year_starts_at_one():
    agency = AgencyFactory()
    assert outgoing_number_next(agency=agency, year=2027) == 1
    try:
        with transaction.atomic():
            assert outgoing_number_next(agency=agency, year=2027) == 2
            raise RuntimeError("certificate refused")
    except RuntimeError:
        pass
    assert outgoing_number_next(agency=agency, year=2027) == 2
    assert outgoing_number_next(agency=agency, year=2028) == 1


@pytest.mark.django_db
def test_symbol_names_the_body():
    assert agency_abbreviation(AgencyFactory(kind="people_committee", name="Ủy ban nhân dân xã Tân Lập")) == "UBND"
    assert agency_abbreviation(AgencyFactory(kind="department", name="Sở Tư pháp", short_name="")) == "STP"
