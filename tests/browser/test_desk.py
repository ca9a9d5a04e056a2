"""An official logs into the desk and opens an agency form, in a real browser."""

import pytest

from onestop_tayninh.directory.constants import AgencyKind
from tests.factories import PASSWORD, AgencyFactory, OfficialFactory, UnitFactory

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
