"""The desk's dossier pages apply the row-level rule (core.rowlevel) and search folded names."""

import pytest

from django.contrib.auth.models import Permission

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_accept
from tests.factories import DossierFactory, OfficialFactory

from .conftest import local
from .helpers import complete_dossier, start

pytestmark = pytest.mark.django_db


def _can_view_dossiers(user):
    # TODO(dossiers intake): roles.py grants these to the desk roles; until then the tests grant them.
    user.user_permissions.add(Permission.objects.get(codename="view_dossier", content_type__app_label="dossiers"))
    return user


def test_official_of_another_agency_does_not_see_the_dossier(world):
    dossier = start(world)
    stranger = OfficialFactory(roles=["receiving_officer"])
    assert not Dossier.objects.visible_to(stranger.user).filter(pk=dossier.pk).exists()
    assert list(Dossier.objects.visible_to(world["officer"])) == [dossier]


def test_desk_answers_404_to_an_official_of_another_agency(client, world):
    dossier = start(world)
    stranger = OfficialFactory(roles=["receiving_officer"])
    client.force_login(_can_view_dossiers(stranger.user))
    assert client.get(f"/desk/dossiers/dossier/{dossier.pk}/change/").status_code == 404
    listing = client.get("/desk/dossiers/dossier/")
    assert listing.status_code == 200
    assert "Nguyễn Văn An" not in listing.content.decode()


def test_desk_lists_and_opens_own_agency_dossiers(client, world):
    dossier = dossier_accept(dossier=complete_dossier(world), officer=world["officer"], at=local(2027, 3, 3, 9, 30))
    client.force_login(_can_view_dossiers(world["officer"]))
    listing = client.get("/desk/dossiers/dossier/").content.decode()
    assert dossier.code in listing and "Nguyễn Văn An" in listing
    page = client.get(f"/desk/dossiers/dossier/{dossier.pk}/change/")
    assert page.status_code == 200
    assert "Giấy chứng sinh" in page.content.decode()


@pytest.mark.parametrize("text", ["nguyen van an", "Nguyễn Văn An", "072090001234"])
def test_desk_search_by_name_with_or_without_diacritics_and_cccd(client, world, text):
    found = start(world)
    start(world, full_name="Trần Thị Bé", cccd="072190004321")
    client.force_login(_can_view_dossiers(world["officer"]))
    response = client.get("/desk/dossiers/dossier/", {"q": text})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [found]


def test_desk_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    for i in range(5):
        start(world, full_name=f"Người {i}")
    client.force_login(_can_view_dossiers(world["officer"]))
    # 20: the drop-down filters read their choices (procedures, sectors, agencies, desks) and the calendar
    # gives the due-soon limit; the total of every visible dossier is no longer counted.
    with django_assert_max_num_queries(20):
        assert client.get("/desk/dossiers/dossier/").status_code == 200


def test_coordinator_sees_dossiers_of_agencies_in_their_unit(world):
    own = start(world)
    elsewhere = DossierFactory()
    coordinator = OfficialFactory(agency=world["agency"], roles=["province_coordinator"])
    visible = set(Dossier.objects.visible_to(coordinator.user))
    assert own in visible and elsewhere not in visible
