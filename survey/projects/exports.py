"""Projects as rows (the import's columns, so an export imports back), written as CSV, XLSX or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from survey.projects.imports import COLUMNS
from survey.projects.models import Project
from survey.projects.services import snapshot

HEADERS = ("id", *COLUMNS, "confirmed_by", "is_demo")
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text defused so a spreadsheet never runs it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def project_row(project: Project) -> list[Any]:
    """One project in the import's columns, lists joined with semicolons."""
    data = snapshot(project)
    confirmed = sorted(b.country.alpha2 for b in project.beneficiaries if b.confirmed)
    cells = {
        **data,
        "donors": "; ".join(data["donors"]),
        "countries": "; ".join(data["countries"]),
        "targets": "; ".join(data["targets"]),
        "confirmed_by": "; ".join(confirmed),
    }
    return [cells.get(name) for name in HEADERS]


def to_csv(projects: Sequence[Project]) -> bytes:
    """CSV with a byte-order mark so spreadsheet programs read UTF-8 names right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for project in projects:
        writer.writerow(["" if v is None else safe_cell(v) for v in project_row(project)])
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(projects: Sequence[Project]) -> bytes:
    """One sheet, bold frozen header row."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "projects"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for project in projects:
        sheet.append([safe_cell(v) for v in project_row(project)])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_json(projects: Sequence[Project]) -> bytes:
    """Every project as the API gives it."""
    return json.dumps({"projects": [project_json(p) for p in projects]}, ensure_ascii=False, indent=1).encode()


def project_json(project: Project) -> dict[str, Any]:
    """A project for the API and the JSON export: lists as lists, each country with its confirmation."""
    data = snapshot(project)
    data["budget"] = float(project.budget) if project.budget is not None else None
    data["countries"] = [
        {"country": b.country.alpha2, "confirmed": b.confirmed, "note": b.note}
        for b in sorted(project.beneficiaries, key=lambda b: b.country.alpha2)
    ]
    return data
