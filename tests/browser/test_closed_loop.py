"""In a real browser: a walk-in dossier is received at the desk (which hands it over to the agency as it
accepts it), then goes agency head → handling officer (draft result) → head (approves the draft) →
records clerk (numbers and signs it; an expired certificate refused first) → desk → returned, each
step done by a different logged-in official; then anyone checks the signed result on the
verification page, and a changed copy is reported as changed."""

import pytest

from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.core.site_config import load_site
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.dossiers.models import Dossier
from tests.browser.conftest import DESKTOP
from tests.factories import ProcedureVersionFactory, make_publishable
from tests.signing_support import draft_pdf
from tests.support import tiny_pdf
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


def issue_result_electronically(official_login, live_server, dossier, tmp_path, signing_keys) -> None:
    """At the Department of Justice: the specialist submits a draft result, the head approves it, the
    records clerk numbers, signs and issues it."""
    desk_context, desk = official_login("chuyenvien.tuphap")
    desk.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
    draft = tmp_path / "du-thao.pdf"
    draft.write_bytes(draft_pdf().read())
    desk.get_by_label("Dự thảo kết quả (PDF)").set_input_files(str(draft))
    press(desk, "Trình lãnh đạo phê duyệt")
    desk_context.close()
    desk_context, desk = official_login("lanhdao.tuphap")
    desk.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
    press(desk, "Phê duyệt dự thảo kết quả")
    desk_context.close()
    signing_keys.issue("000.00.02.H53", "Sở Tư pháp tỉnh Tây Ninh")
    desk_context, desk = official_login("vanthu.tuphap")
    desk.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
    press(desk, "Cấp số, ký số và phát hành kết quả")
    desk_context.close()


def test_walk_in_receipt_then_the_closed_loop(
    browser, live_server, official_login, screenshot, province, tmp_path, signing_keys
):
    scan1, scan2 = tmp_path / "to-khai.pdf", tmp_path / "giay-chung-sinh.pdf"
    for scan in (scan1, scan2):
        scan.write_bytes(tiny_pdf())

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

    # 3. The handling officer appraises and submits the draft result for approval.
    context, page = official_login("chuyenvien.tuphap")
    page.get_by_role("link", name="Chờ tôi xử lý").click()
    page.get_by_role("link", name=dossier.code).click()
    draft = tmp_path / "du-thao.pdf"
    draft.write_bytes(draft_pdf().read())
    page.get_by_label("Dự thảo kết quả (PDF)").set_input_files(str(draft))
    press(page, "Trình lãnh đạo phê duyệt")
    context.close()

    # 4. The head reads the draft and approves it.
    context, page = official_login("lanhdao.tuphap")
    page.get_by_role("link", name="Chờ phê duyệt").click()
    page.get_by_role("link", name=dossier.code).click()
    page.wait_for_selector("text=Dự thảo lần 1: Kết quả giải quyết")
    screenshot(page, "results-head-reads-draft")
    press(page, "Phê duyệt dự thảo kết quả", screenshot, "desk-dossier-approved")
    context.close()

    # 5. The records clerk issues it: an expired certificate is refused in plain words, a valid one
    #    numbers and signs the result and sends it back to the desk.
    justice = Agency.objects.get(code="000.00.02.H53")
    signing_keys.issue(justice.code, justice.name, expired=True)
    context, page = official_login("vanthu.tuphap")
    page.get_by_role("link", name="Chờ cấp số, phát hành").click()
    page.get_by_role("link", name=dossier.code).click()
    page.wait_for_selector("text=Kết quả giải quyết đã được")
    assert page.get_by_label("Ký hiệu văn bản (số do hệ thống cấp theo sổ văn bản đi)").input_value() == "QĐ-STP"
    page.get_by_role("button", name="Cấp số, ký số và phát hành kết quả", exact=True).click()
    page.wait_for_selector("text=đã hết hạn ngày 01/01/2021; không ký được")
    screenshot(page, "results-clerk-expired-certificate")
    signing_keys.issue(justice.code, justice.name)
    press(page, "Cấp số, ký số và phát hành kết quả", screenshot, "results-clerk-issued")
    assert page.locator(".issued-document").get_by_text("Kết quả giải quyết số 01/QĐ-STP").is_visible()
    # The success message links to what was issued: the signed document, by its number.
    issued_link = page.locator(".messagelist").get_by_role("link", name="Tải kết quả giải quyết số 01/QĐ-STP đã ký số")
    assert "/desk/dossiers/dossier/issued/" in issued_link.get_attribute("href")
    context.close()

    # 6. Back at the desk, the result is returned and the dossier closed.
    context, page = official_login("tiepnhan.tinh")
    page.get_by_role("link", name="Chờ trả kết quả").click()
    page.get_by_role("link", name=dossier.code).click()
    press(page, "Trả kết quả cho công dân", screenshot, "desk-dossier-returned")
    context.close()

    # 7. Anyone checks the electronic result on the verification page: genuine; one byte changed: not.
    dossier.refresh_from_db()
    signed = tmp_path / "ket-qua.pdf"
    with dossier.result_file.open("rb") as handle:
        signed.write_bytes(handle.read())
    data = signed.read_bytes()
    offset = data.index(b"Filter") - 2
    changed = tmp_path / "ket-qua-da-sua.pdf"
    changed.write_bytes(data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :])
    visitor = browser.new_context(viewport=DESKTOP, locale="vi-VN")  # the citizen needs no login
    page = visitor.new_page()
    page.goto(f"{live_server.url}/xac-minh-ket-qua/")
    page.get_by_label("Tệp kết quả điện tử (PDF)").set_input_files(str(signed))
    page.get_by_role("button", name="Xác minh").click()
    page.wait_for_selector("text=Văn bản hợp lệ, chưa bị thay đổi")
    assert page.get_by_text("01/QĐ-STP").is_visible() and page.get_by_text(justice.name).first.is_visible()
    screenshot(page, "results-verify-genuine")
    page.get_by_label("Tệp kết quả điện tử (PDF)").set_input_files(str(changed))
    page.get_by_role("button", name="Xác minh").click()
    page.wait_for_selector("text=Văn bản đã bị thay đổi sau khi ký")
    screenshot(page, "results-verify-changed")
    visitor.close()

    dossier.refresh_from_db()
    assert dossier.state.kind == "result_returned" and dossier.closed_at
    actors = list(dossier.events.filter(action="transition").values_list("actor__username", flat=True))
    assert actors == [
        "tiepnhan.tinh",
        "lanhdao.tuphap",
        "chuyenvien.tuphap",
        "lanhdao.tuphap",
        "vanthu.tuphap",
        "tiepnhan.tinh",
    ]
