"""A yes-or-no fact."""

from __future__ import annotations

import random
from typing import Any

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectChoice
from wtforms.fields.core import UnboundField

from survey.frameworks.definition import IndicatorDef
from survey.questions.base import (
    VALUE,
    Columns,
    DemoContext,
    InvalidAnswer,
    QuestionType,
    StoredAnswer,
    WorkbookCell,
    WorkbookInput,
    in_language,
    same_words,
)
from survey.questions.fields import OptionalRadioField


class YesNo(QuestionType):
    """Yes or no, stored as a boolean."""

    name = "boolean"
    columns = ("bool_value",)

    def form_fields(self, indicator: IndicatorDef) -> dict[str, UnboundField]:
        """Two radio buttons, `value`."""
        return {
            "value": OptionalRadioField(
                _l("Answer"), choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
            )
        }

    def read(self, form: Form) -> dict[str, Any]:
        """True, False or None."""
        value = form.value.data
        return {"bool_value": None if value in (None, "") else value == "yes"}

    def fill(self, form: Form, stored: StoredAnswer) -> None:
        """Tick yes or no."""
        if stored.columns.get("bool_value") is not None:
            form.value.data = "yes" if stored.columns["bool_value"] else "no"

    def display(self, indicator: IndicatorDef, columns: Columns, locale: Locale | None) -> str:
        """'Yes' or 'No' in the reader's language."""
        return _("Yes") if columns["bool_value"] else _("No")

    def export_value(self, indicator: IndicatorDef, columns: Columns) -> dict[str, Any]:
        """A JSON boolean."""
        return {"value": columns.get("bool_value")}

    def table_cells(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> list[Any]:
        """'Yes' or 'No' in the reader's language, like the other yes/no columns."""
        value = columns.get("bool_value")
        return [None if value is None else self.display(indicator, columns, locale)]

    def workbook_cell(self, indicator: IndicatorDef, columns: Columns) -> WorkbookCell:
        """'Yes' or 'No' as the drop-down offers them."""
        value = columns.get("bool_value")
        return WorkbookCell(None if value is None else self.display(indicator, columns, None))

    def workbook_input(self, indicator: IndicatorDef, country: str | None = None) -> WorkbookInput:
        """A drop-down of 'Yes' and 'No'."""
        return WorkbookInput("list", (_("Yes"), _("No")))

    def workbook_read(self, indicator: IndicatorDef, value: Any, extra: Any, locale: Locale) -> dict[str, Any]:
        """'Yes' or 'No' in the workbook's language or the reader's (a true/false cell too)."""
        if isinstance(value, bool):
            return {"bool_value": value}
        words = [*in_language(locale, lambda: [(_("Yes"), True), (_("No"), False)]), (_("Yes"), True), (_("No"), False)]
        for word, answer in words:
            if same_words(str(value), word):
                return {"bool_value": answer}
        raise InvalidAnswer(_("Choose “%(yes)s” or “%(no)s”.", yes=_("Yes"), no=_("No")))

    def demo_value(self, indicator: IndicatorDef, rng: random.Random, context: DemoContext) -> StoredAnswer:
        """Heads or tails."""
        return StoredAnswer(VALUE, {"bool_value": rng.random() < 0.5})
