"""What the signature looks like on the page: the number and date the clerk gave, who signed, who
approved, and a QR code to the verification page, drawn as a small PDF that pyHanko uses as the
signature field's appearance (Vietnamese text needs a TrueType font, which reportlab embeds)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from reportlab.lib.colors import Color  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen import canvas  # type: ignore[import-untyped]

FONT_DIR = "/usr/share/fonts/truetype/noto"
FONT, FONT_BOLD = "SigningSans", "SigningSans-Bold"
#: Width and height of the stamp, in points.
WIDTH, HEIGHT = 250.0, 92.0
RED = Color(0.75, 0.05, 0.05)


@dataclass(frozen=True)
class Appearance:
    number: str
    date_line: str
    agency: str
    approver: str
    signed_at: str
    verify_url: str


def _fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, f"{FONT_DIR}/NotoSans-Regular.ttf"))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, f"{FONT_DIR}/NotoSans-Bold.ttf"))


def _fit(text: str, font: str, size: float, width: float) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if pdfmetrics.stringWidth(candidate, font, size) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def draw(appearance: Appearance) -> bytes:
    """The stamp as a one-page PDF of WIDTH × HEIGHT points."""
    _fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT))
    page.setStrokeColor(RED)
    page.setLineWidth(1)
    page.rect(1, 1, WIDTH - 2, HEIGHT - 2)
    # The QR code: the verification page for this document.
    matrix = segno.make(appearance.verify_url, error="m").matrix
    size = HEIGHT - 12
    cell = size / len(matrix)
    page.setFillColor(Color(0, 0, 0))
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                page.rect(6 + column * cell, HEIGHT - 6 - (row + 1) * cell, cell, cell, stroke=0, fill=1)
    left, width = size + 12, WIDTH - size - 18
    y = HEIGHT - 13
    page.setFillColor(RED)
    for text, font, font_size in [
        (f"Số: {appearance.number}", FONT_BOLD, 8.5),
        (appearance.date_line, FONT, 7),
        (f"Ký số bởi: {appearance.agency}", FONT_BOLD, 7),
        (f"Người duyệt: {appearance.approver}", FONT, 7),
        (f"Thời gian ký: {appearance.signed_at}", FONT, 7),
    ]:
        if text == "Người duyệt: ":
            continue  # a document nobody approves (a receipt) has no such line
        for line in _fit(text, font, font_size, width):
            page.setFont(font, font_size)
            page.drawString(left, y, line)
            y -= font_size + 2.5
    page.showPage()
    page.save()
    return buffer.getvalue()
