"""Translated names of the methodology's maturity stages and pillar statuses (shared by forms, pages, charts)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

STAGE_NAMES = {
    1: _l("Start-up"),
    2: _l("Formative"),
    3: _l("Established"),
    4: _l("Strategic"),
    5: _l("Dynamic"),
}


def stage_name(stage: int | None) -> str:
    """The stage's name in the reader's language, or 'insufficient data'."""
    if stage is None:
        return _("Insufficient data")
    return str(STAGE_NAMES[stage])


def pillar_status_label(status: str) -> str:
    """Readable label for a pillar result status."""
    return {
        "scored": _("Scored"),
        "insufficient": _("Insufficient data"),
        "not_applicable": _("Not applicable"),
    }[status]
