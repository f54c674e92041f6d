"""Reading an uploaded workbook back, bounded before any expensive work, values only (never formulas).

Every problem is collected with its sheet and cell, so the user can fix them all at once; a workbook
with a problem applies nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from survey.assessments.forms import MAX_TEXT, MAX_URL_LENGTH, MAX_URLS
from survey.assessments.services import AnswerValues
from survey.frameworks.definition import FrameworkDef, IndicatorDef
from survey.i18n.bidi import link_problem
from survey.questions import DONT_KNOW, VALUE, InvalidAnswer, question_type
from survey.questions.base import in_language, same_words
from survey.spreadsheets import REFUSED, Refusal, UnsafeWorkbook, check_xlsx
from survey.workbooks import layout
from survey.workbooks.layout import Manifest

MAX_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 500
MAX_UNZIPPED = 60 * 1024 * 1024


class BadWorkbook(Exception):
    """A file that is not a workbook we can read at all (the message is translated)."""


@dataclass(frozen=True)
class Problem:
    """Something wrong in the workbook, where it is."""

    sheet: str
    cell: str
    message: str


@dataclass
class ReadWorkbook:
    """What a workbook holds: its manifest and each indicator's answer, or the problems found."""

    manifest: Manifest
    values: dict[str, AnswerValues] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def check_container(data: bytes, filename: str) -> None:
    """Refuse before parsing: too large, not a zip, macros, too many entries, too much once unzipped."""
    if len(data) > MAX_BYTES:
        raise BadWorkbook(_("The file is larger than %(size)s MB.", size=MAX_BYTES // (1024 * 1024)))
    if filename.lower().endswith((".xlsm", ".xltm", ".xlsb")):
        raise BadWorkbook(str(REFUSED_WORKBOOKS[Refusal.MACROS]))
    try:
        check_xlsx(data, MAX_ENTRIES, MAX_UNZIPPED)
    except UnsafeWorkbook as refused:
        raise BadWorkbook(str(REFUSED_WORKBOOKS[refused.reason])) from refused


REFUSED_WORKBOOKS = {
    **REFUSED,
    Refusal.TOO_MANY_PARTS: _l("The workbook holds too many parts to be one of ours."),
    Refusal.NOT_XLSX: _l("This is not an Excel workbook (.xlsx): a CSV or another kind of file cannot be read."),
}


def read_workbook(data: bytes, filename: str, definition: FrameworkDef, secret: str) -> ReadWorkbook:
    """The answers of a checked workbook, or BadWorkbook when it cannot be trusted at all."""
    check_container(data, filename)
    try:
        book = load_workbook(io.BytesIO(data), data_only=False, keep_vba=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on damaged files: all mean "cannot read"
        raise BadWorkbook(_("The file is damaged: it cannot be opened as an Excel workbook.")) from error
    manifest = _manifest(book, secret)
    result = ReadWorkbook(manifest)
    locale = Locale.parse(manifest.locale)
    for pillar_code, title in manifest.sheets.items():
        pillar = definition.pillar(pillar_code)
        if pillar is None:
            raise BadWorkbook(_("This workbook was made for another framework version."))
        if title not in book.sheetnames:
            result.problems.append(Problem(title, "", str(MISSING_SHEET)))
            continue
        sheet = book[title]
        for indicator in pillar.indicators:
            row = manifest.rows.get(indicator.code)
            if row is None:
                raise BadWorkbook(_("This workbook was made for another framework version."))
            _read_row(sheet, row, indicator, locale, result)
    return result


MISSING_SHEET = _l("This sheet was deleted or renamed: restore it from the workbook you downloaded.")


def _manifest(book: Any, secret: str) -> Manifest:
    if layout.MANIFEST_SHEET not in book.sheetnames:
        raise BadWorkbook(_("This workbook was not made by CyberReady, or its hidden signature sheet was deleted."))
    sheet = book[layout.MANIFEST_SHEET]
    payload, signed = sheet["A1"].value, sheet["A2"].value
    if payload == layout.BLANK:
        raise BadWorkbook(
            _(
                "This is the blank questionnaire, for preparation only: download the workbook of this "
                "assessment and copy the answers into it."
            )
        )
    if (
        not isinstance(payload, str)
        or not isinstance(signed, str)
        or not layout.signature_valid(payload, signed, secret)
    ):
        raise BadWorkbook(_("The workbook's signature does not match: it was altered, or not made by this site."))
    try:
        return Manifest.from_payload(payload)
    except (ValueError, TypeError) as error:
        raise BadWorkbook(_("This workbook was made by another version of CyberReady.")) from error


def _text(sheet: Worksheet, row: int, column: int, problems: list[Problem]) -> str:
    value = sheet.cell(row, column).value
    text = "" if value is None else str(value).replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        problems.append(
            Problem(
                sheet.title, sheet.cell(row, column).coordinate, _("Keep this under %(max)d characters.", max=MAX_TEXT)
            )
        )
    return text


def _urls(text: str) -> str | None:
    """Why the evidence links are refused, or None (the web form's rule)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_URLS:
        return _("Give at most %(n)s web addresses.", n=MAX_URLS)
    for line in lines:
        if problem := link_problem(line):
            return problem
        if not line.startswith(("http://", "https://")) or " " in line or len(line) > MAX_URL_LENGTH:
            return _("“%(url)s” is not a valid web address: it must start with http:// or https://.", url=line[:80])
    return None


def _read_row(sheet: Worksheet, row: int, indicator: IndicatorDef, locale: Locale, result: ReadWorkbook) -> None:
    """One indicator's answer from its row, or the row's problems."""
    problems: list[Problem] = []

    def problem(column: int, message: str) -> None:
        problems.append(Problem(sheet.title, sheet.cell(row, column).coordinate, message))

    if sheet.cell(row, layout.CODE).value != indicator.code:
        problem(
            layout.CODE,
            _("Rows were moved or deleted here: this row should hold indicator %(code)s.", code=indicator.code),
        )
        result.problems.extend(problems)
        return
    for column in layout.ANSWER_COLUMNS:
        if sheet.cell(row, column).data_type == "f":
            problem(column, _("This cell holds a formula: type the value itself."))
    if problems:
        result.problems.extend(problems)
        return
    kind = question_type(indicator)
    value = sheet.cell(row, layout.VALUE).value
    value = value.strip() or None if isinstance(value, str) else value
    extra = sheet.cell(row, layout.EXTRA).value if kind.workbook_extra else None
    comment = _text(sheet, row, layout.COMMENT, problems)
    columns: dict[str, Any] = {}
    state = None
    if value is not None:
        try:
            columns = kind.workbook_read(indicator, value, extra, locale)
        except InvalidAnswer as error:
            problem(layout.VALUE, str(error))
        state = columns.pop("state", VALUE)
    if indicator.is_maturity:
        urls = _text(sheet, row, layout.URLS, problems)
        if message := _urls(urls):
            problem(layout.URLS, message)
        values = AnswerValues(
            state=state,
            **columns,
            evidence_urls=urls,
            evidence_description=_text(sheet, row, layout.DESCRIPTION, problems),
            comment=comment,
        )
    else:
        dont_know = _text(sheet, row, layout.DONT_KNOW, problems)
        if dont_know:
            words = [_("Don't know"), in_language(locale, lambda: _("Don't know"))]
            if not any(same_words(dont_know, word) for word in words):
                problem(layout.DONT_KNOW, _("Leave this empty or choose “%(dont_know)s”.", dont_know=_("Don't know")))
            elif value is not None:
                problem(layout.DONT_KNOW, _("Either give a value or choose “Don't know”, not both."))
            else:
                state = DONT_KNOW
        values = AnswerValues(state=state, **columns, comment=comment)
    if problems:
        result.problems.extend(problems)
    else:
        result.values[indicator.code] = values
