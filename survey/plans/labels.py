"""Names of funding statuses, plan fields and plan audit actions in the reader's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from survey.audit.labels import ACTION_LABELS, ANSWER_FIELD_LABELS, FIELD_FORMATTERS
from survey.frameworks.labels import stage_name
from survey.i18n.formats import format_date, format_decimal
from survey.plans.models import Funding

FUNDING_LABELS: dict[str, Any] = {
    Funding.STATE: _l("Funded by the state"),
    Funding.DONORS: _l("Requested from donors"),
    Funding.UNFUNDED: _l("Unfunded"),
}
ACTION_LABELS.update(
    {
        "plan.add": _l("Action added to the plan"),
        "plan.change": _l("Action of the plan changed"),
        "plan.delete": _l("Action removed from the plan"),
    }
)
# The audit trail describes a changed action field by field, with these names.
ANSWER_FIELD_LABELS.update(
    {
        "indicator": _l("Indicator"),
        "what": _l("Action"),
        "lead_agency": _l("Lead agency"),
        "target_stage": _l("Target stage"),
        "deadline": _l("Deadline"),
        "cost": _l("Estimated cost"),
        "funding": _l("Funding"),
    }
)


def funding_label(funding: str) -> str:
    """The funding status in the reader's language."""
    return str(FUNDING_LABELS.get(funding, funding))


def _stage(level: int | None) -> str:
    return "—" if level is None else f"{level}. {stage_name(level)}"


# The audit trail keeps an action's fields as JSON text (dates ISO, amounts plain): it writes them
# in the reader's language and number format, as the plan itself shows them.
FIELD_FORMATTERS.update(
    {
        "funding": lambda funding: "—" if funding is None else funding_label(funding),
        "target_stage": _stage,
        "deadline": lambda day: "—" if day is None else format_date(date.fromisoformat(day)),
        "cost": lambda amount: "—" if amount is None else format_decimal(Decimal(amount)),
    }
)
