"""In a real browser: a walk-in dossier is received at the desk (which hands it over to the agency as it
accepts it), then goes agency head → handling officer → head → desk → returned, each step done by a
different logged-in official."""

import pytest

from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.core.site_config import load_site
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.dossiers.models import Dossier
from tests.factories import ProcedureVersionFactory, make_publishable
from tests.workflows.conftest import SECTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def province():
    load_site("tayninh", only=SECTIONS)
    version = ProcedureVersionFactory(
        complete=True,
        level=2,
        name="Cấp Phiếu lý lịch tư pháp",
        processing_amount=10,
        competent_agency=Agency.objects.get(code="000.00.02.H53"),
    )
    make_publishable(version)
    version.receiving_desks.set([ReceptionDesk.objects.get(code="ttphcc-tinh")])
    return procedure_version_publish(version=version)


def press(page, label, screenshot=None, name=None):
    page.get_by_role("button", name=label, exact=True).click()
    try:
        page.wait_for_selector(f"text=Đã thực hiện “{label}” với hồ sơ", timeout=10000)
    except Exception:
        page.screenshot(path="/tmp/press-fail.png", full_page=True)
        raise
    if screenshot:
        screenshot(page, name)


def test_walk_in_receipt_then_the_closed_loop(live_server, official_login, screenshot, province, tmp_path):
    scan1, scan2 = tmp_path / "to-khai.pdf", tmp_path / "giay-chung-sinh.pdf"
    for scan in (scan1, scan2):
        scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # 1. The receiving officer receives a walk-in dossier with two scanned documents.
    context, page = official_login("tiepnhan.tinh")
    page.goto(f"{live_server.url}/desk/dossiers/dossier/receive/")
    page.get_by_label("Tìm thủ tục").fill("ly lich tu phap")  # no diacritics, keyboard only
    page.get_by_label("Tìm thủ tục").press("Enter")
    page.get_by_label("Họ và tên").fill("Phạm Thị Thu Hà")
    page.get_by_label("Số CCCD").fill("072195001122")
    page.get_by_label("Điện thoại").fill("0987654321")
    page.get_by_label("Tờ khai").set_input_files(str(scan1))
    page.get_by_label("Giấy chứng sinh").set_input_files(str(scan2))
    page.get_by_role("button", name="Tiếp nhận (Mẫu 01)").click()
    page.wait_for_selector("text=Đã tiếp nhận hồ sơ")
    dossier = Dossier.objects.get(full_name="Phạm Thị Thu Hà")
    assert dossier.code.startswith("000.01.01.H53-")
    assert dossier.code in page.content()
    assert f"{dossier.due_at.astimezone(dossier.due_at.tzinfo):%d/%m/%Y}"[:2] in page.content()
    # The provincial centre hands a dossier over as it accepts it (docs/domain.md §5.4): no button to press.
    assert page.get_by_text("Hồ sơ đã được chuyển ngay đến Sở Tư pháp tỉnh Tây Ninh.").is_visible()
    screenshot(page, "desk-receipt-accepted")
    context.close()

    # 2. The agency head assigns a handling officer from the inbox.
    context, page = official_login("lanhdao.tuphap")
    screenshot(page, "desk-home-agency-head")
    page.get_by_role("link", name="Chờ phân công").click()
    page.get_by_role("link", name=dossier.code).click()
    press(page, "Phân công chuyên viên", screenshot, "desk-dossier-assign")
    context.close()

    # 3. The handling officer appraises and submits for approval.
    context, page = official_login("chuyenvien.tuphap")
    page.get_by_role("link", name="Chờ tôi xử lý").click()
    page.get_by_role("link", name=dossier.code).click()
    page.locator("form", has=page.get_by_role("button", name="Trình lãnh đạo phê duyệt")).locator("textarea").fill(
        "Hồ sơ đủ điều kiện cấp phiếu."
    )
    press(page, "Trình lãnh đạo phê duyệt")
    context.close()

    # 4. The head approves with the signed result file.
    context, page = official_login("lanhdao.tuphap")
    page.get_by_role("link", name="Chờ phê duyệt").click()
    page.get_by_role("link", name=dossier.code).click()
    page.get_by_label("Tệp kết quả đã ký").set_input_files(str(scan1))
    press(page, "Phê duyệt, ban hành kết quả", screenshot, "desk-dossier-approved")
    context.close()

    # 5. Back at the desk, the result is returned and the dossier closed.
    context, page = official_login("tiepnhan.tinh")
    page.get_by_role("link", name="Chờ trả kết quả").click()
    page.get_by_role("link", name=dossier.code).click()
    press(page, "Trả kết quả cho công dân", screenshot, "desk-dossier-returned")
    context.close()

    dossier.refresh_from_db()
    assert dossier.state.kind == "result_returned" and dossier.closed_at
    actors = list(dossier.events.filter(action="transition").values_list("actor__username", flat=True))
    assert actors == ["tiepnhan.tinh", "lanhdao.tuphap", "chuyenvien.tuphap", "lanhdao.tuphap", "tiepnhan.tinh"]
