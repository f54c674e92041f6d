"""What every question type provides; one subclass per type fills it in.

A question type owns everything that depends on the kind of answer: its form fields, how
typed text is read and checked, how a stored answer is written for a reader, exported and
invented for the demo. Everything else (versions, "don't know", comments, evidence, saving)
is the same for every type and lives with the assessments.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from babel import Locale
from flask_babel import force_locale
from wtforms import Form
from wtforms.fields.core import UnboundField

from survey.frameworks.definition import IndicatorDef

# The answer states of survey.assessments.models.AnswerState, which this lower layer cannot
# import (a test keeps the two in step).
LEVEL = "level"
NOT_APPLICABLE = "na"
DONT_KNOW = "dont_know"
VALUE = "value"

Columns = Mapping[str, Any]


class InvalidAnswer(ValueError):
    """Typed text that is not a valid answer; the message is translated, ready to show."""


def in_language(locale: Locale, make: Any) -> Any:
    """What `make()` returns when run in this locale (the language a workbook was made in)."""
    with force_locale(str(locale)):
        return make()


def same_words(typed: str, offered: str) -> bool:
    """Whether text typed in a cell is the offered word, ignoring case and surrounding spaces."""
    return typed.strip().casefold() == offered.strip().casefold()


@dataclass(frozen=True)
class StoredAnswer:
    """An answer's state and the column values its question type reads, however it was loaded."""

    state: str | None
    columns: Columns = field(default_factory=dict)

    @property
    def has_value(self) -> bool:
        """Answered with a value of the question's own type (a level, an amount, a date...)."""
        return self.state in (LEVEL, VALUE)


@dataclass(frozen=True)
class WorkbookCell:
    """A value as a spreadsheet cell: the value and an Excel number format."""

    value: Any
    number_format: str = "General"


@dataclass(frozen=True)
class WorkbookInput:
    """What a spreadsheet cell accepts: Excel's data validation of the answer cell.

    `kind` is Excel's validation type ("list", "whole", "decimal", "date") or "" for free text;
    `options` are the words a list offers, `minimum` and `maximum` bound the others.
    """

    kind: Literal["", "list", "whole", "decimal", "date"] = ""
    options: tuple[str, ...] = ()
    minimum: Any = None
    maximum: Any = None


@dataclass(frozen=True)
class DemoContext:
    """What an invented answer may depend on: the country and how mature it is overall."""

    country: str | None = None
    typical_level: float = 3.0


class QuestionType:
    """Base class of the question types; `name` is the framework's word for the type."""

    name: ClassVar[str] = ""
    # Answer columns holding the value; the union over all types is what gets loaded.
    columns: ClassVar[tuple[str, ...]] = ()
    # Budgets and staff figures, compared side by side in the needs view.
    is_quantity: ClassVar[bool] = False
    # Typed as text: the page shows back how the text was read ("saved as 1 500 000,75 F CFA").
    echoes: ClassVar[bool] = False
    # Names of the columns for the audit trail, in the reader's language.
    column_labels: ClassVar[dict[str, Any]] = {}

    def form_fields(self, indicator: IndicatorDef) -> dict[str, UnboundField]:
        """The WTForms fields of the answer, by name (the main one is `value`)."""
        raise NotImplementedError

    def prepare(self, form: Form, locale: Locale, country: str | None) -> None:
        """Per-request set-up of the bound fields (choices that depend on language or country)."""

    def has_value(self, form: Form) -> bool:
        """Whether the submitted form holds a value."""
        return form.value.data not in (None, "")

    def read(self, form: Form) -> dict[str, Any]:
        """The column values of a validated form (every column, None when empty)."""
        raise NotImplementedError

    def fill(self, form: Form, stored: StoredAnswer) -> None:
        """Show a stored answer's value in the form."""
        raise NotImplementedError

    def display(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> str:
        """The value as a reader of this locale writes it."""
        raise NotImplementedError

    def export_value(self, indicator: IndicatorDef, columns: Columns) -> dict[str, Any]:
        """JSON-ready values under stable keys (null when not given)."""
        raise NotImplementedError

    def table_headers(self, heading: str) -> list[str]:
        """Column headers of the value in a CSV or XLSX table, from the question's heading."""
        return [heading]

    def table_cells(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> list[Any]:
        """The value as table cells, one per header: numbers stay numbers, words are translated."""
        raise NotImplementedError

    # A second cell next to the value (the currency of an amount).
    workbook_extra: ClassVar[bool] = False

    def workbook_cell(self, indicator: IndicatorDef, columns: Columns) -> WorkbookCell:
        """The value as one typed spreadsheet cell of the answer workbook."""
        values = list(self.export_value(indicator, columns).values())
        return WorkbookCell(values[0] if values else None)

    def workbook_extra_cell(self, indicator: IndicatorDef, columns: Columns) -> Any:
        """The second cell's value (only for types with `workbook_extra`)."""
        return None

    def workbook_input(self, indicator: IndicatorDef, country: str | None = None) -> WorkbookInput:
        """The data validation of the value cell, in the reader's language."""
        return WorkbookInput()

    def workbook_extra_input(self, country: str | None) -> WorkbookInput:
        """The data validation of the second cell."""
        return WorkbookInput()

    def workbook_read(self, indicator: IndicatorDef, value: Any, extra: Any, locale: Locale) -> dict[str, Any]:
        """The column values of a non-empty cell as a user left it, or InvalidAnswer (translated).

        `locale` is the workbook's language: typed numbers and dates are read its way.
        """
        raise NotImplementedError

    def demo_value(self, indicator: IndicatorDef, rng: random.Random, context: DemoContext) -> StoredAnswer:
        """An invented answer, for demonstrations and load tests."""
        raise NotImplementedError


class SingleColumnType(QuestionType):
    """A type whose value is one form field (`value`) stored in one column."""

    def read(self, form: Form) -> dict[str, Any]:
        """The field's value in the type's column."""
        value = form.value.data
        return {self.columns[0]: None if value in (None, "") else value}

    def fill(self, form: Form, stored: StoredAnswer) -> None:
        """Show the stored value."""
        if stored.columns.get(self.columns[0]) is not None:
            form.value.data = stored.columns[self.columns[0]]

    def export_value(self, indicator: IndicatorDef, columns: Columns) -> dict[str, Any]:
        """The stored value under `value`."""
        return {"value": columns.get(self.columns[0])}

    def table_cells(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> list[Any]:
        """The stored value itself."""
        return [columns.get(self.columns[0])]
