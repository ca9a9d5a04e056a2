"""Tracked-only dossiers in bulk from a spreadsheet: every line checked and reported in Vietnamese, then all
imported in one transaction or none; the same lines never become two dossiers, even imported twice at once."""

import threading

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from onestop_tayninh.dossiers import spreadsheets
from onestop_tayninh.dossiers.constants import Channel, TrackedImportStatus
from onestop_tayninh.dossiers.models import Dossier, TrackedEntry, TrackedImport
from onestop_tayninh.dossiers.services import tracked_import_confirm, tracked_import_upload
from onestop_tayninh.security.models import AuditEvent

from .tracked import NOW, build_world, csv_file, line, local, user, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(loaded_province):
    return build_world(load=False)


def good_lines(world):
    code = world["residence"].procedure.code
    return [
        line(code, reference="CA-101", cccd="072090001234", phone="0912345678", received_time="08:30"),
        line(code, reference="CA-102", full_name="Trần Thị Bình", received_date="02/03/2027", received_time="14:05"),
        line(
            code,
            applicant_kind="Tổ chức",
            full_name="Lê Văn Cường",
            organisation_name="Công ty TNHH Thử Nghiệm",
            tax_code="3900123456",
            received_date="03/03/2027",
        ),
    ]


def upload(world, file, officer=None):
    return tracked_import_upload(officer=officer or world["clerk"], file=file, at=NOW)


def report_of(batch):
    return [(error["line"], error["column"], error["message"]) for error in batch.errors]


def test_a_file_with_errors_is_reported_line_by_line_and_nothing_is_imported(world):
    code = world["residence"].procedure.code
    lines = [
        line(code, reference="R1"),  # line 2: good
        line("9.999999", reference="R2"),  # 3: unknown procedure
        line(world["ordinary"].procedure.code, reference="R3"),  # 4: not tracked-only
        line(world["justice_tracked"].procedure.code, reference="R4"),  # 5: another agency's
        line(code, reference="R5", cccd="07209000123"),  # 6: bad CCCD
        line(code, reference="R6", received_date="31/02/2027"),  # 7: bad date
        line(code, reference="R7", received_date="05/03/2027"),  # 8: future
        line(code, reference="R8", full_name=""),  # 9: missing name
        line(code, reference="R1", full_name="Người khác"),  # 10: same reference as line 2
        line(code, reference="R10", received_date="28/02/2027"),  # 11: Sunday
        line(code, reference="R11", received_time="25:70"),  # 12: bad time
    ]
    batch = upload(world, xlsx_file(lines))

    assert batch.status == TrackedImportStatus.INVALID
    report = report_of(batch)
    by_line = {}
    for number, column, message in report:
        by_line.setdefault(number, []).append((column, message))
    assert 2 not in by_line
    assert by_line[3] == [("Mã thủ tục", "Không có thủ tục nào mã “9.999999” đang công bố.")]
    assert by_line[4][0][0] == "Mã thủ tục" and "không thuộc danh mục chỉ theo dõi" in by_line[4][0][1]
    assert "không do Công an tỉnh Tây Ninh giải quyết" in by_line[5][0][1]
    assert by_line[6] == [("Số CCCD", "Số CCCD phải gồm đúng 12 chữ số.")]
    assert by_line[7][0] == (
        "Ngày tiếp nhận",
        "“31/02/2027” không phải ngày hợp lệ (ngày/tháng/năm, ví dụ 03/03/2027).",
    )
    assert by_line[8][0][0] == "Ngày tiếp nhận" and "ở tương lai" in by_line[8][0][1]
    assert by_line[9] == [("Họ và tên người nộp", "Hãy nhập họ và tên người nộp hồ sơ.")]
    assert by_line[10] == [("Số tham chiếu", "Trùng với dòng 2 (cùng số tham chiếu).")]
    assert "ngày nghỉ (Chủ nhật)" in by_line[11][0][1]
    assert by_line[12][0][0] == "Giờ tiếp nhận"
    assert sorted(by_line) == list(range(3, 13))

    # Confirming anyway imports nothing: every line is checked again, all or none.
    batch = tracked_import_confirm(batch=batch, officer=world["clerk"], at=NOW)
    assert batch.status == TrackedImportStatus.INVALID
    assert not Dossier.objects.exists() and not TrackedEntry.objects.exists()


def test_a_good_file_imports_every_line_with_codes(world):
    batch = upload(world, xlsx_file(good_lines(world)))
    assert (batch.status, batch.errors, batch.row_count) == (TrackedImportStatus.READY, [], 3)
    assert not Dossier.objects.exists()  # nothing before the confirmation

    batch = tracked_import_confirm(batch=batch, officer=world["clerk"], at=NOW)

    assert batch.status == TrackedImportStatus.IMPORTED and batch.imported_at == NOW
    entries = list(TrackedEntry.objects.filter(batch=batch).select_related("dossier").order_by("line"))
    assert [entry.line for entry in entries] == [2, 3, 4]
    dossiers = [entry.dossier for entry in entries]
    assert [d.code[-15:] for d in dossiers] == ["H53-270301-0001", "H53-270302-0001", "H53-270303-0001"]
    assert [d.received_at for d in dossiers] == [
        local(2027, 3, 1, 8, 30),
        local(2027, 3, 2, 14, 5),
        local(2027, 3, 3, 7, 0),  # no time given: the morning opening
    ]
    assert all(d.channel == Channel.AGENCY and d.state.code == "cho-phan-cong" and d.due_at for d in dossiers)
    assert dossiers[0].cccd == "072090001234" and dossiers[2].organisation_name == "Công ty TNHH Thử Nghiệm"
    assert "dòng 3" in dossiers[1].events.get().comment
    audit = AuditEvent.objects.get(action="tracked_import")
    assert audit.data["dossiers"] == 3 and audit.actor_id == world["clerk"].pk


def test_csv_with_semicolons_and_excel_numbers_is_read(world):
    code = world["residence"].procedure.code
    batch = upload(world, csv_file([line(code, reference="X1", cccd="072090001234")], delimiter=";"))
    assert batch.status == TrackedImportStatus.READY, batch.errors
    # A CCCD or phone typed into a number cell loses its leading 0; it is given back.
    rows = spreadsheets.rows_from_table(
        [
            tuple(spreadsheets.COLUMNS[i].header for i in range(len(spreadsheets.COLUMNS))),
            (code, "", "", "An", 72090001234, "", 912345678),
        ],
        max_rows=10,
    )
    assert rows[0].cells["cccd"] == "072090001234" and rows[0].cells["phone"] == "0912345678"


def test_uploading_the_same_file_again_shows_every_line_as_already_imported(world):
    first = upload(world, xlsx_file(good_lines(world)))
    tracked_import_confirm(batch=first, officer=world["clerk"], at=NOW)
    codes = set(Dossier.objects.values_list("code", flat=True))

    again = upload(world, xlsx_file(good_lines(world)))

    assert again.status == TrackedImportStatus.INVALID
    assert [error["line"] for error in again.errors] == [2, 3, 4]
    assert all("đã được nhập" in error["message"] and "ho-so.xlsx" in error["message"] for error in again.errors)
    assert any(code in again.errors[0]["message"] for code in codes)
    assert tracked_import_confirm(batch=again, officer=world["clerk"], at=NOW).status == TrackedImportStatus.INVALID
    # The first spreadsheet itself cannot be imported twice either.
    with pytest.raises(ValidationError, match="đã được nhập"):
        tracked_import_confirm(batch=first, officer=world["clerk"], at=NOW)
    assert Dossier.objects.count() == 3


def test_a_file_that_is_not_the_template_is_refused_whole(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as wrong_columns:
        upload(world, SimpleUploadedFile("x.csv", "Mã thủ tục,Số CCCDD\n1.004222,0720\n".encode()))
    assert "Cột “Số CCCDD” không có trong mẫu." in wrong_columns.value.messages
    assert "Thiếu cột bắt buộc “Ngày tiếp nhận”." in wrong_columns.value.messages
    with pytest.raises(ValidationError, match="không phải bảng tính"):
        upload(world, SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64))
    with pytest.raises(ValidationError, match="chưa có dòng hồ sơ"):
        upload(world, xlsx_file([]))
    assert not TrackedImport.objects.exists()


def test_too_many_lines_are_refused(world, monkeypatch):
    from onestop_tayninh.dossiers import services

    monkeypatch.setattr(services, "TRACKED_IMPORT_MAX_ROWS", 2)
    code = world["residence"].procedure.code
    with pytest.raises(ValidationError, match="hơn 2 dòng"):
        upload(world, csv_file([line(code, reference=f"M{i}") for i in range(3)]))


def test_only_the_agency_that_uploaded_confirms(world):
    batch = upload(world, xlsx_file(good_lines(world)))
    with pytest.raises(PermissionDenied):
        tracked_import_confirm(batch=batch, officer=user("chuyenvien.tuphap"), at=NOW)
    with pytest.raises(PermissionDenied):
        upload(world, xlsx_file(good_lines(world)), officer=user("tiepnhan.tinh"))


def test_the_template_reads_back(world):
    import io

    from openpyxl import load_workbook

    data = spreadsheets.template_xlsx([(world["residence"].procedure.code, world["residence"].name)])
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Hồ sơ", "Hướng dẫn", "Thủ tục"]
    headers = [cell.value for cell in workbook["Hồ sơ"][1]]
    assert headers[0] == "Mã thủ tục *" and "Ngày tiếp nhận *" in headers and "Số CCCD" in headers
    assert workbook["Thủ tục"]["A2"].value == world["residence"].procedure.code
    assert spreadsheets.template_csv().decode("utf-8-sig").splitlines()[0].split(",")[0] == "Mã thủ tục"


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_lines_at_once_create_them_once():
    world = build_world()
    first = upload(world, xlsx_file(good_lines(world), name="lan-1.xlsx"))
    second = upload(world, xlsx_file(good_lines(world), name="lan-2.xlsx"))
    assert first.status == second.status == TrackedImportStatus.READY
    start = threading.Barrier(3)
    outcomes = {}

    def confirm(name, batch, officer):
        try:
            start.wait()
            outcomes[name] = tracked_import_confirm(batch=batch, officer=officer, at=NOW).status
        except ValidationError as exc:
            outcomes[name] = exc.messages
        finally:
            connection.close()

    threads = [
        threading.Thread(target=confirm, args=("first", first, world["clerk"])),
        threading.Thread(target=confirm, args=("second", second, world["head"])),
        threading.Thread(target=confirm, args=("first again", first, world["head"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Dossier.objects.count() == 3 and TrackedEntry.objects.count() == 3
    assert len(set(Dossier.objects.values_list("code", flat=True))) == 3
    assert list(outcomes.values()).count(TrackedImportStatus.IMPORTED) == 1, outcomes
    assert TrackedImport.objects.filter(status=TrackedImportStatus.IMPORTED).count() == 1
