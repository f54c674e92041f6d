"""Translated names of release levels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.audit.labels import name_values

VISIBILITY_LABELS = {
    "private": _l("Private: our country only"),
    "donors": _l("Donors and regional bodies"),
    "public": _l("Public: anyone, without signing in"),
}
name_values("assessment.release", VISIBILITY_LABELS)


def visibility_label(level: str) -> str:
    """The release level in the reader's language."""
    return str(VISIBILITY_LABELS.get(level, level))
