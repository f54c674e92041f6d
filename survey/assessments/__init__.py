"""A country's assessment of a cycle: answers, scoring at submission and results."""

from survey.assessments import labels  # noqa: F401 - names statuses in the audit trail
