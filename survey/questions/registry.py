"""The question types by the framework's names for them, and what callers ask of any answer."""

from __future__ import annotations

from typing import Any, overload

from babel import Locale
from flask_babel import gettext as _

from survey.frameworks.definition import IndicatorDef
from survey.questions.base import DONT_KNOW, NOT_APPLICABLE, QuestionType, StoredAnswer
from survey.questions.choice import Choice
from survey.questions.dates import Day
from survey.questions.fields import reader_locale
from survey.questions.maturity import MaturityLevel
from survey.questions.numeric import Count, Money, Percentage
from survey.questions.yesno import YesNo

MATURITY = MaturityLevel()
# A new fact type: its class here and its name in the framework vocabulary (FACT_TYPES).
FACTS: dict[str, QuestionType] = {t.name: t for t in (Money(), Count(), Percentage(), YesNo(), Day(), Choice())}
# Every answer column some type stores its value in, in a fixed order.
COLUMNS = tuple(dict.fromkeys(column for t in (MATURITY, *FACTS.values()) for column in t.columns))
COLUMN_LABELS = {column: label for t in FACTS.values() for column, label in t.column_labels.items()}


def question_type(indicator: IndicatorDef) -> QuestionType:
    """The type of an indicator's answer."""
    return MATURITY if indicator.is_maturity else FACTS[indicator.fact_type or ""]


@overload
def stored(answer: None) -> None: ...
@overload
def stored(answer: object) -> StoredAnswer: ...
def stored(answer: Any) -> StoredAnswer | None:
    """An Answer (or any row with `state` and the value columns) as the question types read it."""
    if answer is None:
        return None
    return StoredAnswer(answer.state, {column: getattr(answer, column, None) for column in COLUMNS})


def _state_label(state: str) -> str:
    return _("Don't know") if state == DONT_KNOW else _("Not applicable")


def answer_text(indicator: IndicatorDef, answer: Any, locale: Locale | None = None) -> str | None:
    """An answer as the reader writes it: a value, "Don't know", "Not applicable"; None if unanswered."""
    found = answer if isinstance(answer, StoredAnswer) or answer is None else stored(answer)
    if found is None or found.state is None:
        return None
    if found.state in (DONT_KNOW, NOT_APPLICABLE):
        return _state_label(found.state)
    return question_type(indicator).display(indicator, found.columns, locale or reader_locale())


def json_answer(indicator: IndicatorDef, answer: StoredAnswer | None) -> dict[str, Any]:
    """An answer for JSON exports: its state and the type's values under stable keys."""
    found = answer or StoredAnswer(None)
    kind = question_type(indicator)
    columns = found.columns if found.has_value else {}
    return {"state": found.state, **kind.export_value(indicator, columns)}


def table_headers(indicator: IndicatorDef, heading: str) -> list[str]:
    """The CSV/XLSX headers of an answer."""
    return question_type(indicator).table_headers(heading)


def table_cells(indicator: IndicatorDef, answer: StoredAnswer | None, locale: Locale | None = None) -> list[Any]:
    """An answer as CSV/XLSX cells: the value, a translated state, or empty cells."""
    kind = question_type(indicator)
    width = len(kind.table_headers(""))
    if answer is None or answer.state is None:
        return [None] * width
    if not answer.has_value:
        return [_state_label(answer.state)] + [None] * (width - 1)
    return kind.table_cells(indicator, answer.columns, locale or reader_locale())
