"""The register of dossiers (Form 06 / 07): its rows per desk and date range, as PDF (A4 landscape,
drawn by ReportLab, or a site's own template through WeasyPrint) or XLSX.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.dossiers.selectors import forms_version_for

from . import selectors
from .constants import (
    CIRCULAR_NAMES,
    REGISTER_FORM,
    REGISTER_INLINE_MAX_ROWS,
    REGISTER_MAX_DAYS,
    FormSpec,
    RegisterFormat,
)
from .form_contexts import heading_for, place_of, vn_date_line, vn_short
from .register_drawing import draw_register
from .rendering import render_pdf, site_has_template

REGISTER_COLUMNS = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Ngày, giờ nhận hồ sơ",
    "Ngày, giờ hẹn trả kết quả",
    "Ngày, giờ chuyển hồ sơ",
    "Ngày, giờ nhận kết quả từ cơ quan giải quyết",
    "Ngày, giờ trả kết quả",
    "Ký nhận",
    "Ghi chú",
]
# Column widths in mm on A4 landscape (275 mm between the margins): the code never wraps.
REGISTER_WIDTHS_MM = [8, 33, 40, 10, 26, 34, 28, 15, 15, 15, 15, 15, 10, 11]


# --- the register (Form 06 / 07) ----------------------------------------------------------------


def _register_version(date_to: dt.date) -> str:
    return forms_version_for(dt.datetime.combine(date_to, dt.time(12), tzinfo=VIETNAM_TZ))


def _check_range(date_from: dt.date, date_to: dt.date) -> None:
    """The register's date range, checked by every way of making one (the form only repeats it)."""
    if date_from > date_to:
        raise ValidationError(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
    if date_to - date_from > dt.timedelta(days=REGISTER_MAX_DAYS):
        raise ValidationError(_("Mỗi lần chỉ in sổ cho tối đa 366 ngày."))


def _register_values(row: selectors.RegisterRow) -> list[Any]:
    """One register row in REGISTER_COLUMNS order: numbers as int, times as aware datetimes."""
    dossier = row.dossier
    return [
        row.number,
        dossier.code or "",
        dossier.procedure_version.name,
        1,
        dossier.applicant_name,
        ", ".join(part for part in (dossier.address, dossier.phone) if part),
        row.lead_agency,
        dossier.received_at,
        dossier.due_at,
        row.transferred_at,
        row.result_back_at,
        row.returned_at,
        "",
        "; ".join(row.notes),
    ]


def register_table(*, desk: ReceptionDesk, date_from: dt.date, date_to: dt.date) -> list[list[str]]:
    """The register's rows as text cells, in REGISTER_COLUMNS order (for the PDF)."""
    return [
        [vn_short(value) if isinstance(value, dt.datetime) else str(value or "") for value in _register_values(row)]
        for row in selectors.register_rows(desk=desk, date_from=date_from, date_to=date_to)
    ]


def register_context(
    *, desk: ReceptionDesk, date_from: dt.date, date_to: dt.date, at: dt.datetime | None = None
) -> tuple[list[str], dict[str, Any]]:
    """The register's template names and context: Form 06 (2018) / 07 (2025) over local days."""
    _check_range(date_from, date_to)
    at = at or timezone.now()
    version = _register_version(date_to)
    context = {
        "heading": heading_for(desk.agency, desk.name),
        "form": FormSpec(REGISTER_FORM[version], "Sổ theo dõi hồ sơ", "Sổ theo dõi hồ sơ"),
        "circular": CIRCULAR_NAMES[version],
        "forms_version": version,
        "desk": desk,
        # The book in use ("Quyển số"), a desk setting, beside the desk's name.
        "book": f", quyển số {desk.register_book}" if desk.register_book else "",
        "date_from": f"{date_from:%d/%m/%Y}",
        "date_to": f"{date_to:%d/%m/%Y}",
        "date_line": vn_date_line(place_of(desk.agency), at),
        "columns": REGISTER_COLUMNS,
        "widths": REGISTER_WIDTHS_MM,
        "rows": register_table(desk=desk, date_from=date_from, date_to=date_to),
        "page_size": "A4 landscape",
    }
    return [f"printing/{version}/register.html"], context


# A site's register template replaces the drawn register: any template of its chain will do.
REGISTER_TEMPLATE_CHAIN = ("printing/2018/register.html", "printing/base.html")
# Rows a register may have to be made while the official waits, per engine (about 1 ms a row
# drawn, 8–22 ms through WeasyPrint; gunicorn gives a request 60 s).
REGISTER_INLINE_MAX_ROWS_DRAWN = REGISTER_INLINE_MAX_ROWS
REGISTER_INLINE_MAX_ROWS_TEMPLATE = 500


def register_uses_site_template(version: str) -> bool:
    return any(site_has_template(name) for name in (f"printing/{version}/register.html", *REGISTER_TEMPLATE_CHAIN))


def register_pdf(*, desk: ReceptionDesk, date_from: dt.date, date_to: dt.date, at: dt.datetime | None = None) -> bytes:
    """The register of `desk` for local days date_from..date_to as PDF, A4 landscape.

    Drawn with ReportLab (`register_drawing`: about eight times faster than WeasyPrint for a
    long register), unless the site has its own register template, which WeasyPrint renders.
    """
    names, context = register_context(desk=desk, date_from=date_from, date_to=date_to, at=at)
    if register_uses_site_template(context["forms_version"]):
        return render_pdf(names, context)
    return draw_register(context)


def register_made_in_background(*, desk: ReceptionDesk, date_from: dt.date, date_to: dt.date, file_format: str) -> bool:
    """Whether this register is too long to make while the official waits."""
    limit = REGISTER_INLINE_MAX_ROWS_DRAWN
    if file_format == RegisterFormat.PDF and register_uses_site_template(_register_version(date_to)):
        limit = REGISTER_INLINE_MAX_ROWS_TEMPLATE
    return selectors.register_count(desk=desk, date_from=date_from, date_to=date_to) > limit


def register_xlsx(*, desk: ReceptionDesk, date_from: dt.date, date_to: dt.date) -> bytes:
    """The same register as a spreadsheet for the desk's own reporting: numbers are numbers and
    times are Excel date-times (Vietnam time), so the sheet sorts, filters and counts."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    _check_range(date_from, date_to)
    version = _register_version(date_to)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sổ theo dõi hồ sơ"
    sheet.append([f"SỔ THEO DÕI HỒ SƠ (Mẫu số {REGISTER_FORM[version]}, {CIRCULAR_NAMES[version]})"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"{desk.name} — từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"])
    sheet.append(REGISTER_COLUMNS)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in selectors.register_rows(desk=desk, date_from=date_from, date_to=date_to):
        values = [
            value.astimezone(VIETNAM_TZ).replace(tzinfo=None) if isinstance(value, dt.datetime) else value
            for value in _register_values(row)
        ]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            if cell.data_type == "f":  # openpyxl reads "=..." as a formula: applicant text stays text
                cell.data_type = "s"
            elif cell.is_date:
                cell.number_format = "hh:mm dd/mm/yyyy"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.auto_filter.ref = f"A{header_row}:{sheet.cell(row=sheet.max_row, column=len(REGISTER_COLUMNS)).coordinate}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    widths = [6, 26, 40, 8, 24, 34, 30, 16, 16, 16, 16, 16, 10, 24]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=header_row, column=index).column_letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
