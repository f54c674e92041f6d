"""Release levels, and the one rule for reading scores across countries.

Dashboards, exports and the API read assessments only through `released_condition`, and the rule
book asks `released_to` about one assessment, so a country's choice to keep its results private
always holds. Who reads which level is the rule book's answer (`survey.permissions`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from survey import permissions
from survey.assessments.models import Assessment, Status
from survey.permissions import Permission


class Visibility(StrEnum):
    """Who outside the country may read a validated assessment's results (`Assessment.visibility`)."""

    PRIVATE = "private"
    DONORS = "donors"
    PUBLIC = "public"


def is_released(assessment: Assessment) -> bool:
    """Whether anyone outside the country may read the results."""
    return assessment.status == Status.VALIDATED and assessment.visibility != Visibility.PRIVATE


def visible_levels(viewer: Any) -> tuple[str, ...]:
    """The release levels this viewer may read: public for all, donors for those the rule book lets in."""
    if permissions.can(viewer, Permission.RELEASE_READ_DONORS):
        return (Visibility.PUBLIC.value, Visibility.DONORS.value)
    return (Visibility.PUBLIC.value,)


@permissions.released_to.answer
def released_to(viewer: Any, assessment: Assessment) -> bool:
    """Whether the assessment's results are released at a level this viewer reads."""
    return is_released(assessment) and assessment.visibility in visible_levels(viewer)


def released_condition(viewer: Any) -> ColumnElement[bool]:
    """SQL condition on Assessment: validated and released to this viewer, or of the viewer's own country."""
    released = sa.and_(Assessment.status == Status.VALIDATED, Assessment.visibility.in_(visible_levels(viewer)))
    if permissions.can(viewer, Permission.COUNTRY_WORK):
        own = sa.and_(Assessment.status == Status.VALIDATED, Assessment.country_id == viewer.country_id)
        return sa.or_(released, own)
    return released
