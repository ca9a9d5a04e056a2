"""The periodic statistical report (reports.statistics) as files: XLSX (openpyxl) and PDF (WeasyPrint
through core.pdf, in the printed forms' fonts and heading, A4 landscape).

Both draw the header from one declaration, `HEADS`: the national form's columns (Circular
01/2020/TT-VPCP, docs/domain.md §9.1) with the channels under its two "received in the period"
columns, and one column of ours, the dossiers withdrawn, that makes the row balance.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from onestop_tayninh.core.pdf import html_to_pdf
from onestop_tayninh.core.site_config import site_settings
from onestop_tayninh.core.text import money
from onestop_tayninh.directory.constants import AgencyKind
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.printing.form_contexts import heading_for, place_of, signature_lines, vn_date_line, vn_short
from onestop_tayninh.printing.rendering import STATIC_DIR, STYLESHEET

from .constants import UnitKind
from .statistics import Counts, Statistics

#: The national form this report follows; a site may name it otherwise (site.yaml `statistics_form`),
#: as the number is ours to check (docs/domain.md §9.1).
FORM_NUMBER = "II.06a/VPCP/KSTT"
CIRCULAR = "Thông tư số 01/2020/TT-VPCP ngày 21/10/2020"
TITLE = "Tình hình, kết quả giải quyết thủ tục hành chính"
#: Where the province's report goes; a body's goes to the province's People's Committee.
NATIONAL_RECIPIENT = "Văn phòng Chính phủ"


@dataclass(frozen=True)
class Head:
    """A header cell: a column (`key`, an attribute of Counts, and its number on the form) or a group."""

    label: str
    key: str = ""
    number: str = ""
    children: tuple[Head, ...] = ()

    def leaves(self) -> list[Head]:
        return [self] if not self.children else [leaf for child in self.children for leaf in child.leaves()]

    def depth(self) -> int:
        return 1 + max((child.depth() for child in self.children), default=0)


def _leaf(label: str, key: str, number: str) -> Head:
    return Head(label, key, number)


HEADS: tuple[Head, ...] = (
    Head("Số hồ sơ nhận giải quyết", children=(
        _leaf("Tổng số", "to_handle", "3"),
        Head("Trong kỳ", children=(
            Head("Trực tuyến", children=(
                _leaf("Tổng số", "online", "4"),
                _leaf("Cổng dịch vụ công", "portal", "4a"),
                _leaf("Zalo", "zalo", "4b"),
            )),
            Head("Trực tiếp, dịch vụ bưu chính", children=(
                _leaf("Tổng số", "in_person", "5"),
                _leaf("Trực tiếp", "direct", "5a"),
                _leaf("Bưu chính công ích", "post", "5b"),
            )),
        )),
        _leaf("Kỳ trước chuyển qua", "carried_over", "6"),
    )),
    Head("Kết quả giải quyết", children=(
        Head("Số hồ sơ đã giải quyết", children=(
            _leaf("Tổng số", "resolved", "7"),
            _leaf("Trả trước hạn", "early", "8"),
            _leaf("Trả đúng hạn", "on_time", "9"),
            _leaf("Trả quá hạn", "late", "10"),
        )),
        Head("Số hồ sơ đang giải quyết", children=(
            _leaf("Tổng số", "pending", "11"),
            _leaf("Trong hạn", "pending_within", "12"),
            _leaf("Quá hạn", "pending_past", "13"),
        )),
    )),
    _leaf("Công dân rút hồ sơ", "withdrawn", "14"),
)  # fmt: skip
LEAVES = [leaf for head in HEADS for leaf in head.leaves()]
DEPTH = max(head.depth() for head in HEADS)
assert tuple(leaf.key for leaf in LEAVES) == Counts.COLUMNS, "the header and the numbers must agree"
NOTES = (
    "(3) = (4) + (5) + (6) = (7) + (11) + (14); (4) = (4a) + (4b); (5) = (5a) + (5b).",
    "Trực tuyến: nộp trên Cổng dịch vụ công hoặc qua Zalo. Trực tiếp: tại Bộ phận Một cửa hoặc tại cơ quan "
    "giải quyết. Kỳ trước chuyển qua: tiếp nhận trước kỳ, chưa giải quyết xong đến hết ngày trước kỳ.",
    "Giải quyết trước hạn: trả kết quả trước ngày hẹn; quá hạn: sau thời hạn, hoặc phải bổ sung hồ sơ quá một lần. "
    "Hồ sơ đang chờ công dân bổ sung được tính trong hạn. Cột (14) không có trong biểu mẫu quốc gia.",
)


@dataclass(frozen=True)
class Cell:
    label: str
    row: int
    column: int
    rowspan: int = 1
    colspan: int = 1


def header_cells(first_label: str) -> list[list[Cell]]:
    """The header's rows of cells, columns counted from 0 (STT, the name, then the numbers)."""
    rows: list[list[Cell]] = [[] for _ in range(DEPTH)]
    rows[0] += [Cell("STT", 0, 0, rowspan=DEPTH), Cell(first_label, 0, 1, rowspan=DEPTH)]

    def place(head: Head, level: int, column: int) -> int:
        width = len(head.leaves())
        if head.children:
            rows[level].append(Cell(head.label, level, column, colspan=width))
            for child in head.children:
                column = place(child, level + 1, column)
            return column
        rows[level].append(Cell(head.label, level, column, rowspan=DEPTH - level))
        return column + 1

    column = 2
    for head in HEADS:
        column = place(head, 0, column)
    return rows


def column_numbers() -> list[str]:
    return ["(1)", "(2)", *(f"({leaf.number})" for leaf in LEAVES)]


def first_column_label(statistics: Statistics) -> str:
    return "Cơ quan, lĩnh vực giải quyết" if statistics.by_body else "Lĩnh vực giải quyết"


# --- who reports, to whom, and who signs ------------------------------------------------------


@dataclass(frozen=True)
class Letterhead:
    heading: dict[str, str]
    place: str
    reporter: str
    recipient: str
    signature_lines: list[str]


def _province_issuer(agency_ids: tuple[int, ...] | None) -> Agency | None:
    """The People's Committee heading the unit's bodies: the province's, or a coordinator's own unit's."""
    agencies = list(Agency.objects.filter(**({} if agency_ids is None else {"pk__in": agency_ids})).order_by("code"))
    ids = {agency.pk for agency in agencies}
    tops = [agency for agency in agencies if agency.parent_id not in ids]
    tops.sort(key=lambda agency: agency.kind != AgencyKind.PEOPLE_COMMITTEE)
    return tops[0] if tops else None


def letterhead(statistics: Statistics) -> Letterhead:
    unit = statistics.unit
    issuer: Agency | None
    if unit.kind == UnitKind.DESK:
        desk = ReceptionDesk.objects.select_related("agency__parent").get(pk=unit.pk or 0)
        return Letterhead(
            heading=heading_for(desk.agency, desk.name),
            place=place_of(desk.agency),
            reporter=desk.name,
            recipient=desk.agency.name,
            signature_lines=["THỦ TRƯỞNG ĐƠN VỊ"],
        )
    if unit.kind == UnitKind.AGENCY:
        issuer = Agency.objects.select_related("parent").get(pk=unit.pk or 0)
        top = _province_issuer(None)
        recipient = top.name if top is not None and top.pk != issuer.pk else NATIONAL_RECIPIENT
    else:
        issuer = _province_issuer(unit.slice.agency_ids)
        top = _province_issuer(None)
        recipient = NATIONAL_RECIPIENT if issuer is None or top is None or issuer.pk == top.pk else top.name
    return Letterhead(
        heading=heading_for(issuer, None if issuer else unit.label),
        place=place_of(issuer),
        reporter=issuer.name if issuer else unit.label,
        recipient=recipient,
        signature_lines=signature_lines(issuer, ""),
    )


def period_line(statistics: Statistics) -> str:
    period = statistics.period
    line = f"Kỳ báo cáo: {period.label} (từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y})"
    if statistics.data_until < period.end:
        line += f"; số liệu đến hết ngày {statistics.data_until:%d/%m/%Y}"
    return line


def form_number() -> str:
    return str(site_settings().get("statistics_form") or FORM_NUMBER)


# --- PDF ------------------------------------------------------------------------------------


def statistics_pdf(statistics: Statistics, *, drawn_up_by: str = "") -> bytes:
    """The report as the unit sends it: A4 landscape, the administrative heading, the place and date,
    the table with its header as on the national form, the signatures."""
    head = letterhead(statistics)
    rows = [
        {
            "number": row.number,
            "label": row.label,
            "level": row.level,
            "values": [money(v) for v in row.counts.values()],
        }
        for row in statistics.rows
    ]
    context: dict[str, Any] = {
        "form": {"title": TITLE, "number": form_number()},
        "circular": CIRCULAR,
        "heading": head.heading,
        "date_line": vn_date_line(head.place, statistics.made_at),
        "reporter": head.reporter,
        "recipient": head.recipient,
        "period_line": period_line(statistics),
        "header": header_cells(first_column_label(statistics)),
        "numbers": column_numbers(),
        "rows": rows,
        "total": [money(v) for v in statistics.total.values()],
        "notes": NOTES,
        "signature_lines": head.signature_lines,
        "drawn_up_by": drawn_up_by,
        "made_at": vn_short(statistics.made_at),
    }
    html = render_to_string("reports/statistics/printed.html", context)
    return html_to_pdf(html, base_url=STATIC_DIR, stylesheet=STYLESHEET)


# --- XLSX -----------------------------------------------------------------------------------


def statistics_xlsx(statistics: Statistics) -> bytes:
    """The same report as a spreadsheet: the header merged as on the form, numbers as numbers (grouped
    by thousands), the header frozen, A4 landscape when printed."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    head = letterhead(statistics)
    width = 2 + len(LEAVES)
    last = get_column_letter(width)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Báo cáo TTHC")
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def line(row: int, text: str, *, start: int = 1, end: int = width, **style: Any) -> None:
        sheet.cell(row=row, column=start, value=text)
        sheet.merge_cells(start_row=row, start_column=start, end_row=row, end_column=end)
        cell = sheet.cell(row=row, column=start)
        cell.font = Font(**{"bold": False, **style.pop("font", {})})
        cell.alignment = Alignment(wrap_text=True, vertical="center", **style)

    line(1, f"Biểu số {form_number()}", end=6, font={"bold": True})
    line(2, f"Ban hành theo {CIRCULAR}", end=6, font={"italic": True, "size": 9})
    line(1, f"Đơn vị báo cáo: {head.reporter}", start=width - 6, font={"bold": True})
    line(2, f"Đơn vị nhận báo cáo: {head.recipient}", start=width - 6)
    line(3, TITLE.upper(), horizontal="center", font={"bold": True, "size": 14})
    line(4, period_line(statistics), horizontal="center", font={"bold": True})
    line(5, f"{statistics.unit.label} — đơn vị tính: hồ sơ", horizontal="right", font={"italic": True})
    sheet.row_dimensions[1].height = sheet.row_dimensions[2].height = 30

    top = 6
    for cells in header_cells(first_column_label(statistics)):
        for cell in cells:
            row, column = top + cell.row, 1 + cell.column
            sheet.cell(row=row, column=column, value=cell.label)
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=row,
                    start_column=column,
                    end_row=row + cell.rowspan - 1,
                    end_column=column + cell.colspan - 1,
                )
    numbers_row = top + DEPTH
    for column, number in enumerate(column_numbers(), start=1):
        sheet.cell(row=numbers_row, column=column, value=number)
    for row in sheet.iter_rows(min_row=top, max_row=numbers_row, max_col=width):
        for cell in row:
            cell.font = Font(bold=cell.row < numbers_row, italic=cell.row == numbers_row)
            cell.alignment = centred
            cell.border = box

    shaded = PatternFill("solid", fgColor="EDEDED")
    current = numbers_row

    def data_row(number: str, label: str, counts: Counts, *, bold: bool, fill: PatternFill | None, indent: int) -> None:
        nonlocal current
        current += 1
        sheet.append([number, label, *counts.values()])
        for cell in sheet[current]:
            cell.border = box
            cell.font = Font(bold=bold)
            if fill is not None:
                cell.fill = fill
            if cell.column > 2:
                cell.number_format = "#,##0"
            elif cell.column == 1:
                cell.alignment = Alignment(horizontal="center", vertical="top")
            else:
                cell.alignment = Alignment(wrap_text=True, vertical="top", indent=indent)
                # Names are the directory's and the catalogue's: text, never a formula.
                cell.data_type = "s"

    for item in statistics.rows:
        body = item.level == 1
        data_row(
            item.number, item.label, item.counts, bold=body, fill=shaded if body else None, indent=0 if body else 1
        )
    data_row("", "Tổng cộng", statistics.total, bold=True, fill=shaded, indent=0)

    current += 2
    for note in NOTES:
        line(current, note, font={"italic": True, "size": 9})
        sheet.row_dimensions[current].height = 28
        current += 1
    line(
        current,
        f"Lập lúc {vn_short(statistics.made_at)} từ số liệu của Hệ thống thông tin một cửa điện tử.",
        font={"italic": True, "size": 9},
    )

    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 44
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 10.5
    sheet.freeze_panes = sheet.cell(row=numbers_row + 1, column=3)
    sheet.print_title_rows = f"{top}:{numbers_row}"
    sheet.print_area = f"A1:{last}{current}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
