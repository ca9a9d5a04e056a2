"""Bad input to the directory is refused with a Vietnamese message and nothing is saved."""

import pytest

from django.core.exceptions import ValidationError

from onestop_tayninh.accounts.constants import AccountKind
from onestop_tayninh.accounts.models import User
from onestop_tayninh.directory.constants import Tier
from onestop_tayninh.directory.models import AdministrativeUnit, Agency
from tests.factories import AgencyFactory, OfficialFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["000.00.14", "H53", "000.00.14.h53", "0000.00.14.H53", "000.0.14.H53"])
def test_invalid_agency_code_is_refused_in_vietnamese(code):
    agency = AgencyFactory.build(code=code, unit=UnitFactory())
    with pytest.raises(ValidationError) as exc:
        agency.full_clean()
    assert "code" in exc.value.message_dict
    assert (
        "Mã định danh cơ quan phải theo QCVN 102:2016 dạng V1V2V3.Z1Z2.Y1Y2.MX1X2, ví dụ 000.00.14.H53."
        in exc.value.message_dict["code"]
    )


def test_duplicate_agency_code_is_refused():
    existing = AgencyFactory(code="000.00.14.H53")
    duplicate = AgencyFactory.build(code="000.00.14.H53", unit=existing.unit)
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert exc.value.message_dict["code"] == ["Mã định danh cơ quan này đã được dùng."]


def test_unit_cannot_become_its_own_ancestor():
    province = UnitFactory(province=True)
    district = UnitFactory(parent=province)
    commune = UnitFactory(commune=True, parent=district)
    district.parent = commune
    with pytest.raises(ValidationError) as exc:
        district.full_clean()
    assert exc.value.message_dict["parent"] == ["Một đơn vị không thể là cấp trên của chính nó."]


def test_unit_parent_must_be_a_higher_tier():
    district = UnitFactory()
    other = UnitFactory.build(code="999", tier=Tier.DISTRICT, parent=district)
    with pytest.raises(ValidationError) as exc:
        other.full_clean()
    assert "cấp cao hơn" in exc.value.message_dict["parent"][0]


def test_reparenting_a_unit_moves_its_subtree_paths():
    province = UnitFactory(province=True)
    other_province = UnitFactory(province=True)
    district = UnitFactory(parent=province)
    commune = UnitFactory(commune=True, parent=district)
    district.parent = other_province
    district.save()
    commune.refresh_from_db()
    assert commune.path == f"{other_province.pk}/{district.pk}/{commune.pk}/"
    assert AdministrativeUnit.objects.filter(path__startswith=other_province.path).count() == 3


def _admin_client(client):
    admin = User.objects.create_superuser("quantri-test", "qt@example.vn", "Mat-khau-quan-tri-2026")
    client.force_login(admin)
    return client


def test_desk_refuses_invalid_agency_code_and_saves_nothing(client):
    unit = UnitFactory()
    client = _admin_client(client)
    response = client.post(
        "/desk/directory/agency/add/",
        {"code": "123.45", "name": "Sở Thử nghiệm", "kind": "department", "unit": unit.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Mã định danh cơ quan phải theo QCVN 102:2016" in response.content.decode()
    assert not Agency.objects.filter(name="Sở Thử nghiệm").exists()


def test_desk_refuses_an_official_without_agency(client):
    client = _admin_client(client)
    response = client.post(
        "/desk/accounts/user/add/",
        {
            "username": "canbo-moi",
            "kind": AccountKind.OFFICIAL,
            "full_name": "Trần Thị Mới",
            "email": "moi@example.vn",
            "password1": "Mat-khau-dai-2026!",
            "password2": "Mat-khau-dai-2026!",
            "official-TOTAL_FORMS": "1",
            "official-INITIAL_FORMS": "0",
            "official-MIN_NUM_FORMS": "0",
            "official-MAX_NUM_FORMS": "1",
            "official-0-agency": "",
            "official-0-position": "Chuyên viên",
        },
    )
    assert response.status_code == 200
    assert "Cán bộ phải thuộc một cơ quan" in response.content.decode()
    assert not User.objects.filter(username="canbo-moi").exists()


def test_desk_creates_an_official_with_agency(client):
    agency = AgencyFactory()
    client = _admin_client(client)
    response = client.post(
        "/desk/accounts/user/add/",
        {
            "username": "canbo-moi",
            "kind": AccountKind.OFFICIAL,
            "full_name": "Trần Thị Mới",
            "email": "moi@example.vn",
            "password1": "Mat-khau-dai-2026!",
            "password2": "Mat-khau-dai-2026!",
            "official-TOTAL_FORMS": "1",
            "official-INITIAL_FORMS": "0",
            "official-MIN_NUM_FORMS": "0",
            "official-MAX_NUM_FORMS": "1",
            "official-0-agency": agency.pk,
            "official-0-position": "Chuyên viên",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="canbo-moi").official.agency == agency


def test_official_factory_roles_are_groups():
    official = OfficialFactory(roles=["agency_head"])
    assert official.user.groups.get().role.code == "agency_head"
