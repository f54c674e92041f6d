"""The scored question: a maturity level from 1 to 5, or "not applicable", or "don't know"."""

from __future__ import annotations

import random
from typing import Any

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectChoice
from wtforms.fields.core import UnboundField

from survey.frameworks.definition import LEVELS, IndicatorDef
from survey.frameworks.labels import stage_name
from survey.questions.base import (
    DONT_KNOW,
    LEVEL,
    NOT_APPLICABLE,
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

LEVEL_VALUES = frozenset(str(level) for level in LEVELS)
# How far a demo country's answers stray from its typical level.
DEMO_SPREAD = (-2, -1, -1, 0, 0, 0, 1, 1)
DEMO_DONT_KNOW = 0.04


class MaturityLevel(QuestionType):
    """A level (the template shows each level's description), N/A or don't know; its answer is its state."""

    name = "maturity"
    columns = ("level",)

    def form_fields(self, indicator: IndicatorDef) -> dict[str, UnboundField]:
        """One radio group, `state`."""
        choices = [
            *(SelectChoice(value, value) for value in sorted(LEVEL_VALUES)),
            SelectChoice(NOT_APPLICABLE, _l("Not applicable")),
            SelectChoice(DONT_KNOW, _l("Don't know")),
        ]
        return {"state": OptionalRadioField(_l("Level"), choices=choices)}

    def has_value(self, form: Form) -> bool:
        """Any choice, including N/A and don't know."""
        return form.state.data not in (None, "")

    def read(self, form: Form) -> dict[str, Any]:
        """The answer state and, for a level, the level."""
        state = form.state.data or None
        if state in LEVEL_VALUES:
            return {"state": LEVEL, "level": int(state)}
        return {"state": state, "level": None}

    def fill(self, form: Form, stored: StoredAnswer) -> None:
        """Tick the stored choice."""
        form.state.data = str(stored.columns.get("level")) if stored.state == LEVEL else stored.state

    def display(self, indicator: IndicatorDef, columns: Columns, locale: Locale | None) -> str:
        """'3. Established'."""
        return f"{columns['level']}. {stage_name(columns['level'])}"

    def export_value(self, indicator: IndicatorDef, columns: Columns) -> dict[str, Any]:
        """The level under `level`."""
        return {"level": columns.get("level")}

    def table_cells(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> list[Any]:
        """The level as a number."""
        return [columns.get("level")]

    def workbook_cell(self, indicator: IndicatorDef, columns: Columns) -> WorkbookCell:
        """The level's name as the drop-down offers it ('3. Established')."""
        return WorkbookCell(self.display(indicator, columns, None) if columns.get("level") else None)

    def _choices(self) -> list[tuple[str, Any]]:
        """Each drop-down word and the answer it stands for, in the current language."""
        return [
            *((f"{level}. {stage_name(level)}", level) for level in LEVELS),
            (str(_l("Not applicable")), NOT_APPLICABLE),
            (str(_l("Don't know")), DONT_KNOW),
        ]

    def workbook_input(self, indicator: IndicatorDef, country: str | None = None) -> WorkbookInput:
        """A drop-down of the five levels, "Not applicable" and "Don't know"."""
        return WorkbookInput("list", tuple(word for word, _answer in self._choices()))

    def workbook_read(self, indicator: IndicatorDef, value: Any, extra: Any, locale: Locale) -> dict[str, Any]:
        """A level's name (in the workbook's language or the reader's), its number, N/A or don't know."""
        if isinstance(value, int | float) and not isinstance(value, bool) and value in LEVELS:
            return {"state": LEVEL, "level": int(value)}
        typed = str(value)
        for word, answer in [*in_language(locale, self._choices), *self._choices()]:
            if same_words(typed, word) or same_words(typed, str(answer)):
                if isinstance(answer, int):
                    return {"state": LEVEL, "level": answer}
                return {"state": answer, "level": None}
        raise InvalidAnswer(_("“%(text)s” is not one of the levels in the drop-down list.", text=typed[:60]))

    def demo_value(self, indicator: IndicatorDef, rng: random.Random, context: DemoContext) -> StoredAnswer:
        """Mostly near the country's typical level, now and then "don't know"."""
        if rng.random() < DEMO_DONT_KNOW:
            return StoredAnswer(DONT_KNOW, {"level": None})
        # The jitter keeps whole typical levels as they are and spreads fractional ones evenly.
        level = round(context.typical_level + rng.choice(DEMO_SPREAD) + rng.uniform(-0.5, 0.5))
        level = max(1, min(5, level))
        return StoredAnswer(LEVEL, {"level": level})
