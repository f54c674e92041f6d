"""The one rule for reading scores across countries.

Dashboards, exports and the API read assessments only through `released_condition` (or
`survey.publication.services.released_assessments`), so a country's choice to keep its
results private always holds.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from survey.accounts.models import DONOR_READERS
from survey.assessments.models import Assessment, Status, Visibility


def visible_levels(viewer: Any) -> tuple[str, ...]:
    """The release levels this viewer may read: public for all, donors for donors and admins."""
    if getattr(viewer, "is_authenticated", False) and viewer.has_role(*DONOR_READERS):
        return (Visibility.PUBLIC.value, Visibility.DONORS.value)
    return (Visibility.PUBLIC.value,)


def released_condition(viewer: Any) -> ColumnElement[bool]:
    """SQL condition on Assessment: validated and released to this viewer, or the viewer's own country."""
    released = sa.and_(Assessment.status == Status.VALIDATED,
                       Assessment.visibility.in_(visible_levels(viewer)))
    own_country = getattr(viewer, "country_id", None) if getattr(viewer, "is_authenticated", False) else None
    if own_country is not None:
        own = sa.and_(Assessment.status == Status.VALIDATED, Assessment.country_id == own_country)
        return sa.or_(released, own)
    return released
