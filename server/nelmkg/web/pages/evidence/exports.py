"""Tables for people as files: CSV (UTF-8 with a byte-order mark) and XLSX (openpyxl).

A table is a title, a header row and rows of plain text (titles and labels, never IRIs; the
extraction's markup already removed by :func:`nelmkg.graph.markup.plain`). The byte-order mark
makes spreadsheet programs read the CSV as UTF-8 (the review's "Kaçmaz", "≥", "–").
A workbook may hold several tables, one sheet each.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from nelmkg.web import conneg

BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS: dict[str, conneg.Format] = {
    "csv": conneg.Format("csv", "text/csv", charset=True),
    "xlsx": conneg.Format("xlsx", XLSX_TYPE),
}


@dataclass
class Table:
    """One sheet: a title, the column headers and the rows (plain strings or numbers)."""

    title: str
    header: Sequence[str]
    rows: list[Sequence] = field(default_factory=list)


def to_csv(tables: Sequence[Table]) -> str:
    """Return the tables as one CSV text with a BOM; several tables are separated by a blank
    row and each opens with its title row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, table in enumerate(tables):
        if len(tables) > 1:
            if i:
                writer.writerow([])
            writer.writerow([table.title])
        writer.writerow(table.header)
        writer.writerows([["" if v is None else v for v in row] for row in table.rows])
    return BOM + out.getvalue()


def _sheet_name(title: str, taken: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ , unique in the workbook.
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """Return the tables as an XLSX workbook, one sheet per table, header row in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, taken))
        sheet.append(list(table.header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(["" if v is None else v for v in row])
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60)
            for cell in column[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(tables: Sequence[Table], key: str) -> bytes | str:
    """Return the tables as ``csv`` or ``xlsx``."""
    return to_csv(tables) if key == "csv" else to_xlsx(tables)
