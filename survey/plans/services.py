"""Adding, changing and removing actions of a plan, and reading plans for pages, exports and reports.

The services flush and audit; the view commits. Every change also touches the assessment's
`updated_at`, which the dashboards' caches key on, so a changed plan is never served stale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from survey.assessments import services as assessments
from survey.assessments.models import Assessment
from survey.audit.services import record
from survey.extensions import db
from survey.models import utcnow
from survey.plans.models import Action, Funding
from survey.questions.numeric import json_number

# How far ahead a deadline may be: the assessment's cycle year to this many years after it.
HORIZON_YEARS = 15


@dataclass(frozen=True)
class ActionValues:
    """What the coordinator typed for one action, already parsed and checked by the form."""

    indicator_code: str | None
    what: str
    lead_agency: str
    target_stage: int
    deadline: date
    cost: Decimal | None
    currency: str | None
    funding: str


class UnknownIndicator(ValueError):
    """An indicator code that is not a maturity indicator of the assessment's framework."""


def actions_for(assessment: Assessment) -> list[Action]:
    """The assessment's plan, earliest deadline first (for pages, the PDF report and donor projects)."""
    return list(
        db.session.scalars(
            sa.select(Action).where(Action.assessment_id == assessment.id).order_by(Action.deadline, Action.id)
        )
    )


def actions_by_assessment(assessment_ids: Iterable[int]) -> dict[int, list[Action]]:
    """Plans of several assessments in one query, keyed by assessment id (exports and the API)."""
    ids = list(assessment_ids)
    plans: dict[int, list[Action]] = defaultdict(list)
    if not ids:
        return {}
    for action in db.session.scalars(
        sa.select(Action).where(Action.assessment_id.in_(ids)).order_by(Action.deadline, Action.id)
    ):
        plans[action.assessment_id].append(action)
    return dict(plans)


def deadline_bounds(assessment: Assessment) -> tuple[date, date]:
    """The earliest and latest deadline an action of this assessment may have."""
    year = assessment.cycle.year
    return date(year, 1, 1), date(year + HORIZON_YEARS, 12, 31)


def plannable_codes(assessment: Assessment) -> list[str]:
    """Codes of the indicators an action may answer: the framework's maturity indicators."""
    return [i.code for i in assessment.framework_version.definition.all_indicators() if i.is_maturity]


def suggested_stage(assessment: Assessment, code: str | None) -> int:
    """The stage one above the indicator's answered level (Formative without an answered level)."""
    answer = assessments.answers_by_code(assessment).get(code) if code else None
    level = answer.level if answer is not None and answer.level is not None else 1
    return min(level + 1, 5)


def audit_values(action: Action) -> dict[str, Any]:
    """The action as the audit trail keeps it (JSON: dates and amounts as text)."""
    return {
        "indicator": action.indicator_code,
        "what": action.what,
        "lead_agency": action.lead_agency,
        "target_stage": action.target_stage,
        "deadline": action.deadline.isoformat(),
        "cost": None if action.cost is None else str(action.cost),
        "currency": action.currency,
        "funding": action.funding,
    }


def _apply(action: Action, values: ActionValues, user: Any) -> None:
    if values.indicator_code is not None and values.indicator_code not in plannable_codes(action.assessment):
        raise UnknownIndicator(values.indicator_code)
    for name, value in asdict(values).items():
        setattr(action, name, value)
    action.currency = values.currency if values.cost is not None else None
    action.funding = Funding(values.funding).value
    action.updated_by_id = user.id
    action.updated_at = utcnow()
    action.assessment.updated_at = utcnow()  # the dashboards' caches key on it


def _record(action_name: str, action: Action, **values: Any) -> None:
    record(
        action_name,
        country_id=action.assessment.country_id,
        assessment_id=action.assessment_id,
        indicator_code=action.indicator_code,
        detail=f"action {action.id}",
        **values,
    )


def add_action(assessment: Assessment, values: ActionValues, user: Any) -> Action:
    """Add an action to the plan (UnknownIndicator for a code outside the framework; nothing stored)."""
    action = Action(assessment=assessment, created_by_id=user.id)
    _apply(action, values, user)
    db.session.add(action)
    db.session.flush()
    _record("plan.add", action, new_value=audit_values(action))
    return action


def change_action(action: Action, values: ActionValues, user: Any) -> None:
    """Change an action; the audit trail keeps the fields that changed, before and after."""
    before = audit_values(action)
    _apply(action, values, user)
    db.session.flush()
    after = audit_values(action)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        _record(
            "plan.change",
            action,
            old_value={key: before[key] for key in changed},
            new_value={key: after[key] for key in changed},
        )


def remove_action(action: Action) -> None:
    """Remove an action from the plan."""
    _record("plan.delete", action, old_value=audit_values(action))
    action.assessment.updated_at = utcnow()
    db.session.delete(action)
    db.session.flush()


def json_action(action: Action) -> dict[str, Any]:
    """An action with stable (untranslated) keys, as the API and the JSON export give it."""
    return {
        "indicator": action.indicator_code,
        "what": action.what,
        "lead_agency": action.lead_agency,
        "target_stage": action.target_stage,
        "deadline": action.deadline.isoformat(),
        "cost": json_number(action.cost),
        "currency": action.currency,
        "funding": action.funding,
    }
