"""A citizen searches the catalogue, opens a procedure and downloads a form, on a phone and on a desktop."""

import pytest

from onestop_tayninh.catalog.services import procedure_version_publish
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import ProcedureVersionFactory, SectorFactory, make_publishable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    birth = procedure_version_publish(
        version=make_publishable(ProcedureVersionFactory(complete=True, level=3, name="Đăng ký khai sinh"))
    )
    procedure_version_publish(
        version=make_publishable(
            ProcedureVersionFactory(
                complete=True,
                level=2,
                name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
                sector=SectorFactory(code="XAYDUNG", name="Xây dựng"),
            )
        )
    )
    return birth


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_search_open_and_download_a_form(live_server, browser, screenshot, catalogue, viewport):
    context = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    width = "phone" if viewport is PHONE else "desktop"
    try:
        page.goto(f"{live_server.url}/")
        screenshot(page, f"portal-home-{width}")
        page.get_by_label("Tìm thủ tục").fill("dang ky khai sinh")
        page.get_by_role("button", name="Tìm kiếm").click()
        page.wait_for_selector("text=Tìm thấy 1 thủ tục.")
        assert "giấy phép xây dựng" not in page.content()
        screenshot(page, f"portal-catalogue-{width}")

        page.get_by_role("link", name="Đăng ký khai sinh").click()
        page.wait_for_selector("h1:has-text('Đăng ký khai sinh')")
        assert page.get_by_role("link", name="Nộp hồ sơ trực tuyến").is_visible()
        screenshot(page, f"portal-procedure-{width}")

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Tải mẫu").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".pdf")
        with open(download.path(), "rb") as handle:
            assert handle.read(4) == b"%PDF"
    finally:
        context.close()


def test_filters_narrow_the_catalogue(live_server, page, catalogue):
    page.goto(f"{live_server.url}/thu-tuc/")
    page.wait_for_selector("text=Tìm thấy 2 thủ tục.")
    page.locator(".filters summary").click()
    page.get_by_label("Dịch vụ công trực tuyến").select_option("information")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_selector("text=Tìm thấy 1 thủ tục.")
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" in page.content()
