"""The register (Form 06 / 07) drawn with ReportLab: 1,000 dossiers in about 1 s.

WeasyPrint takes every cell of an HTML table through the whole CSS machinery, about 8 ms
a row whatever the stylesheet (a 1,000-row register took 8–22 s; README "Hiệu năng"). The
register is one long grid under a fixed heading, so it is drawn here as one ReportLab table
per page, each row measured once (`_RowsByPage`). It prints what `templates/printing/<version>/register.html`
prints, on the same page, in the same fonts (`forms.css`); a site that places its own
register.html gets that template rendered by WeasyPrint instead (`register_book.register_pdf`).

Applicant text reaches ReportLab's paragraph markup escaped, so `<img src=...>` is printed as
text; ReportLab trusts no host for fetching (`rl_config.trustedHosts` is None).
"""

from __future__ import annotations

import functools
import io
import unicodedata
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

# The fonts forms.css names (Debian fonts-noto-core), embedded as subsets.
FONT_DIR = "/usr/share/fonts/truetype/noto"
SERIF = "FormSerif"
SERIF_BOLD = "FormSerif-Bold"
SERIF_ITALIC = "FormSerif-Italic"
SERIF_BOLD_ITALIC = "FormSerif-BoldItalic"
FONT_FILES = {
    SERIF: "NotoSerif-Regular.ttf",
    SERIF_BOLD: "NotoSerif-Bold.ttf",
    SERIF_ITALIC: "NotoSerif-Italic.ttf",
    SERIF_BOLD_ITALIC: "NotoSerif-BoldItalic.ttf",
}

# forms.css: @page register { size: A4 landscape; margin: 12mm 10mm 14mm 12mm; }
PAGE = landscape(A4)
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 12 * mm, 10 * mm, 14 * mm, 12 * mm
LEADING = 1.3  # line-height

# Columns printed centred (STT, number of sets) as in the template's td.n.
CENTRED_COLUMNS = {0, 3}
EMPTY_TEXT = "Không có hồ sơ nào được tiếp nhận trong thời gian này."


@functools.cache
def _register_fonts() -> None:
    for name, file in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, f"{FONT_DIR}/{file}"))
    pdfmetrics.registerFontFamily(
        SERIF, normal=SERIF, bold=SERIF_BOLD, italic=SERIF_ITALIC, boldItalic=SERIF_BOLD_ITALIC
    )


def _style(name: str, *, size: float, font: str = SERIF, align: int = TA_LEFT, **extra: Any) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * LEADING, alignment=align, **extra)


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    return {
        "form_number": _style("form_number", size=7.5, font=SERIF_ITALIC, align=TA_RIGHT),
        "issuer": _style("issuer", size=8, align=TA_CENTER),
        "issuer_name": _style("issuer_name", size=8, font=SERIF_BOLD, align=TA_CENTER),
        "republic": _style("republic", size=8, font=SERIF_BOLD, align=TA_CENTER),
        "independence": _style("independence", size=8.5, font=SERIF_BOLD, align=TA_CENTER),
        "date_line": _style("date_line", size=8, font=SERIF_ITALIC, align=TA_CENTER, spaceBefore=1 * mm),
        "title": _style("title", size=10.5, font=SERIF_BOLD, align=TA_CENTER, spaceAfter=1.5 * mm),
        "subtitle": _style("subtitle", size=8, align=TA_CENTER, spaceAfter=1 * mm),
        "head": _style("head", size=7, font=SERIF_BOLD, align=TA_CENTER),
        "cell": _style("cell", size=7),
        "cell_centred": _style("cell_centred", size=7, align=TA_CENTER),
    }


def _text(value: str) -> str:
    """Applicant or catalogue text as paragraph markup that prints literally.

    NFC first: ReportLab does not position combining marks, and every Vietnamese letter has
    a precomposed form.
    """
    return escape(unicodedata.normalize("NFC", value))


def _rule(width: str) -> HRFlowable:
    return HRFlowable(width=width, thickness=0.6, color=colors.black, spaceBefore=0.8 * mm, spaceAfter=1.2 * mm)


def _heading(context: dict[str, Any], width: float) -> list:
    styles = _styles()
    heading = context["heading"]
    issuer = [Paragraph(_text(heading["parent"]), styles["issuer"])] if heading["parent"] else []
    issuer += [Paragraph(_text(heading["name"]), styles["issuer_name"]), _rule("30%")]
    motto = [
        Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", styles["republic"]),
        Paragraph("Độc lập - Tự do - Hạnh phúc", styles["independence"]),
        _rule("55%"),
        Paragraph(_text(context["date_line"]), styles["date_line"]),
    ]
    block = Table([[issuer, motto]], colWidths=[width * 0.44, width * 0.56])
    block.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("FONT", (0, 0), (-1, -1), SERIF, 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    form = context["form"]
    return [
        Paragraph(_text(f"Mẫu số {form.number} ({context['circular']})"), styles["form_number"]),
        block,
        Spacer(0, 1 * mm),
        Paragraph(_text(form.title.upper()), styles["title"]),
        Paragraph(
            _text(
                f"{context['desk'].name}{context['book']} — từ ngày {context['date_from']} đến ngày {context['date_to']}"
            ),
            styles["subtitle"],
        ),
    ]


def _cell(value: str, column: int) -> Paragraph | str:
    if not value:
        return ""
    styles = _styles()
    return Paragraph(_text(value), styles["cell_centred" if column in CENTRED_COLUMNS else "cell"])


PAD_X, PAD_Y = 0.7 * mm, 0.6 * mm  # table.grid.small th, td { padding: 0.6mm 0.7mm; }
GRID_STYLE = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("FONT", (0, 0), (-1, -1), SERIF, 7),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
    ]
)


class _RowsByPage(Flowable):
    """The register's rows as one table per page, the header row repeated on each.

    ReportLab's own Table measures a long table again at every page break (its row-height
    loop is quadratic: 10,000 rows took 21 s against 1.2 s for 1,000). Here a row is made into
    paragraphs and measured once, when a page first needs it, and a page takes the rows that
    fit under its header; the rows of pages already drawn are let go, so memory holds about
    one page of paragraphs, not the whole register. A row is not cut across two pages (the
    template's `break-inside: avoid`) unless it is taller than a whole page; then it is split.
    """

    def __init__(
        self,
        header: list,
        texts: list[list[str]],
        widths: list[float],
        *,
        page_height: float,
        start: int = 0,
        prepared: dict[int, tuple[list, float]] | None = None,
    ) -> None:
        super().__init__()
        self.header, self.texts, self.widths, self.page_height = header, texts, widths, page_height
        self.start = start
        self.header_height = self._measure(header)
        # Row index -> (cells, height), for rows measured but not yet on a page.
        self.prepared = prepared if prepared is not None else {}
        self._fitting: Table | None = None

    def _measure(self, cells: list) -> float:
        tallest = max(
            (
                cell.wrap(width - 2 * PAD_X, 10 * PAGE[1])[1]
                for cell, width in zip(cells, self.widths, strict=True)
                if cell
            ),
            default=0,
        )
        return tallest + 2 * PAD_Y

    def _row(self, index: int) -> tuple[list, float]:
        if index not in self.prepared:
            cells = [_cell(value, column) for column, value in enumerate(self.texts[index])]
            self.prepared[index] = (cells, self._measure(cells))
        return self.prepared[index]

    def _rows_fitting(self, available: float) -> int:
        """Where the rows that fit, with the header, in `available` points end (an index)."""
        used, stop = self.header_height, self.start
        while stop < len(self.texts):
            height = self._row(stop)[1]
            if used + height > available:
                break
            used += height
            stop += 1
        return stop

    def _table(self, stop: int) -> Table:
        rows = [self.prepared[index] for index in range(self.start, stop)]
        return Table(
            [self.header, *(cells for cells, _height in rows)],
            colWidths=self.widths,
            rowHeights=[self.header_height, *(height for _cells, height in rows)],
            style=GRID_STYLE,
        )

    def _rest(self, stop: int) -> _RowsByPage:
        later = {index: row for index, row in self.prepared.items() if index >= stop}
        return _RowsByPage(
            self.header, self.texts, self.widths, page_height=self.page_height, start=stop, prepared=later
        )

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        stop = self._rows_fitting(availHeight)
        if stop == len(self.texts):
            self._fitting = self._table(stop)
            return self._fitting.wrap(availWidth, availHeight)
        self._fitting = None
        return sum(self.widths), availHeight + 1  # more than the page: the frame asks for split()

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        stop = self._rows_fitting(availHeight)
        if stop > self.start:
            return [self._table(stop), self._rest(stop)]
        cells, height = self._row(self.start)
        at_top_of_page = availHeight >= self.page_height - 1
        if self.header_height + height <= self.page_height or not at_top_of_page:
            return []  # not even one row here: the rest starts on the next page
        # A row taller than a whole page (dozens of notes): from the top of a page, ReportLab's
        # table cuts it across as many pages as it needs, the header repeated on each; the rows
        # after it continue under a header of their own on its last page.
        tall = Table([self.header, cells], colWidths=self.widths, repeatRows=1, splitInRow=1, style=GRID_STYLE)
        parts = tall.split(availWidth, availHeight)
        return [*parts, self._rest(self.start + 1)] if parts else []

    def draw(self) -> None:
        self._fitting.drawOn(self.canv, 0, 0)


def _grid(context: dict[str, Any], page_height: float) -> Flowable:
    styles = _styles()
    columns = context["columns"]
    widths = [width * mm for width in context["widths"]]
    header = [Paragraph(_text(column), styles["head"]) for column in columns]
    if not context["rows"]:
        empty = [Paragraph(_text(EMPTY_TEXT), styles["cell"])] + [""] * (len(columns) - 1)
        grid = Table([header, empty], colWidths=widths, style=GRID_STYLE)
        grid.setStyle(TableStyle([("SPAN", (0, 1), (-1, 1))]))
        return grid
    return _RowsByPage(header, context["rows"], widths, page_height=page_height)


class _NumberedCanvas(Canvas):
    """A canvas that holds its pages back until the end, to print "Trang x/y" on each."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # ReportLab's name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, page in enumerate(self._held_pages, start=1):
            self.__dict__.update(page)
            self.setFont(SERIF, 7.5)
            self.setFillColor(colors.HexColor("#333333"))
            self.drawCentredString(PAGE[0] / 2, MARGIN_BOTTOM / 2, f"Trang {number}/{total}")
            super().showPage()
        super().save()


def draw_register(context: dict[str, Any]) -> bytes:
    """The register PDF from `register_book.register_context`'s context."""
    _register_fonts()
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=PAGE,
        topMargin=MARGIN_TOP,
        rightMargin=MARGIN_RIGHT,
        bottomMargin=MARGIN_BOTTOM,
        leftMargin=MARGIN_LEFT,
        title=context["form"].title,
        author=context["desk"].name,
        creator="onestop_tayninh",
        lang="vi",
        initialFontName=SERIF,
    )
    # No padding inside the frame: the margins are the page's, as in forms.css.
    frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        document.width,
        document.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    document.addPageTemplates([PageTemplate(id="register", frames=[frame])])
    flowables = [*_heading(context, document.width), _grid(context, document.height)]
    document.build(flowables, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
