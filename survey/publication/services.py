"""Releasing validated results, and listing what a viewer may read across countries."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from survey.assessments.models import Assessment, Cycle, Status
from survey.assessments.services import WorkflowError
from survey.audit.services import record
from survey.extensions import db
from survey.models import utcnow
from survey.publication.rules import Visibility, released_condition


def released_assessments(viewer: Any, cycle_id: int | None = None) -> list[Assessment]:
    """Assessments this viewer may read outside their country, newest cycle first."""
    query = (sa.select(Assessment).join(Assessment.cycle).where(released_condition(viewer))
             .order_by(Cycle.year.desc(), Assessment.id))
    if cycle_id is not None:
        query = query.where(Assessment.cycle_id == cycle_id)
    return list(db.session.scalars(query))


def release(assessment: Assessment, level: Visibility, user: Any) -> None:
    """Release validated results at a level, or withdraw them (private)."""
    if assessment.status != Status.VALIDATED:
        raise WorkflowError("not-validated")
    record("assessment.release", country_id=assessment.country_id, assessment_id=assessment.id,
           old_value=assessment.visibility, new_value=level.value, user=user)
    assessment.visibility = level.value
    assessment.released_at = utcnow() if level != Visibility.PRIVATE else None
