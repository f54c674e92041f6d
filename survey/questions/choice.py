"""One answer among the options the framework lists, each with a translatable label."""

from __future__ import annotations

import random
from typing import Any

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice
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
    in_language,
    same_words,
)
from survey.questions.fields import OptionalRadioField


class Choice(SingleColumnType):
    """A single choice: the option's id is stored and exported, its label shown translated."""

    name = "choice"
    columns = ("choice_value",)
    column_labels = {"choice_value": _l("Choice")}

    def form_fields(self, indicator: IndicatorDef) -> dict[str, UnboundField]:
        """One radio group, `value`, offering the indicator's options."""
        # The labels are framework texts: the framework extractor puts them in the catalog.
        choices = [SelectChoice(option.id, _l(option.label)) for option in indicator.options]  # noqa: INT001
        return {"value": OptionalRadioField(_l("Answer"), choices=choices)}

    def display(self, indicator: IndicatorDef, columns: Columns, locale: Locale | None) -> str:
        """The chosen option's label in the reader's language (its id if the framework dropped it)."""
        chosen = columns["choice_value"]
        label = next((o.label for o in indicator.options if o.id == chosen), None)
        return _(label) if label else chosen  # noqa: INT001

    def table_cells(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> list[Any]:
        """The label in the reader's language; JSON keeps the id."""
        return [None if columns.get("choice_value") is None else self.display(indicator, columns, locale)]

    def workbook_cell(self, indicator: IndicatorDef, columns: Columns) -> WorkbookCell:
        """The chosen option's label, as the drop-down offers it."""
        return WorkbookCell(None if columns.get("choice_value") is None else self.display(indicator, columns, None))

    def _labels(self, indicator: IndicatorDef) -> list[tuple[str, str]]:
        return [(_(option.label), option.id) for option in indicator.options]  # noqa: INT001

    def workbook_input(self, indicator: IndicatorDef, country: str | None = None) -> WorkbookInput:
        """A drop-down of the options' labels."""
        return WorkbookInput("list", tuple(label for label, _id in self._labels(indicator)))

    def workbook_read(self, indicator: IndicatorDef, value: Any, extra: Any, locale: Locale) -> dict[str, Any]:
        """An option's label in the workbook's language or the reader's, or its id."""
        typed = str(value)
        for label, option_id in [*in_language(locale, lambda: self._labels(indicator)), *self._labels(indicator)]:
            if same_words(typed, label) or same_words(typed, option_id):
                return {"choice_value": option_id}
        raise InvalidAnswer(_("“%(text)s” is not one of the answers in the drop-down list.", text=typed[:60]))

    def demo_value(self, indicator: IndicatorDef, rng: random.Random, context: DemoContext) -> StoredAnswer:
        """Any of the options."""
        return StoredAnswer(VALUE, {"choice_value": rng.choice(indicator.options).id})
