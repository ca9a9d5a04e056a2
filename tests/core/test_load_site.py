"""`load_site` applies a site's configuration idempotently."""

import pytest

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from onestop_tayninh.accounts.models import User
from onestop_tayninh.catalog.constants import CompetentBasis
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.directory.constants import RoleCode
from onestop_tayninh.directory.models import AdministrativeUnit, Agency, Official, ReceptionDesk

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SNAPSHOT_APPS = ("directory", "accounts", "catalog", "calendars", "workflows", "auth")


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every domain table, as plain values, ordered by primary key."""
    tables = {}
    for model in apps.get_models():
        if model._meta.app_label not in SNAPSHOT_APPS:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in ("last_login",)]
        tables[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
        for m2m in model._meta.many_to_many:
            through = getattr(model, m2m.name).through
            tables[through._meta.label] = list(through.objects.order_by("pk").values_list())
    return tables


def test_loading_tayninh_twice_gives_identical_data():
    call_command("load_site", "tayninh", verbosity=0)
    first = snapshot()
    call_command("load_site", "tayninh", verbosity=0)
    assert snapshot() == first
    # The seed's three tiers: the province, its 9 district-level units, communes.
    assert AdministrativeUnit.objects.filter(tier="district").count() == 9
    assert Agency.objects.get(code="000.00.00.H53").name == "Ủy ban nhân dân tỉnh Tây Ninh"
    assert ReceptionDesk.objects.filter(kind="province_centre").exists()
    for code in RoleCode.values:
        assert Official.objects.filter(user__groups__role__code=code).exists(), code
    # The three-tier catalogue as its law has it: a house permit from the district where it is built, a
    # death registered where the deceased last lived, a will certified wherever it is asked.
    decided = {
        version.procedure.code: version
        for version in ProcedureVersion.objects.filter(status__in=["published", "draft"]).select_related("procedure")
    }
    assert decided["1.009994"].competent_description == "UBND cấp huyện nơi xây dựng công trình"
    assert (decided["1.009994"].processing_amount, decided["1.009994"].processing_unit) == (15, "days")
    assert decided["1.000656"].competent_description == "UBND cấp xã nơi cư trú cuối cùng của người chết"
    assert decided["1.001612"].competent_description == "UBND cấp huyện nơi đặt trụ sở hộ kinh doanh"
    assert decided["2.001019"].competent_basis == CompetentBasis.RECEIVING_DESK
    assert decided["2.000488"].processing_unit == "days"


def test_demo_officials_can_log_in(client, settings):
    from onestop_tayninh.core.site_config import load_site

    load_site("tayninh", only={"units.yaml", "agencies.yaml", "desks.yaml", "officials.yaml"})
    user = User.objects.get(username="tiepnhan.tinh")
    assert client.login(username=user.username, password=settings.DEMO_PASSWORD)
    assert client.get("/desk/").status_code == 200


# The 2025 site's load, reload and contents: tests/sites/test_tayninh_2025.py.


def test_unknown_site_is_a_clear_error():
    with pytest.raises(CommandError, match="Không tìm thấy cấu hình site 'khong-co'"):
        call_command("load_site", "khong-co", verbosity=0)
