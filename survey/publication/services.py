"""Releasing validated results at a level, or withdrawing them."""

from __future__ import annotations

from typing import Any

from survey.assessments import signals
from survey.assessments.models import Assessment, Status
from survey.assessments.services import WorkflowError
from survey.audit.services import record
from survey.models import utcnow
from survey.publication.rules import Visibility


def release(assessment: Assessment, level: Visibility, user: Any) -> None:
    """Release validated results at a level, or withdraw them (private)."""
    if assessment.status != Status.VALIDATED:
        raise WorkflowError("not-validated")
    record(
        "assessment.release",
        country_id=assessment.country_id,
        assessment_id=assessment.id,
        old_value=assessment.visibility,
        new_value=level.value,
        user=user,
    )
    signals.released.send(assessment, user=user, level=level)
    assessment.visibility = level.value
    assessment.released_at = utcnow() if level != Visibility.PRIVATE else None
