"""The demo province kept between tests (tests/province.py) leaks nothing from one test to the next."""

import pytest

from onestop_tayninh.directory.models import AdministrativeUnit, ReceptionDesk
from onestop_tayninh.dossiers.models import Dossier
from tests.province import KEEPER
from tests.workflows.conftest import receive, world  # noqa: F401 - `world` is a fixture


@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_test_starts_from_the_province_as_loaded(world, request, turn):  # noqa: F811
    desk = ReceptionDesk.objects.get(code="ttphcc-tinh")
    assert desk.pk == world["desk"].pk and desk.name == "Trung tâm Phục vụ hành chính công tỉnh Tây Ninh"
    assert not desk.transfer_on_receipt
    assert not Dossier.objects.exists() and not AdministrativeUnit.objects.filter(code="999").exists()
    # What this test writes is rolled back before the other turn (run next, in the same process).
    receive(world)
    desk.name = "Đổi tên"
    desk.save(update_fields=["name"])
    AdministrativeUnit.objects.create(code="999", name="Huyện Thêm", tier="district", kind="Huyện")
    if KEEPER.blocker is not None and turn == "second":
        assert KEEPER.serves(request.node), "the province was loaded again instead of kept"


@pytest.mark.django_db
def test_a_test_without_the_province_sees_none_of_it():
    assert not ReceptionDesk.objects.filter(code="ttphcc-tinh").exists()
    assert KEEPER.atomic is None
