"""Who hears about what: the workflow's signals, answered with notifications.

| event                       | told                                                       |
|-----------------------------|------------------------------------------------------------|
| assessment submitted        | the country's validators                                   |
| indicators returned         | the country's coordinators and contributors                |
| assessment resubmitted      | the country's validators                                   |
| assessment validated        | the country's coordinators                                 |
| results released            | readers of that release level who follow one of its regions |
| cycle opened                | every coordinator                                          |
| deadline a week ahead       | coordinators and contributors of countries yet to submit   |

The person who acted is never told about their own action.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from survey.accounts.models import Role, User
from survey.assessments import signals
from survey.assessments.models import EDITABLE_STATUSES, Assessment, Cycle, Status
from survey.extensions import db
from survey.notifications import messages
from survey.notifications.models import FollowedRegion
from survey.notifications.services import already_told, notify, users_with_roles
from survey.publication.rules import visible_levels
from survey.regions.models import Region
from survey.regions.services import all_regions
from survey.review.models import Review
from survey.review.services import review_counts

# How long before a cycle's deadline its reminder goes out.
REMINDER_AHEAD = timedelta(days=7)


def _facts(assessment: Assessment, actor: Any = None) -> dict[str, Any]:
    facts: dict[str, Any] = {"country": assessment.country.alpha2, "year": assessment.cycle.year}
    if actor is not None:
        facts["name"] = actor.full_name or actor.username
    return facts


@signals.submitted.connect
def tell_validators(assessment: Assessment, user: User, **_: object) -> None:
    """A submission (or a resubmission after a return) waits for the country's validators."""
    # Sent before the status changes: a returned assessment is being resubmitted.
    kind = messages.RESUBMITTED if assessment.status == Status.RETURNED else messages.SUBMITTED
    notify(
        users_with_roles([Role.VALIDATOR], assessment.country_id),
        kind,
        actor=user,
        assessment_id=assessment.id,
        **_facts(assessment, user),
    )


@signals.returned.connect
def tell_team_of_return(assessment: Assessment, user: User, **_: object) -> None:
    """Returned indicators wait for the country's coordinators and contributors."""
    count = review_counts(assessment).get(Review.RETURNED.value, 0)
    notify(
        users_with_roles([Role.COORDINATOR, Role.CONTRIBUTOR], assessment.country_id),
        messages.RETURNED,
        actor=user,
        assessment_id=assessment.id,
        count=count,
        **_facts(assessment, user),
    )


@signals.validated.connect
def tell_coordinators(assessment: Assessment, user: User, **_: object) -> None:
    """A validated assessment's coordinators may now release its results."""
    notify(
        users_with_roles([Role.COORDINATOR], assessment.country_id),
        messages.VALIDATED,
        actor=user,
        assessment_id=assessment.id,
        **_facts(assessment, user),
    )


def region_followers(alpha2: str, year: int) -> list[User]:
    """Active users following a region that the country belonged to in that cycle year."""
    member_of = {r.code for r in all_regions() if alpha2 in r.members(year)}
    if not member_of:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .join(FollowedRegion, FollowedRegion.user_id == User.id)
            .join(Region, Region.id == FollowedRegion.region_id)
            .where(Region.code.in_(member_of), User.active.is_(True))
            .order_by(User.id)
            .distinct()
        )
    )


@signals.released.connect
def tell_followers(assessment: Assessment, user: Any, level: str, **_: object) -> None:
    """Readers following one of the country's regions, who may read the results now and could not before."""
    if assessment.status != Status.VALIDATED:
        return
    candidates = db.session.scalar(sa.select(sa.func.count(FollowedRegion.user_id)))
    if not candidates:  # nobody follows any region: no need to read the regions
        return
    readers = [
        u
        for u in region_followers(assessment.country.alpha2, assessment.cycle.year)
        if str(level) in visible_levels(u) and assessment.visibility not in visible_levels(u)
    ]
    notify(readers, messages.RELEASED, actor=user, assessment_id=assessment.id, level=str(level), **_facts(assessment))


@signals.cycle_opened.connect
def tell_coordinators_of_cycle(cycle: Cycle, **_: object) -> None:
    """Every coordinator may start the new cycle's assessment (told once per cycle)."""
    told = already_told(messages.CYCLE_OPENED, cycle.id)
    notify(
        [u for u in users_with_roles([Role.COORDINATOR]) if u.id not in told],
        messages.CYCLE_OPENED,
        cycle_id=cycle.id,
        year=cycle.year,
    )


def send_deadline_reminders(today: date) -> int:
    """Remind the teams of countries yet to submit, a week before their cycle's deadline; once each.

    Safe to run as often as wanted (e.g. daily): whoever was reminded of a cycle is not reminded again.
    """
    cycles = db.session.scalars(
        sa.select(Cycle).where(
            Cycle.is_open.is_(True),
            Cycle.deadline.is_not(None),
            Cycle.deadline >= today,
            Cycle.deadline <= today + REMINDER_AHEAD,
        )
    )
    sent = 0
    for cycle in cycles:
        done = set(
            db.session.scalars(
                sa.select(Assessment.country_id).where(
                    Assessment.cycle_id == cycle.id, Assessment.status.not_in([s.value for s in EDITABLE_STATUSES])
                )
            )
        )
        told = already_told(messages.DEADLINE, cycle.id)
        team = [
            u
            for u in users_with_roles([Role.COORDINATOR, Role.CONTRIBUTOR])
            if u.country_id is not None and u.country_id not in done and u.id not in told
        ]
        assert cycle.deadline is not None  # the query keeps the cycles with a deadline
        for user in team:  # one call per user: the text names their own country
            assert user.country is not None  # the team keeps the users with a country
            sent += len(
                notify(
                    [user],
                    messages.DEADLINE,
                    cycle_id=cycle.id,
                    year=cycle.year,
                    deadline=cycle.deadline.isoformat(),
                    country=user.country.alpha2,
                )
            )
    return sent
