"""Per-indicator review by the country's validator, comment threads, and validation."""

from survey.review import labels  # noqa: F401 - names review decisions in the audit trail
