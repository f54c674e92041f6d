"""Translated names of assessment statuses, release levels and review decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted, in review"),
    "returned": _l("Returned for changes"),
    "validated": _l("Validated"),
}
VISIBILITY_LABELS = {
    "private": _l("Private: our country only"),
    "donors": _l("Donors and regional bodies"),
    "public": _l("Public: anyone, without signing in"),
}
REVIEW_LABELS = {"accepted": _l("Accepted"), "returned": _l("Returned")}


def status_label(status: str) -> str:
    """The status in the reader's language."""
    return str(STATUS_LABELS.get(status, status))


def visibility_label(level: str) -> str:
    """The release level in the reader's language."""
    return str(VISIBILITY_LABELS.get(level, level))
