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
from survey.questions.base import VALUE, Columns, DemoContext, SingleColumnType, StoredAnswer
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

    def display(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> str:
        """The chosen option's label in the reader's language (its id if the framework dropped it)."""
        chosen = columns["choice_value"]
        label = next((o.label for o in indicator.options if o.id == chosen), None)
        return _(label) if label else chosen  # noqa: INT001

    def table_cells(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> list[Any]:
        """The label in the reader's language; JSON keeps the id."""
        return [None if columns.get("choice_value") is None else self.display(indicator, columns, locale)]

    def demo_value(self, indicator: IndicatorDef, rng: random.Random, context: DemoContext) -> StoredAnswer:
        """Any of the options."""
        return StoredAnswer(VALUE, {"choice_value": rng.choice(indicator.options).id})
