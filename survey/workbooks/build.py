"""Writing an answer workbook: instructions, one sheet per pillar, drop-downs, protection, a signed manifest."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from survey.frameworks.definition import LEVELS, IndicatorDef, PillarDef
from survey.frameworks.labels import stage_name
from survey.questions import DONT_KNOW, NOT_APPLICABLE, WorkbookInput, question_type, stored
from survey.workbooks import layout
from survey.workbooks.layout import Manifest

BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\']")
OPEN = Protection(locked=False)
ANSWER_FILL = PatternFill("solid", fgColor="FFF8E1")
CARRIED_FILL = PatternFill("solid", fgColor="FFE0B2")
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
WIDTHS = {
    layout.CODE: 14,
    layout.TITLE: 28,
    layout.QUESTION: 45,
    layout.GUIDANCE: 40,
    layout.VALUE: 22,
    layout.EXTRA: 12,
    layout.DONT_KNOW: 14,
    layout.URLS: 35,
    layout.DESCRIPTION: 35,
    layout.COMMENT: 35,
    layout.CARRIED: 22,
}


def sheet_name(text: str) -> str:
    """Text Excel accepts as a sheet name: at most 31 characters, none of those it forbids."""
    return BAD_SHEET_CHARACTERS.sub(" ", text)[:31].strip()


def sheet_title(number: int, title: str, taken: set[str]) -> str:
    """A sheet name from a pillar's title, unique in the workbook."""
    name = sheet_name(f"{number}. {title}")
    return name if name not in taken else f"{number}"


class Lists:
    """The hidden sheet holding the drop-downs' words, one column per list."""

    def __init__(self, sheet: Worksheet):
        """Start with no lists."""
        self.sheet = sheet
        self.ranges: dict[tuple[str, ...], str] = {}

    def range_of(self, options: tuple[str, ...]) -> str:
        """The cell range of a list of words, written on first use."""
        if options not in self.ranges:
            column = len(self.ranges) + 1
            for row, word in enumerate(options, start=1):
                self.sheet.cell(row, column, word)
            letter = get_column_letter(column)
            self.ranges[options] = f"{quote_sheetname(self.sheet.title)}!${letter}$1:${letter}${len(options)}"
        return self.ranges[options]


class Validations:
    """One data validation per kind of input, each covering all the cells that take it."""

    def __init__(self, sheet: Worksheet, lists: Lists):
        """None yet."""
        self.sheet, self.lists = sheet, lists
        self.made: dict[WorkbookInput, DataValidation] = {}

    def add(self, cell: str, wanted: WorkbookInput) -> None:
        """Let the cell accept only this input (free text needs none)."""
        if not wanted.kind:
            return
        if wanted not in self.made:
            self.made[wanted] = self._make(wanted)
            self.sheet.add_data_validation(self.made[wanted])
        self.made[wanted].add(cell)

    def _make(self, wanted: WorkbookInput) -> DataValidation:
        error = _("Choose or type a value this question accepts.")
        if wanted.kind == "list":
            made = DataValidation(type="list", formula1=self.lists.range_of(wanted.options))
        elif wanted.kind == "date":
            low, high = wanted.minimum, wanted.maximum
            made = DataValidation(
                type="date",
                operator="between",
                formula1=f"DATE({low.year},{low.month},{low.day})",
                formula2=f"DATE({high.year},{high.month},{high.day})",
            )
        else:
            # `or None` only for the type checker: add() never asks for free text ("").
            made = DataValidation(
                type=wanted.kind or None, operator="between", formula1=str(wanted.minimum), formula2=str(wanted.maximum)
            )
        made.allow_blank, made.showErrorMessage, made.error = True, True, error
        return made


def build_workbook(
    pillars: Iterable[PillarDef], answers: dict[str, Any], manifest: Manifest, secret: str | None
) -> bytes:
    """The workbook of these pillars with the current answers, in the reader's language (request locale).

    Without a secret it is the blank questionnaire: no signature, so it cannot be uploaded.
    """
    book = Workbook()
    instructions = book.active
    assert isinstance(instructions, Worksheet)  # a new workbook opens on its one worksheet
    instructions.title = sheet_name(_("How to fill in"))  # a translation may hold characters Excel refuses
    lists_sheet = book.create_sheet(layout.LISTS_SHEET)
    lists = Lists(lists_sheet)
    right_to_left = manifest.locale == "ar"
    for number, pillar in enumerate(pillars, start=1):
        title = sheet_title(number, _(pillar.title), set(manifest.sheets.values()))
        manifest.sheets[pillar.code] = title
        sheet = book.create_sheet(title)
        _pillar_sheet(sheet, pillar, answers, manifest, lists)
        sheet.sheet_view.rightToLeft = right_to_left
    carried = any(getattr(answer, "to_confirm", False) for answer in answers.values())
    _instructions(instructions, blank=secret is None, carried=carried)
    instructions.sheet_view.rightToLeft = right_to_left
    signed = book.create_sheet(layout.MANIFEST_SHEET)
    if secret is None:
        signed["A1"] = layout.BLANK
    else:
        payload = manifest.payload()
        signed["A1"], signed["A2"] = payload, layout.signature(payload, secret)
    for hidden in (lists_sheet, signed):
        hidden.sheet_state = "hidden"
        hidden.protection.sheet = True
    book.security = WorkbookProtection(lockStructure=True)  # no password: it guards against slips only
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _instructions(sheet: Worksheet, blank: bool = False, carried: bool = False) -> None:
    lines = [_("How to fill in this workbook"), *(_blank_lines() if blank else [])]
    lines += [
        _(
            "Each pillar has its own sheet, one question per row. Answer in the shaded cells only; "
            "the other cells are protected."
        ),
        _(
            "For a maturity indicator, choose a level from the drop-down list (or “Not applicable”, "
            "“Don't know”), then give evidence links (one per line), an evidence description and a comment."
        ),
        _("For a fact, type the value (an amount also needs its currency), or choose “Don't know”."),
    ]
    if not blank:  # nothing of a blank questionnaire goes back to the site
        lines += [
            _("Type values, not formulas: cells with formulas are refused."),
            _("Do not move rows, rename or delete sheets: the upload checks the workbook's structure."),
        ]
    if carried:
        lines.append(
            _(
                "Answers marked “Carried over: confirm or change” in the last column come from last cycle's "
                "validated assessment and count as unanswered. Changing one here confirms it; one uploaded "
                "unchanged stays to confirm, with the “Confirm” button of the questionnaire's page."
            )
        )
    if not blank:
        lines.append(
            _(
                "When you are done, upload the workbook on the assessment's page: you will see every change "
                "before it is applied, and any answer a colleague changed meanwhile."
            )
        )
    for row, text in enumerate(lines, start=1):
        sheet.cell(row, 1, text).alignment = WRAP
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110
    sheet.protection.sheet = True


def _blank_lines() -> list[str]:
    return [
        _(
            "This is the blank questionnaire, for preparing answers: it holds no country and no answers, "
            "and it cannot be uploaded. Type the answers on the web, or copy them into the workbook of your "
            "country's assessment (downloaded from the assessment's page), which can be uploaded."
        )
    ]


def _pillar_sheet(
    sheet: Worksheet, pillar: PillarDef, answers: dict[str, Any], manifest: Manifest, lists: Lists
) -> None:
    sheet.cell(1, 1, _(pillar.title)).font = Font(bold=True, size=14)
    headings = {
        layout.CODE: _("Code"),
        layout.TITLE: _("Indicator"),
        layout.QUESTION: _("Question"),
        layout.GUIDANCE: _("Guidance"),
        layout.VALUE: _("Answer"),
        layout.EXTRA: _("Currency"),
        layout.DONT_KNOW: _("Don't know"),
        layout.URLS: _("Evidence links (one per line)"),
        layout.DESCRIPTION: _("Evidence description"),
        layout.COMMENT: _("Comment"),
        layout.CARRIED: _("Last cycle"),
    }
    headings.update(
        {column: f"{level}. {stage_name(level)}" for level, column in zip(LEVELS, layout.LEVEL_COLUMNS, strict=True)}
    )
    for column, text in headings.items():
        cell = sheet.cell(layout.HEADER_ROWS, column, text)
        cell.font, cell.alignment = BOLD, WRAP
    for column, width in WIDTHS.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    for column in layout.LEVEL_COLUMNS:
        sheet.column_dimensions[get_column_letter(column)].width = 30
    sheet.freeze_panes = sheet.cell(layout.HEADER_ROWS + 1, layout.TITLE + 1).coordinate
    validations = Validations(sheet, lists)
    for row, indicator in enumerate(pillar.indicators, start=layout.HEADER_ROWS + 1):
        manifest.rows[indicator.code] = row
        _indicator_row(sheet, row, indicator, answers.get(indicator.code), manifest.country, validations)
    sheet.protection.sheet = True  # no password: protection keeps slips out, the upload checks the rest


def _indicator_row(
    sheet: Worksheet, row: int, indicator: IndicatorDef, answer: Any, country: str | None, validations: Validations
) -> None:
    kind = question_type(indicator)
    texts = {
        layout.CODE: indicator.code,
        layout.TITLE: _(indicator.title),  # noqa: INT001
        layout.QUESTION: _(indicator.question),
        layout.GUIDANCE: _(indicator.guidance),
    }  # noqa: INT001
    for level, column in zip(LEVELS, layout.LEVEL_COLUMNS, strict=True):
        if indicator.levels.get(level):
            texts[column] = _(indicator.levels[level])  # noqa: INT001
    for column, text in texts.items():
        sheet.cell(row, column, text).alignment = WRAP
    found = stored(answer)
    open_columns = [layout.VALUE, layout.COMMENT]
    value_cell = sheet.cell(row, layout.VALUE)
    if found is not None and found.has_value:
        written = kind.workbook_cell(indicator, found.columns)
        value_cell.value, value_cell.number_format = written.value, written.number_format
    elif found is not None and found.state in (DONT_KNOW, NOT_APPLICABLE) and indicator.is_maturity:
        value_cell.value = _("Don't know") if found.state == DONT_KNOW else _("Not applicable")
    else:  # an empty cell still gets the type's format: 24 typed in a percentage cell reads 24 %
        value_cell.number_format = kind.workbook_cell(indicator, {}).number_format
    validations.add(value_cell.coordinate, kind.workbook_input(indicator, country))
    if indicator.is_maturity:
        open_columns += [layout.URLS, layout.DESCRIPTION]
        if answer is not None:
            sheet.cell(row, layout.URLS, answer.evidence_urls or None)
            sheet.cell(row, layout.DESCRIPTION, answer.evidence_description or None)
    else:
        open_columns.append(layout.DONT_KNOW)
        dont_know = sheet.cell(row, layout.DONT_KNOW, _("Don't know") if found and found.state == DONT_KNOW else None)
        validations.add(dont_know.coordinate, WorkbookInput("list", (_("Don't know"),)))
        if kind.workbook_extra:
            open_columns.append(layout.EXTRA)
            extra = sheet.cell(row, layout.EXTRA, kind.workbook_extra_cell(indicator, found.columns) if found else None)
            validations.add(extra.coordinate, kind.workbook_extra_input(country))
    if answer is not None:
        sheet.cell(row, layout.COMMENT, answer.comment or None)
        if answer.to_confirm:
            carried = sheet.cell(row, layout.CARRIED, _("Carried over: confirm or change"))
            carried.fill, carried.alignment = CARRIED_FILL, WRAP
    for column in open_columns:
        cell = sheet.cell(row, column)
        cell.protection, cell.fill, cell.alignment = OPEN, ANSWER_FILL, WRAP
