"""A date, such as the day a law entered into force."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from babel import Locale
from babel.dates import format_date
from flask_babel import lazy_gettext as _l
from wtforms.fields.core import UnboundField

from survey.frameworks.definition import IndicatorDef
from survey.questions.base import VALUE, Columns, DemoContext, SingleColumnType, StoredAnswer, WorkbookCell
from survey.questions.fields import DayField

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

    def demo_value(self, indicator: IndicatorDef, rng: random.Random, context: DemoContext) -> StoredAnswer:
        """A day in the last twenty years or so."""
        return StoredAnswer(VALUE, {"date_value": DEMO_FIRST + timedelta(days=rng.randrange(DEMO_DAYS))})
