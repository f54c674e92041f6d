"""Translated names of project statuses and visibilities, and of the audit actions on projects."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.audit.labels import ACTION_LABELS, ANSWER_FIELD_LABELS, FIELD_FORMATTERS
from survey.i18n.formats import join_items
from survey.i18n.locale import country_name

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

# The audit trail names the fields of a project it records, in the reader's language.
ANSWER_FIELD_LABELS.update(
    {
        "title": _l("Title"),
        "implementer": _l("Implementing organisation"),
        "donors": _l("Donors"),
        "countries": _l("Beneficiary countries"),
        "targets": _l("Pillars and indicators it works on"),
        "start_date": _l("Start date"),
        "end_date": _l("End date"),
        "budget": _l("Budget"),
        "status": _l("Status"),
        "visibility": _l("Who may read it"),
        "link": _l("Public link"),
        "contact": _l("Contact"),
        "confirmed": _l("Confirmed by the country"),
        "note": _l("Note from the country"),
    }
)
FIELD_FORMATTERS.update(
    {
        "donors": lambda names: join_items(names or ()) or "—",
        "targets": lambda codes: join_items(codes or ()) or "—",
        "countries": lambda codes: join_items(country_name(c) for c in codes or ()) or "—",
        "status": lambda status: str(STATUS_LABELS.get(status, status)),
        "visibility": lambda level: str(VISIBILITY_LABELS.get(level, level)),
    }
)


def status_label(status: str) -> str:
    """A project status in the reader's language."""
    return str(STATUS_LABELS.get(status, status))
