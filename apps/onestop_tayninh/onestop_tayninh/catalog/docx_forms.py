"""Word (DOCX) copies of the level-2 forms, written from the same HTML as their PDF.

A site's form (`sites/<site>/forms/<name>.html`) is printed to PDF for citizens who fill in by
hand; citizens who type want it in Word. Rather than keep a second, binary copy of every form in
the repository (and let the two drift apart), the Word copy is written from the HTML when the site
is loaded: the form's legal reference ("Mẫu số 01 … Nghị định …"), the national motto, the title,
each labelled blank as a table row whose right-hand cell is where the citizen types, and the
signature block. The forms use a small fixed set of classes (`bieu-mau.css`); any other element
becomes a plain paragraph, so a new form still comes out readable.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html
from lxml.etree import _Element

# Bump when the layout below changes: it is part of a procedure row's checksum
# (catalog.site_loaders), so reloading the site writes the forms again as a new version.
LAYOUT_VERSION = "1"

# Times New Roman is the typeface of Vietnamese administrative documents (Decree 30/2020).
FONT = "Times New Roman"
BODY_SIZE = Pt(12)
DOTS = "…" * 30


def form_docx(source: str) -> bytes:
    """The Word document of the HTML form `source`."""
    tree = lxml_html.document_fromstring(source)
    document = Document()
    _page_setup(document)
    title = _text(next(iter(tree.iter("h1")), None)) or _text(next(iter(tree.iter("title")), None))
    reference = _text(next(iter(tree.find_class("mau")), None))
    properties = document.core_properties
    properties.title = title
    properties.subject = reference
    properties.author = ""  # python-docx writes its own name otherwise
    properties.last_modified_by = ""
    properties.comments = ""
    properties.language = "vi-VN"
    body = tree.find("body")
    rows: list[_Element] = []
    for element in body.iterchildren() if body is not None else iter(()):
        if _has_class(element, "f") or _has_class(element, "blank"):
            rows.append(element)
            continue
        if rows:
            _fields_table(document, rows)
            rows = []
        _block(document, element)
    if rows:
        _fields_table(document, rows)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page_setup(document: WordDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = Mm(25)
    section.right_margin = section.top_margin = section.bottom_margin = Mm(18)
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = BODY_SIZE
    # East-Asian and complex-script slots too, or Word falls back to another face for some letters.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    style.paragraph_format.space_after = Pt(2)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.line_spacing = 1.15


def _block(document: WordDocument, element: _Element) -> None:
    """One top-level element of the form's body."""
    if _has_class(element, "mau"):
        _paragraph(document, _text(element), align=WD_ALIGN_PARAGRAPH.RIGHT, italic=True, size=Pt(11))
    elif _has_class(element, "quoc-hieu"):
        for part in element.iterchildren():
            motto = _has_class(part, "tn")
            paragraph = _paragraph(
                document, _text(part), align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=Pt(13 if motto else 12)
            )
            if motto:
                paragraph.runs[0].underline = True
                paragraph.paragraph_format.space_after = Pt(10)
    elif element.tag == "h1":
        paragraph = _paragraph(document, _text(element).upper(), align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
        paragraph.runs[0].font.size = Pt(14)
        paragraph.paragraph_format.space_before = Pt(6)
    elif _has_class(element, "sub"):
        _paragraph(document, _text(element), align=WD_ALIGN_PARAGRAPH.CENTER, italic=True)
    elif _has_class(element, "kinh-gui"):
        paragraph = _paragraph(document, _text(element, blanks=True), align=WD_ALIGN_PARAGRAPH.CENTER)
        paragraph.paragraph_format.space_after = Pt(8)
    elif _has_class(element, "sec"):
        paragraph = _paragraph(document, _text(element), bold=True)
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.keep_with_next = True
    elif _has_class(element, "ky-wrap"):
        for part in element.iterchildren():
            _block(document, part)
    elif _has_class(element, "cam-doan") or _has_class(element, "note"):
        paragraph = _paragraph(document, _text(element), align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.keep_with_next = True
    elif _has_class(element, "ngay"):
        paragraph = _paragraph(document, _text(element), align=WD_ALIGN_PARAGRAPH.RIGHT, italic=True)
        paragraph.paragraph_format.space_before = Pt(8)
        paragraph.paragraph_format.keep_with_next = True
    elif _has_class(element, "ky"):
        _signatures(document, element)
    elif _text(element):
        _paragraph(document, _text(element, blanks=True))


def _fields_table(document: WordDocument, rows: list[_Element]) -> None:
    """Labelled blanks as a two-column table without rules: the label, then a dotted cell to type in;
    an unlabelled blank line (`.blank`) spans both columns."""
    table = document.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    _no_borders(table)
    blank_rows = []
    for row in rows:
        added = table.add_row()
        cells = added.cells
        if _has_class(row, "blank"):
            blank_rows.append(added)
            continue
        _cell_text(cells[0], _text(next(iter(row.find_class("l")), None)) or _text(row))
        _cell_text(cells[1], "")
        _dotted_cell(cells[1])
        for cell in cells:
            # The rule sits under the label's last line, as on paper.
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    # A label long enough to need two lines wraps in its column; the blank stays wide enough to write in.
    for column, width in zip(table.columns, (Mm(72), Mm(95)), strict=True):
        for cell in column.cells:
            cell.width = width
    for added in blank_rows:
        merged = added.cells[0].merge(added.cells[1])
        _cell_text(merged, "")
        _dotted_cell(merged)
        added.height = Mm(8)


def _signatures(document: WordDocument, element: _Element) -> None:
    """The signature block: one column per signer, each with its role, its hint and room to sign."""
    cells = [cell for row in element.iter("tr") for cell in row.iter("td")]
    if not cells:
        return
    table = document.add_table(rows=1, cols=len(cells))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    for source, cell in zip(cells, table.rows[0].cells, strict=True):
        cell.paragraphs[0].text = ""
        first = True
        for part in source.iterchildren():
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if _has_class(part, "space"):
                for _ in range(3):
                    cell.add_paragraph()
                continue
            text = _text(part)
            run = paragraph.add_run(text.upper() if _has_class(part, "cd") else text)
            run.bold = _has_class(part, "cd")
            run.italic = _has_class(part, "hd")


def _paragraph(
    document: WordDocument,
    text: str,
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    bold: bool = False,
    italic: bool = False,
    size: Length | None = None,
) -> Paragraph:
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if size is not None:
        run.font.size = size
    return paragraph


def _cell_text(cell: _Cell, text: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(3)
    paragraph.add_run(text)


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    table._tbl.tblPr.append(borders)


def _dotted_cell(cell: _Cell) -> None:
    """A dotted rule under the cell, the "……" of a paper form that the citizen types over."""
    properties = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "dotted"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    properties.append(borders)


def _has_class(element: _Element | None, name: str) -> bool:
    return element is not None and name in (element.get("class") or "").split()


def _pieces(element: _Element, *, blanks: bool) -> Iterator[str]:
    if element.text:
        yield element.text
    for child in element.iterchildren():
        # An empty inline box drawn as a dotted line in the PDF ("Kính gửi: ____") is dots in Word.
        if blanks and child.tag == "span" and not "".join(child.itertext()).strip():
            yield DOTS
        else:
            yield from _pieces(child, blanks=blanks)
        if child.tail:
            yield child.tail


def _text(element: _Element | None, *, blanks: bool = False) -> str:
    if element is None:
        return ""
    return " ".join("".join(_pieces(element, blanks=blanks)).split())
