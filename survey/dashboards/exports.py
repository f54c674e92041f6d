"""Tables to CSV, XLSX and JSON, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from survey.dashboards.build import Scored, Table

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Numbers as numbers (rounded to 0.1), text defused so a spreadsheet never runs it."""
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def flat_headers(table: Table, stage_header: str) -> list[str]:
    """Headers with a stage column after each score-and-stage column."""
    first = table.rows[0] if table.rows else []
    headers = []
    for index, header in enumerate(table.headers):
        headers.append(header)
        if index < len(first) and isinstance(first[index], Scored):
            headers.append(stage_header % {"column": header})
    return headers


def flat_row(row: Sequence[Any]) -> list[Any]:
    """A row with each score-and-stage cell split into two cells."""
    cells: list[Any] = []
    for value in row:
        cells.extend((value.score, value.stage) if isinstance(value, Scored) else (value,))
    return [safe_cell(v) for v in cells]


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with a byte-order mark so spreadsheet programs read UTF-8 names right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def to_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """An XLSX workbook with one sheet, bold headers and frozen header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on its one worksheet
    sheet.title = title[:31]
    sheet.append([safe_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
