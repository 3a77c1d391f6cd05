"""Plain tables to CSV and Excel, safe to open: every text cell that could run as a formula is escaped.

Pure Python (csv and openpyxl), no Django. CSV is UTF-8 with a byte-order mark so Excel reads "Zoë";
dates are ISO in CSV (every locale reads them alike) and real dates in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tandem.lib.spreadsheet import escape_formula

Cell = str | int | float | dt.date | None


@dataclass(frozen=True)
class DataTable:
    title: str  # also the Excel sheet's name (31 characters at most)
    headers: Sequence[str]
    rows: Iterable[Sequence[Cell]]


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return escape_formula(value)


def table_csv(table: DataTable) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([escape_formula(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_text(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(table: DataTable) -> bytes:
    book = Workbook(write_only=False)
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = table.title[:31]
    book.properties.title = table.title
    book.properties.creator = "Tandem"
    book.properties.language = "en-GB"
    bold = Font(bold=True)
    widths = [len(h) for h in table.headers]
    for column, heading in enumerate(table.headers, start=1):
        sheet.cell(row=1, column=column, value=escape_formula(heading)).font = bold
    line = 1
    for line, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=line, column=column)
            if isinstance(value, str):
                cell.value = escape_formula(value)
                cell.data_type = "s"  # never a formula, whatever openpyxl would guess
            elif isinstance(value, dt.date):
                cell.value = value
                cell.number_format = "dd/mm/yyyy"
            else:
                cell.value = value
            widths[column - 1] = max(widths[column - 1], min(len(_text(value)), 40))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width + 2
    sheet.freeze_panes = "A2"
    if line > 1:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{line}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
