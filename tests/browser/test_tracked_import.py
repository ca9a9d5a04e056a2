"""In a real browser: an official of Công an tỉnh downloads the template of tracked-only dossiers, fills it
with one bad line, reads the line-by-line report (nothing imported), fixes the line, and imports."""

import pytest
from openpyxl import load_workbook

from onestop_tayninh.dossiers.models import Dossier
from tests.browser.conftest import PHONE
from tests.dossiers.tracked import build_world, last_working_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill(template, target, lines):
    workbook = load_workbook(template)
    sheet = workbook["Hồ sơ"]
    headers = [cell.value.rstrip(" *") for cell in sheet[1] if cell.value]
    for row, values in enumerate(lines, start=2):
        for name, value in values.items():
            sheet.cell(row=row, column=headers.index(name) + 1, value=value)
    workbook.save(target)
    return target


def test_official_uploads_a_spreadsheet_fixes_the_bad_line_and_imports(
    live_server, official_login, screenshot, tmp_path
):
    world = build_world()
    code = world["residence"].procedure.code
    day = f"{last_working_day():%d/%m/%Y}"
    good = {
        "Mã thủ tục": code,
        "Số tham chiếu": "CA-501",
        "Họ và tên người nộp": "Võ Thị Mai",
        "Số CCCD": "072190007788",
    }
    good.update({"Ngày tiếp nhận": day, "Giờ tiếp nhận": "08:15"})
    bad = {
        "Mã thủ tục": code,
        "Số tham chiếu": "CA-502",
        "Họ và tên người nộp": "Đinh Văn Lộc",
        "Số CCCD": "0721900077",
    }
    bad.update({"Ngày tiếp nhận": day, "Giờ tiếp nhận": "09:40"})

    context, page = official_login("chuyenvien.congan")
    page.get_by_role("link", name="Nhập từ bảng tính").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải mẫu Excel (.xlsx)").click()
    assert download.value.suggested_filename == "mau-ho-so-chi-theo-doi.xlsx"
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)

    # One line has a CCCD two digits short: the report names the line and the column, nothing is imported.
    page.get_by_label("Bảng tính đã điền").set_input_files(str(fill(template, tmp_path / "thang.xlsx", [good, bad])))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.wait_for_selector("#tracked-errors")
    report = page.locator("#tracked-errors tbody tr")
    assert report.count() == 1
    assert report.first.inner_text().split("\t") == ["3", "Số CCCD", "Số CCCD phải gồm đúng 12 chữ số."]
    assert page.get_by_text("Không hồ sơ nào được nhập").is_visible()
    assert page.get_by_role("button", name="Xác nhận nhập").count() == 0
    assert not Dossier.objects.exists()
    screenshot(page, "tracked-import-errors")

    # Fixed and uploaded again: every line valid, shown with its appointment, then imported on confirmation.
    page.get_by_role("link", name="Tải lên bảng tính đã sửa").click()
    bad["Số CCCD"] = "072190007799"
    page.get_by_label("Bảng tính đã điền").set_input_files(
        str(fill(template, tmp_path / "thang-sua.xlsx", [good, bad]))
    )
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.wait_for_selector("#tracked-preview")
    assert page.locator("#tracked-preview tbody tr").count() == 2
    assert not Dossier.objects.exists()  # not before the confirmation
    screenshot(page, "tracked-import-preview")
    page.get_by_role("button", name="Xác nhận nhập 2 hồ sơ").click()
    page.wait_for_selector("text=Đã nhập 2 hồ sơ từ bảng tính.")
    dossiers = list(Dossier.objects.order_by("received_at"))
    assert [d.full_name for d in dossiers] == ["Võ Thị Mai", "Đinh Văn Lộc"]
    assert all(d.code.startswith(f"{world['police'].code}-") for d in dossiers)
    screenshot(page, "tracked-import-done")

    # The dossier page: a dossier like any other, its history saying where it was received.
    page.get_by_role("link", name=dossiers[0].code).click()
    page.wait_for_selector("text=Tiếp nhận trực tiếp tại cơ quan giải quyết (thủ tục chỉ theo dõi)")
    assert page.get_by_text("Cơ quan đã tiếp nhận, chờ lãnh đạo phân công").first.is_visible()
    context.close()

    # The same official, later, on a phone (the second login asks for the code): the page still reads.
    context, page = official_login("chuyenvien.congan", viewport=PHONE)
    page.goto(f"{live_server.url}/desk/dossiers/trackedimport/")
    page.get_by_role("link", name="thang.xlsx").click()
    page.wait_for_selector("#tracked-errors")
    screenshot(page, "tracked-import-errors-phone")
    context.close()

    # The provincial coordinator finds it by its code, as any dossier of the province.
    context, page = official_login("dieuphoi.tinh")
    page.goto(f"{live_server.url}/desk/dossiers/dossier/?q={dossiers[1].code}")
    assert page.get_by_role("link", name=dossiers[1].code).is_visible()
    context.close()
