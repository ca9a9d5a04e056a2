"""In a real browser: an official prints the register from the desk, short at once, long through a worker."""

import datetime as dt
import subprocess

import pytest
from rq import Queue

from onestop_tayninh.printing import register_book
from onestop_tayninh.printing.services import document_generate
from tests.printing.conftest import receive_full
from tests.printing.test_documents import _bulk_received
from tests.support import SimpleBurstWorker
from tests.workflows.conftest import world  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ask_for_register(page, file_format: str) -> None:
    page.get_by_label("Bộ phận tiếp nhận").select_option(label="Trung tâm Phục vụ hành chính công tỉnh Tây Ninh")
    page.get_by_label("Từ ngày").fill("2027-03-01")
    page.get_by_label("Đến ngày").fill("2027-03-31")
    page.get_by_label(file_format).check()


def test_official_prints_registers_from_the_desk(
    live_server,
    official_login,
    screenshot,
    world,  # noqa: F811 - the fixture imported above
    private_redis,
    monkeypatch,
    tmp_path,
):
    dossier = receive_full(world)
    document_generate(dossier=dossier, kind="receipt", at=dossier.received_at)
    _bulk_received(world, 4, day=dt.date(2027, 3, 2))
    context, page = official_login("tiepnhan.tinh")
    # The dossier's printing page, in the desk's look: print now, or the copies issued.
    page.goto(f"{live_server.url}/desk/in/ho-so/{dossier.pk}/")
    page.wait_for_selector("text=Văn bản đã lập")
    # The 2025 set, numbered as Circular 03/2025 numbers it.
    assert page.get_by_role("link", name="Mẫu 06: Phiếu kiểm soát quá trình giải quyết hồ sơ").count() == 1
    # Only what the dossier's state allows: no apology before one was made.
    assert page.get_by_role("link", name="Mẫu 04: Văn bản xin lỗi và đề nghị gia hạn").count() == 0
    assert page.get_by_role("link", name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả").count() == 2  # now / issued
    screenshot(page, "desk-dossier-printing")
    page.goto(f"{live_server.url}/desk/")
    page.get_by_role("link", name="In sổ theo dõi hồ sơ (PDF, Excel)").click()
    page.wait_for_selector("h1:has-text('In sổ theo dõi hồ sơ')")
    screenshot(page, "desk-register-form")

    # A short register comes back at once.
    ask_for_register(page, "Excel (XLSX)")
    with page.expect_download() as download:
        page.get_by_role("button", name="In sổ").click()
    assert download.value.suggested_filename == "so-theo-doi-ttphcc-tinh-20270301-20270331.xlsx"

    # A long one is made by a worker; the page refreshes itself until it can be downloaded.
    monkeypatch.setattr(register_book, "REGISTER_INLINE_MAX_ROWS_DRAWN", 2)
    page.goto(f"{live_server.url}/desk/in/so-theo-doi/")
    ask_for_register(page, "PDF (A4 ngang)")
    page.get_by_role("button", name="In sổ").click()
    page.wait_for_selector("text=Đang chờ lập")
    assert "6 hồ sơ" in page.content()
    screenshot(page, "desk-register-waiting")
    SimpleBurstWorker([Queue("reports", connection=private_redis)], connection=private_redis).work(burst=True)
    page.wait_for_selector("text=Tải sổ về", timeout=10000)
    screenshot(page, "desk-register-ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải sổ về").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Người nộp số 003" in text

    # The request page lists it.
    page.goto(f"{live_server.url}/desk/in/so-theo-doi/")
    assert page.get_by_role("link", name="Đã xong").count() == 1
    screenshot(page, "desk-register-form-with-list")
    # On a phone the form keeps to the screen: a long desk name in its chooser does not widen the page.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "desk-register-form-390")
    context.close()
