"""The row-level rule: officials see their own agency; coordinators their unit and below."""

import pytest

from onestop_tayninh.directory.models import Agency, ReceptionDesk
from tests.factories import AgencyFactory, DeskFactory, OfficialFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_world():
    province = UnitFactory(province=True, name="Tỉnh Tây Ninh")
    tan_bien = UnitFactory(parent=province, name="Huyện Tân Biên")
    hoa_thanh = UnitFactory(parent=province, name="Thị xã Hòa Thành")
    commune = UnitFactory(commune=True, parent=tan_bien, name="Thị trấn Tân Biên")
    return {
        "province_office": AgencyFactory(unit=province, name="Văn phòng UBND tỉnh"),
        "tan_bien": AgencyFactory(unit=tan_bien, name="UBND huyện Tân Biên"),
        "hoa_thanh": AgencyFactory(unit=hoa_thanh, name="UBND thị xã Hòa Thành"),
        "tan_bien_town": AgencyFactory(unit=commune, name="UBND thị trấn Tân Biên"),
    }


def test_official_sees_only_own_agency(province_world):
    official = OfficialFactory(agency=province_world["tan_bien"], roles=["handling_officer"])
    assert list(Agency.objects.visible_to(official.user)) == [province_world["tan_bien"]]


def test_district_coordinator_sees_own_unit_and_below(province_world):
    official = OfficialFactory(agency=province_world["tan_bien"], roles=["province_coordinator"])
    visible = set(Agency.objects.visible_to(official.user))
    assert visible == {province_world["tan_bien"], province_world["tan_bien_town"]}


def test_province_coordinator_sees_the_whole_province(province_world):
    official = OfficialFactory(agency=province_world["province_office"], roles=["province_coordinator"])
    assert set(Agency.objects.visible_to(official.user)) == set(province_world.values())


def test_user_without_official_profile_sees_nothing(province_world, django_user_model):
    citizen = django_user_model.objects.create_user("congdan", password="x", kind="citizen")
    assert not Agency.objects.visible_to(citizen).exists()


def test_desks_follow_their_agency(province_world):
    own = DeskFactory(agency=province_world["tan_bien"])
    DeskFactory(agency=province_world["hoa_thanh"])
    official = OfficialFactory(agency=province_world["tan_bien"], roles=["receiving_officer"])
    assert list(ReceptionDesk.objects.visible_to(official.user)) == [own]


def test_desk_hides_and_refuses_another_districts_agency(client, province_world):
    official = OfficialFactory(agency=province_world["tan_bien"], roles=["agency_head"])
    client.force_login(official.user)
    listing = client.get("/desk/directory/agency/")
    assert listing.status_code == 200
    assert "UBND huyện Tân Biên" in listing.content.decode()
    assert "Hòa Thành" not in listing.content.decode()
    other = province_world["hoa_thanh"]
    assert client.get(f"/desk/directory/agency/{other.pk}/change/").status_code == 404
    assert client.get(f"/desk/directory/agency/{province_world['tan_bien'].pk}/change/").status_code == 200


def test_desk_lets_the_province_coordinator_open_every_district(client, province_world):
    official = OfficialFactory(agency=province_world["province_office"], roles=["province_coordinator"])
    client.force_login(official.user)
    other = province_world["hoa_thanh"]
    response = client.get(f"/desk/directory/agency/{other.pk}/change/")
    assert response.status_code == 200
    assert "UBND thị xã Hòa Thành" in response.content.decode()


def test_desk_home_shows_agency_and_role(client, province_world):
    official = OfficialFactory(agency=province_world["tan_bien"], roles=["receiving_officer"])
    client.force_login(official.user)
    page = client.get("/desk/").content.decode()
    assert "UBND huyện Tân Biên" in page
    assert "Cán bộ tiếp nhận" in page
