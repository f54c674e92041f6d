"""Question types as plugins: each answer type owns its field, parsing, formatting, export and demo value.

A low layer: it reads the framework's definitions and formats in the reader's locale, and
knows nothing of assessments, dashboards or the database.
"""

from survey.questions.base import (
    DONT_KNOW,
    LEVEL,
    NOT_APPLICABLE,
    VALUE,
    DemoContext,
    InvalidAnswer,
    QuestionType,
    StoredAnswer,
    WorkbookCell,
    WorkbookInput,
)
from survey.questions.registry import (
    COLUMN_LABELS,
    COLUMNS,
    FACTS,
    MATURITY,
    answer_text,
    json_answer,
    question_type,
    stored,
    table_cells,
    table_headers,
)

__all__ = [
    "COLUMNS",
    "COLUMN_LABELS",
    "DONT_KNOW",
    "FACTS",
    "LEVEL",
    "MATURITY",
    "NOT_APPLICABLE",
    "VALUE",
    "DemoContext",
    "InvalidAnswer",
    "QuestionType",
    "StoredAnswer",
    "WorkbookCell",
    "WorkbookInput",
    "answer_text",
    "json_answer",
    "question_type",
    "stored",
    "table_cells",
    "table_headers",
]
