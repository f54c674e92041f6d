"""Translated names of review decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.audit.labels import name_values

REVIEW_LABELS = {"accepted": _l("Accepted"), "returned": _l("Returned")}
name_values("indicator.review", REVIEW_LABELS)
