"""A date, such as the day a law entered into force."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from babel import Locale
from babel.dates import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.core import UnboundField

from survey.frameworks.definition import IndicatorDef
from survey.questions.base import (
    VALUE,
    Columns,
    DemoContext,
    InvalidAnswer,
    SingleColumnType,
    StoredAnswer,
    WorkbookCell,
    WorkbookInput,
)
from survey.questions.fields import EARLIEST, LATEST, DayField, parse_day

DEMO_FIRST = date(2005, 1, 1)
DEMO_DAYS = 20 * 365


class Day(SingleColumnType):
    """A calendar date: a date picker, or typed the reader's way; ISO in exports."""

    name = "date"
    columns = ("date_value",)
    column_labels = {"date_value": _l("Date")}
    echoes = True

    def form_fields(self, indicator: IndicatorDef) -> dict[str, UnboundField]:
        """One date input, `value`."""
        return {"value": DayField(_l("Date"))}

    def display(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> str:
        """'31 May 2021' as the reader's language writes it."""
        return format_date(columns["date_value"], "long", locale=locale)

    def export_value(self, indicator: IndicatorDef, columns: Columns) -> dict[str, Any]:
        """ISO 8601 ('2021-05-31')."""
        value = columns.get("date_value")
        return {"value": value.isoformat() if value else None}

    def workbook_cell(self, indicator: IndicatorDef, columns: Columns) -> WorkbookCell:
        """A date cell."""
        return WorkbookCell(columns.get("date_value"), "yyyy-mm-dd")

    def workbook_input(self, indicator: IndicatorDef, country: str | None = None) -> WorkbookInput:
        """A date within the years the form accepts."""
        return WorkbookInput("date", minimum=EARLIEST, maximum=LATEST)

    def workbook_read(self, indicator: IndicatorDef, value: Any, extra: Any, locale: Locale) -> dict[str, Any]:
        """A date cell, or a date typed the workbook language's short way ('31/05/2021' in French)."""
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            if not EARLIEST <= value <= LATEST:
                raise InvalidAnswer(
                    _("Enter a date between %(first)s and %(last)s.", first=EARLIEST.year, last=LATEST.year)
                )
            return {"date_value": value}
        return {"date_value": parse_day(str(value), locale)}

    def demo_value(self, indicator: IndicatorDef, rng: random.Random, context: DemoContext) -> StoredAnswer:
        """A day in the last twenty years or so."""
        return StoredAnswer(VALUE, {"date_value": DEMO_FIRST + timedelta(days=rng.randrange(DEMO_DAYS))})
