"""A citizen searches the catalogue, opens a procedure and downloads a form as PDF and as Word, on a phone
and on a desktop."""

import pytest
from docx import Document

from django.core.files.base import ContentFile

from onestop_tayninh.catalog.docx_forms import form_docx
from onestop_tayninh.catalog.services import procedure_version_publish
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import ProcedureVersionFactory, SectorFactory, make_publishable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    draft = make_publishable(ProcedureVersionFactory(complete=True, level=3, name="Đăng ký khai sinh"))
    form = draft.documents.get(is_form=True)
    form.name = "Tờ khai đăng ký khai sinh"
    source = '<h1>Tờ khai đăng ký khai sinh</h1><div class="f"><span class="l">Họ, chữ đệm, tên:</span></div>'
    form.template_docx.save("to-khai.docx", ContentFile(form_docx(source)), save=False)
    form.save()
    birth = procedure_version_publish(version=draft)
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

        page.locator(".documents").scroll_into_view_if_needed()
        screenshot(page, f"portal-procedure-form-templates-{width}")
        # On a phone the documents stack instead of squeezing five columns: nothing scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Tải mẫu (PDF)").click()
        download = download_info.value
        assert download.suggested_filename == "Mẫu - Tờ khai đăng ký khai sinh.pdf"
        with open(download.path(), "rb") as handle:
            assert handle.read(4) == b"%PDF"
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Tải mẫu (Word)").click()
        download = download_info.value
        assert download.suggested_filename == "Mẫu - Tờ khai đăng ký khai sinh.docx"
        assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in [p.text for p in Document(download.path()).paragraphs]
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
