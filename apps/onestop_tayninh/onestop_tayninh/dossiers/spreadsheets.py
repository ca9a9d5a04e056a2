"""The spreadsheet of tracked-only dossiers: its columns, its template, and reading a filled one.

Reading only: a file becomes numbered lines of text per column, or a Vietnamese message saying why
the file as a whole cannot be read (not a spreadsheet, a column missing or unknown, too many lines).
What each line means, and whether it may be imported, is for the services (`tracked_*`).

Excel turns "072090001234" typed in a number cell into 72090001234: a numeric CCCD is padded back to
its 12 digits and a numeric phone number gets its leading 0 back (every Vietnamese CCCD and phone
number starts with 0). The template formats every cell as text, so this is only a safety net.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onestop_tayninh.core.text import fold


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    help: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("procedure_code", "Mã thủ tục", True, "Mã thủ tục chỉ theo dõi của cơ quan (xem trang “Thủ tục”)."),
    Column(
        "reference",
        "Số tham chiếu",
        help="Số hồ sơ trong sổ của cơ quan, nếu có. Hồ sơ đã nhập với cùng số tham chiếu không được nhập lại.",
    ),
    Column("applicant_kind", "Đối tượng", help="“Cá nhân” (để trống cũng là cá nhân) hoặc “Tổ chức”."),
    Column("full_name", "Họ và tên người nộp", help="Bắt buộc với cá nhân; với tổ chức là người đến nộp."),
    Column("cccd", "Số CCCD", help="Đúng 12 chữ số."),
    Column("date_of_birth", "Ngày sinh", help="Ngày/tháng/năm, ví dụ 15/08/1990."),
    Column("phone", "Điện thoại", help="Ví dụ 0912345678."),
    Column("email", "Thư điện tử"),
    Column("address", "Địa chỉ"),
    Column("organisation_name", "Tên tổ chức", help="Bắt buộc với tổ chức."),
    Column("tax_code", "Mã số thuế", help="Với tổ chức."),
    Column("representative", "Người đại diện", help="Với tổ chức: người đại diện theo pháp luật."),
    Column(
        "received_date",
        "Ngày tiếp nhận",
        True,
        "Ngày/tháng/năm cơ quan nhận hồ sơ: một ngày làm việc, không ở tương lai, không quá một năm trước.",
    ),
    Column("received_time", "Giờ tiếp nhận", help="Giờ:phút, ví dụ 08:30; để trống là giờ mở cửa buổi sáng."),
    Column("note", "Ghi chú"),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
DATE_COLUMNS = {"received_date", "date_of_birth"}
#: Where the header row may be: a title above it is allowed.
HEADER_SEARCH_ROWS = 10
SHEET_TITLE = "Hồ sơ"


@dataclass(frozen=True)
class SheetRow:
    """One line of the spreadsheet: its number as the spreadsheet shows it, and its text per column key."""

    line: int
    cells: dict[str, str]


def _header_key(text: str) -> str:
    # "Mã thủ tục *", "MA THU TUC", "mã  thủ tục" are all the same column.
    return " ".join(fold(text.replace("*", " ")).split())


_KEYS_BY_HEADER = {_header_key(column.header): column.key for column in COLUMNS}


# --- reading --------------------------------------------------------------------------------------


def _text(value: object, key: str) -> str:
    """A cell as text, whatever type the spreadsheet gave it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if key in DATE_COLUMNS:
            return f"{value:%d/%m/%Y %H:%M}" if value.time() != dt.time(0) else f"{value:%d/%m/%Y}"
        return f"{value:%H:%M}" if key == "received_time" else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        number = int(value) if float(value).is_integer() else value
        text = str(number)
        if key == "cccd" and isinstance(number, int):
            return text.zfill(12)
        if key == "phone" and isinstance(number, int) and not text.startswith("0"):
            return f"0{text}"
        return text
    return unicodedata.normalize("NFC", str(value)).strip()


def _columns(header: tuple[object, ...]) -> dict[int, str]:
    """Position → column key for the header row; refuses unknown, repeated and missing columns."""
    positions: dict[int, str] = {}
    problems: list[str] = []
    for index, cell in enumerate(header):
        title = _text(cell, "")
        if not title:
            continue
        key = _KEYS_BY_HEADER.get(_header_key(title))
        if key is None:
            problems.append(_("Cột “%(title)s” không có trong mẫu.") % {"title": title})
        elif key in positions.values():
            problems.append(_("Cột “%(title)s” xuất hiện hai lần.") % {"title": title})
        else:
            positions[index] = key
    for column in COLUMNS:
        if column.required and column.key not in positions.values():
            problems.append(_("Thiếu cột bắt buộc “%(title)s”.") % {"title": column.header})
    if problems:
        problems.append(_("Hãy dùng bảng tính mẫu tải về từ trang này."))
        raise ValidationError(problems)
    return positions


def _is_header(row: tuple[object, ...]) -> bool:
    return any(_header_key(_text(cell, "")) == _header_key(COLUMNS[0].header) for cell in row)


def rows_from_table(table: Iterable[tuple[object, ...]], *, max_rows: int) -> list[SheetRow]:
    """The data lines below the header row, numbered as the spreadsheet numbers them; blank lines skipped."""
    lines = iter(enumerate(table, start=1))
    positions: dict[int, str] | None = None
    for number, row in lines:
        if _is_header(row):
            positions = _columns(tuple(row))
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if positions is None:
        raise ValidationError(
            _("Không tìm thấy dòng tiêu đề (có cột “%(first)s”) trong %(n)s dòng đầu; hãy dùng bảng tính mẫu.")
            % {"first": COLUMNS[0].header, "n": HEADER_SEARCH_ROWS}
        )
    rows: list[SheetRow] = []
    for number, row in lines:
        cells = {key: _text(row[index], key) if index < len(row) else "" for index, key in positions.items()}
        if not any(cells.values()):
            continue
        if len(rows) == max_rows:
            raise ValidationError(
                _("Bảng tính có hơn %(n)s dòng hồ sơ; hãy chia thành nhiều tệp, mỗi tệp tối đa %(n)s dòng.")
                % {"n": max_rows}
            )
        rows.append(SheetRow(line=number, cells=cells))
    if not rows:
        raise ValidationError(_("Bảng tính chưa có dòng hồ sơ nào dưới dòng tiêu đề."))
    return rows


def _xlsx_table(data: bytes) -> Iterator[tuple[object, ...]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        # Read-only streams the sheet row by row: a huge sheet stops at max_rows, never loaded whole.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError(_("Không đọc được tệp Excel; hãy lưu lại dạng .xlsx và thử lại.")) from exc
    sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
    try:
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _csv_table(data: bytes) -> list[tuple[object, ...]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("Tệp CSV phải lưu với bảng mã UTF-8 (Excel: “CSV UTF-8”).")) from exc
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [tuple(row) for row in csv.reader(io.StringIO(text), dialect)]


def read_rows(data: bytes, *, kind: str, max_rows: int) -> list[SheetRow]:
    """The lines of an XLSX (`kind="xlsx"`) or CSV (`kind="csv"`) file; ValidationError if unreadable."""
    table = _xlsx_table(data) if kind == "xlsx" else _csv_table(data)
    return rows_from_table(table, max_rows=max_rows)


def parse_date(text: str) -> dt.date:
    """A date typed as dd/mm/yyyy (or yyyy-mm-dd); ValueError with the reason otherwise."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("“%(text)s” không phải ngày hợp lệ (ngày/tháng/năm, ví dụ 03/03/2027).") % {"text": text})


def parse_time(text: str) -> dt.time:
    """A time of day typed as HH:MM (or HHhMM); ValueError with the reason otherwise."""
    text = text.strip().lower().replace("h", ":").rstrip(":")
    for pattern in ("%H:%M", "%H:%M:%S", "%H"):
        try:
            return dt.datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise ValueError(_("“%(text)s” không phải giờ hợp lệ (giờ:phút, ví dụ 08:30).") % {"text": text})


# --- the template -----------------------------------------------------------------------------------


def template_xlsx(procedures: Iterable[tuple[str, str]]) -> bytes:
    """The spreadsheet to fill: the "Hồ sơ" sheet (every cell text), a guide, and the agency's procedures."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

    procedures = list(procedures)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append([f"{column.header} *" if column.required else column.header for column in COLUMNS])
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(14, min(34, len(column.header) + 6))
        # Text cells: Excel keeps the leading zero of a CCCD and does not turn 03/04 into 4 March.
        for row in range(2, 502):
            sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    kinds = DataValidation(type="list", formula1='"Cá nhân,Tổ chức"', allow_blank=True)
    sheet.add_data_validation(kinds)
    kinds.add(f"C2:C{501}")

    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Bắt buộc", "Cách ghi"])
    for column in COLUMNS:
        guide.append([column.header, "Có" if column.required else "", column.help])
    guide.append([])
    guide.append(
        [
            "Lưu ý",
            "",
            "Mỗi dòng là một hồ sơ. Hệ thống kiểm tra mọi dòng trước; chỉ khi tất cả đều hợp lệ mới nhập, "
            "và nhập tất cả cùng lúc. Dòng đã nhập trước đó (cùng số tham chiếu, hoặc cùng thủ tục, người nộp "
            "và thời điểm tiếp nhận) bị báo trùng, không nhập lại.",
        ]
    )
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 100

    listing = workbook.create_sheet("Thủ tục")
    listing.append(["Mã thủ tục", "Tên thủ tục"])
    for code, name in procedures:
        listing.append([code, name])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    listing.column_dimensions["A"].width = 14
    listing.column_dimensions["B"].width = 100
    if procedures:
        codes = DataValidation(type="list", formula1=f"='Thủ tục'!$A$2:$A${len(procedures) + 1}", allow_blank=True)
        sheet.add_data_validation(codes)
        codes.add("A2:A501")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    """The header line alone, in UTF-8 with a BOM so that Excel shows the Vietnamese headers right."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([column.header for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
