"""Translated role names."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "contributor": _l("Contributor"),
    "coordinator": _l("Coordinator"),
    "validator": _l("Validator"),
    "donor": _l("Donor"),
    "translator": _l("Translator"),
    "implementer": _l("Implementer"),
    "admin": _l("Administrator"),
}


def role_names(roles: Iterable[str]) -> str:
    """The roles in the reader's language, in a stable order."""
    return ", ".join(str(label) for role, label in ROLE_LABELS.items() if role in set(roles))
