"""Translated names of project statuses and visibilities, and of the audit actions on projects."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.audit.labels import ACTION_LABELS

STATUS_LABELS = {
    "planned": _l("Planned"),
    "running": _l("Running"),
    "completed": _l("Completed"),
}
VISIBILITY_LABELS = {
    "public": _l("Everyone"),
    "donors": _l("Donors, regional bodies and the beneficiary countries"),
}
# The audit trail names these actions (its own table names the core actions).
ACTION_LABELS.update(
    {
        "project.create": _l("Project recorded"),
        "project.update": _l("Project changed"),
        "project.confirm": _l("Project confirmed or annotated by a country"),
    }
)


def status_label(status: str) -> str:
    """A project status in the reader's language."""
    return str(STATUS_LABELS.get(status, status))
