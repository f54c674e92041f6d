"""Reading a list of projects from CSV or XLSX: bounded before any expensive work, values only, every problem by row.

A file with any problem applies nothing: the preview lists the problems so they can all be fixed at once.
The file waits on the server (`Uploads`) until the user confirms, and is read again then.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel import Locale
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from survey.countries.models import Country
from survey.projects.models import ProjectStatus, ProjectVisibility
from survey.projects.services import BUDGET_RULE, ProjectValues, check
from survey.questions.base import InvalidAnswer
from survey.questions.fields import parse_day
from survey.questions.numbers import check_number, parse_number
from survey.spreadsheets import REFUSED, ZIP_MAGIC, Refusal, UnsafeWorkbook, check_xlsx

MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 200
MAX_UNZIPPED = 50 * 1024 * 1024
MAX_CELL = 4000
COLUMNS = (
    "title",
    "implementer",
    "donors",
    "countries",
    "targets",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "status",
    "visibility",
    "link",
    "contact",
)
REQUIRED = ("title", "implementer", "donors", "countries", "targets", "start_date")
LIST_SEPARATOR = re.compile(r"[;|\n]")
TOKEN = re.compile(r"[0-9a-f]{64}")
KEEP_SECONDS = 24 * 3600
KEEP_FILES = 200


class BadImport(Exception):
    """A file that cannot be read as a list of projects at all (the message is translated)."""


@dataclass(frozen=True)
class RowProblem:
    """Something wrong in one row (its number as the spreadsheet shows it)."""

    row: int
    message: str


@dataclass
class ReadImport:
    """The projects a file holds, by row number, or the problems found."""

    rows: list[tuple[int, ProjectValues]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _bounded_zip(data: bytes) -> None:
    """Refuse macros, too many parts or too much once unzipped (declared sizes can lie: zip bombs)."""
    try:
        check_xlsx(data, MAX_ENTRIES, MAX_UNZIPPED)
    except UnsafeWorkbook as refused:
        raise BadImport(str(REFUSED_IMPORTS[refused.reason])) from refused


REFUSED_IMPORTS = {
    **REFUSED,
    Refusal.TOO_MANY_PARTS: _l("The workbook holds too many parts."),
    Refusal.NOT_XLSX: _l("This is neither a CSV file nor an Excel workbook (.xlsx)."),
}


def _too_many(max_rows: int) -> BadImport:
    return BadImport(
        _("The file holds more than %(n)s projects: split it into smaller files.", n=format_decimal(max_rows))
    )


def _xlsx_rows(data: bytes, max_rows: int) -> list[tuple[int, list[Any], set[int]]]:
    """(row number, values, columns holding a formula) of the first sheet, stopping past the limit."""
    _bounded_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on damaged files: all mean "cannot read"
        raise BadImport(_("The file is damaged: it cannot be opened as an Excel workbook.")) from error
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, cells in enumerate(sheet.iter_rows(), 1):
            if number > max_rows + 1:  # the header row, then at most max_rows projects
                raise _too_many(max_rows)
            values = [getattr(cell, "value", None) for cell in cells]
            formulas = {
                index
                for index, cell in enumerate(cells)
                if getattr(cell, "data_type", None) == "f"
                or (isinstance(cell.value, str) and cell.value.startswith("="))
            }
            rows.append((number, values, formulas))
        return rows
    finally:
        book.close()


def _csv_rows(data: bytes, max_rows: int) -> list[tuple[int, list[Any], set[int]]]:
    """(row number, texts, columns holding a formula) of a UTF-8 CSV file separated by commas or semicolons."""
    if data.count(b"\n") > max_rows + 2:  # counted before parsing: a huge file costs one pass over bytes
        raise _too_many(max_rows)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadImport(_("The CSV file is not in UTF-8: save it as “CSV UTF-8” and import it again.")) from error
    if "\x00" in text:
        raise BadImport(_("This is neither a CSV file nor an Excel workbook (.xlsx)."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            if number > max_rows + 1:
                raise _too_many(max_rows)
            formulas = {index for index, cell in enumerate(cells) if cell.strip().startswith("=")}
            rows.append((number, list(cells), formulas))
    except csv.Error as error:
        raise BadImport(_("The CSV file cannot be read: check its quotes and separators.")) from error
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").strip()


def _day(value: Any, locale: Locale) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    return parse_day(text, locale) if text else None


def _budget(value: Any, locale: Locale) -> Decimal | None:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return check_number(Decimal(str(value)), locale, BUDGET_RULE)
    text = _text(value)
    return parse_number(text, locale, BUDGET_RULE) if text else None


def _split(value: Any) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in LIST_SEPARATOR.split(_text(value)) if part.strip()))


def _values(cells: dict[str, Any], locale: Locale, problems: list[str]) -> ProjectValues:
    """One row's project; what cannot be read goes to `problems`."""
    start = end = None
    budget = None
    for name in ("start_date", "end_date"):
        try:
            day = _day(cells.get(name), locale)
        except InvalidAnswer as error:
            problems.append(_("Column %(column)s: %(problem)s", column=name, problem=str(error)))
            continue
        start, end = (day, end) if name == "start_date" else (start, day)
    if start is None and not problems:
        problems.append(_("Give the start date."))
    try:
        budget = _budget(cells.get("budget"), locale)
    except InvalidAnswer as error:
        problems.append(_("Column %(column)s: %(problem)s", column="budget", problem=str(error)))
    status = _text(cells.get("status")).lower() or ProjectStatus.PLANNED
    visibility = _text(cells.get("visibility")).lower() or ProjectVisibility.PUBLIC
    return ProjectValues(
        title=_text(cells.get("title")),
        implementer=_text(cells.get("implementer")),
        donors=_split(cells.get("donors")),
        countries=[c.upper() for c in _split(cells.get("countries"))],
        targets=_split(cells.get("targets")),
        start_date=start or date.min,
        end_date=end,
        budget=budget,
        currency=_text(cells.get("currency")).upper() or None,
        status=status,
        visibility=visibility,
        link=_text(cells.get("link")) or None,
        contact=_text(cells.get("contact")),
    )


def _header(values: list[Any]) -> dict[str, int]:
    """Column index of each known column name; a missing required column refuses the file."""
    names = [_text(v).lower().replace(" ", "_") for v in values]
    found = {name: index for index, name in enumerate(names) if name in COLUMNS}
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise BadImport(
            _("The first row must name the columns; these are missing: %(columns)s.", columns=", ".join(missing))
        )
    return found


def read_import(
    data: bytes,
    filename: str,
    locale: Locale,
    codes: dict[str, str],
    countries: dict[str, Country],
    max_rows: int,
) -> ReadImport:
    """The projects of a CSV or XLSX file with every problem by row, or BadImport when it cannot be read."""
    if len(data) > MAX_BYTES:
        raise BadImport(_("The file is larger than %(size)s MB.", size=MAX_BYTES // (1024 * 1024)))
    if filename.lower().endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        raise BadImport(_("Workbooks with macros or in the old format are refused: save it as .xlsx or CSV."))
    rows = _xlsx_rows(data, max_rows) if data.startswith(ZIP_MAGIC) else _csv_rows(data, max_rows)
    if not rows:
        raise BadImport(_("The file is empty."))
    header = _header(rows[0][1])
    result = ReadImport()
    seen: dict[tuple[str, ...], int] = {}
    for number, values, formulas in rows[1:]:
        texts = tuple(_text(v) for v in values)
        if not any(texts):
            continue
        problems: list[str] = []
        if formulas & set(header.values()):
            problems.append(_("A cell holds a formula: type the value itself."))
        if any(len(t) > MAX_CELL for t in texts):
            problems.append(_("A cell is too long: keep each under %(max)s characters.", max=MAX_CELL))
        if problems:
            result.problems += [RowProblem(number, p) for p in problems]
            continue
        key = tuple(t.casefold() for t in texts)
        if key in seen:
            result.problems.append(RowProblem(number, _("This row repeats row %(row)s.", row=seen[key])))
            continue
        seen[key] = number
        cells = {name: values[index] if index < len(values) else None for name, index in header.items()}
        project = _values(cells, locale, problems)
        problems += check(project, codes, countries) if project.start_date != date.min else []
        if problems:
            result.problems += [RowProblem(number, p) for p in problems]
        else:
            result.rows.append((number, project))
    if not result.rows and not result.problems:
        raise BadImport(_("The file lists no projects under its header row."))
    return result


class Uploads:
    """Imported files waiting for confirmation, under the instance folder, per user and keyed by their hash."""

    def __init__(self, folder: Path):
        """Files live in `folder`, created on first use."""
        self.folder = folder

    def _path(self, user_id: int, token: str) -> Path:
        return self.folder / f"{user_id}-{token}.upload"

    def keep(self, user_id: int, data: bytes) -> str:
        """Store the file (dropping stale ones first) and return its hash, the preview's token."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._prune()
        token = hashlib.sha256(data).hexdigest()
        self._path(user_id, token).write_bytes(data)
        return token

    def load(self, user_id: int, token: str) -> bytes | None:
        """The stored file of this user, or None when the token is malformed or the file is gone."""
        if not TOKEN.fullmatch(token or ""):
            return None
        path = self._path(user_id, token)
        data = path.read_bytes() if path.is_file() else None
        return data if data is not None and hashlib.sha256(data).hexdigest() == token else None

    def discard(self, user_id: int, token: str) -> None:
        """Forget a file once applied or cancelled."""
        if TOKEN.fullmatch(token or ""):
            self._path(user_id, token).unlink(missing_ok=True)

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.upload"), key=lambda path: path.stat().st_mtime)
        cutoff = time.time() - KEEP_SECONDS
        for number, path in enumerate(files):
            if path.stat().st_mtime < cutoff or len(files) - number >= KEEP_FILES:
                path.unlink(missing_ok=True)
