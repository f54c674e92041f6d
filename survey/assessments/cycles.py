"""Opening and closing assessment cycles, for the admin page and `flask cycles`; each change is audited here."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from survey.assessments import signals
from survey.assessments.models import Cycle
from survey.assessments.services import current_cycle
from survey.audit.services import record
from survey.extensions import db
from survey.frameworks.models import FrameworkVersion

# The years a cycle may have, on the page and on the command line alike.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def open_cycle(year: int, version: FrameworkVersion, by: Any, deadline: date | None = None) -> Cycle:
    """Open the cycle of this year on this framework version, closing the others; audited and announced."""
    previous = current_cycle()
    db.session.execute(sa.update(Cycle).values(is_open=False))
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.year == year))
    if cycle is None:
        cycle = Cycle(year=year, framework_version_id=version.id)
        db.session.add(cycle)
    cycle.framework_version_id, cycle.is_open, cycle.deadline = version.id, True, deadline
    db.session.flush()
    record(
        "cycle.open", old_value=previous.year if previous else None, new_value=cycle.year, detail=version.label, user=by
    )
    signals.cycle_opened.send(cycle)
    return cycle


def close_cycle(by: Any) -> Cycle | None:
    """Close the open cycle, if any (audited): nobody can start an assessment until another opens."""
    cycle = current_cycle()
    if cycle is not None:
        cycle.is_open = False
        record("cycle.close", old_value=cycle.year, user=by)
        db.session.flush()
    return cycle
