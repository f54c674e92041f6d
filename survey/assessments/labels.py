"""Translated names of assessment statuses and of the audit actions of carrying answers forward."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.audit.labels import ACTION_LABELS, name_values

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted, in review"),
    "returned": _l("Returned for changes"),
    "validated": _l("Validated"),
}
name_values("assessment.status", STATUS_LABELS)
ACTION_LABELS.update(
    {
        "assessment.carry": _l("Answers carried over from last cycle"),
        "answer.confirm": _l("Carried answer confirmed"),
    }
)


def status_label(status: str) -> str:
    """The status in the reader's language."""
    return str(STATUS_LABELS.get(status, status))
