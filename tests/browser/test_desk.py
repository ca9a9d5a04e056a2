"""An official logs into the desk and opens an agency form, in a real browser."""

import pytest

from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.core.site_config import load_site
from onestop_tayninh.directory.constants import AgencyKind
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    OfficialFactory,
    ProcedureVersionFactory,
    UnitFactory,
    make_publishable,
)
from tests.workflows.conftest import SECTIONS, receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_system_admin_logs_in_and_opens_an_agency_form(live_server, page, screenshot):
    province = UnitFactory(province=True, name="Tỉnh Tây Ninh")
    agency = AgencyFactory(
        code="000.00.01.H53", name="Sở Tư pháp tỉnh Tây Ninh", kind=AgencyKind.DEPARTMENT, unit=province
    )
    admin = OfficialFactory(agency=agency, roles=["system_admin"], user__username="quantri")

    page.goto(f"{live_server.url}/desk/")
    page.get_by_label("Tên đăng nhập").fill(admin.user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.wait_for_selector("text=Bàn làm việc")
    assert "Sở Tư pháp tỉnh Tây Ninh" in page.content()
    assert "Quản trị hệ thống" in page.content()
    screenshot(page, "desk-home")

    page.get_by_role("link", name="Cơ quan", exact=True).first.click()
    page.get_by_role("link", name="000.00.01.H53").click()
    page.wait_for_selector("input[name=code]")
    assert page.input_value("input[name=code]") == "000.00.01.H53"
    assert page.input_value("input[name=name]") == "Sở Tư pháp tỉnh Tây Ninh"
    screenshot(page, "desk-agency-form")


LONG_PROCEDURE = (
    "Cấp Chứng chỉ hành nghề dược (bao gồm cả trường hợp cấp Chứng chỉ hành nghề dược nhưng Chứng chỉ "
    "hành nghề dược bị thu hồi theo quy định) theo hình thức xét hồ sơ"
)


def test_the_dossier_list_reads_at_a_laptops_width(live_server, official_login, screenshot):
    """Long procedure names once squeezed the list into one word a line and pushed the dates off screen."""
    load_site("tayninh", only=SECTIONS)
    desk = ReceptionDesk.objects.get(code="ttphcc-tinh")
    version = ProcedureVersionFactory(
        complete=True, level=2, name=LONG_PROCEDURE, competent_agency=Agency.objects.get(code="000.00.02.H53")
    )
    make_publishable(version)
    version.receiving_desks.set([desk])
    receive({"desk": desk, "justice": procedure_version_publish(version=version)})

    context, page = official_login("tiepnhan.tinh")
    page.goto(f"{live_server.url}/desk/dossiers/dossier/")
    row = page.locator("#result_list tbody tr").first
    assert row.locator("td.field-procedure").bounding_box()["height"] < 100  # a few lines, not twenty
    assert row.locator("td.field-procedure span").get_attribute("title") == LONG_PROCEDURE
    due = row.locator("td.field-due").bounding_box()
    assert due["x"] + due["width"] <= 1366  # on screen
    assert row.locator("td.field-applicant small").inner_text() == "Trực tiếp"
    table = page.locator("#result_list").bounding_box()
    results = page.locator("#changelist .results").bounding_box()
    assert table["width"] <= results["width"] + 1  # no sideways scrolling
    screenshot(page, "desk-dossier-list")
    context.close()
