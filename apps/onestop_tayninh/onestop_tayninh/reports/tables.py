"""A table the desk shows, a chart may draw, and XLSX exports: one shape for the three."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]


@dataclass
class Table:
    id: str
    title: str
    columns: list[str]
    #: Each row: {"cells": [text or {"text", "class"}], "kind": "", "link": query or None, "note": ""}.
    rows: list[dict[str, Any]]
    heat: bool = False
    #: How many leading columns hold words (left-aligned); the rest are numbers.
    text_columns: int = 1
    #: What the chart script draws (labels, datasets), or None for a table only.
    chart: dict[str, Any] | None = field(default=None)

    @staticmethod
    def row(
        cells: list[Any],
        *,
        kind: str = "",
        link: dict[str, str] | None = None,
        note: str = "",
        urge: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        return {
            "urge": urge,
            "cells": [cell if isinstance(cell, dict) else {"text": str(cell), "class": ""} for cell in cells],
            "kind": kind,
            "link": link,
            "note": note,
        }

    def xlsx(self, *, heading: list[str]) -> bytes:
        """The table as a workbook: the heading lines (unit, period), the header row, the rows."""
        book = Workbook()
        sheet = book.active
        # Excel refuses these characters in a sheet's name, and more than 31 of any.
        sheet.title = re.sub(r"[\\/*?:\[\]]", "-", self.title)[:31]
        for line in heading:
            sheet.append([line])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append([])
        sheet.append(self.columns)
        header_row = sheet.max_row
        for column in range(1, len(self.columns) + 1):
            cell = sheet.cell(row=header_row, column=column)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE7F0")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in self.rows:
            sheet.append([cell["text"] for cell in row["cells"]])
            if row["kind"] in ("group", "total"):
                for column in range(1, len(self.columns) + 1):
                    sheet.cell(row=sheet.max_row, column=column).font = Font(bold=True)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        for column in range(1, len(self.columns) + 1):
            width = max(
                [len(str(self.columns[column - 1]))]
                + [len(r["cells"][column - 1]["text"]) for r in self.rows if len(r["cells"]) >= column]
            )
            sheet.column_dimensions[get_column_letter(column)].width = min(60, max(10, width + 2))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
