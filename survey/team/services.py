"""Reading the team and changing pillar assignments."""

from __future__ import annotations

import sqlalchemy as sa

from survey import permissions
from survey.accounts.models import User
from survey.assessments import services as assessments
from survey.audit.services import record
from survey.extensions import db
from survey.frameworks.definition import FrameworkDef
from survey.frameworks.services import ensure_default_framework
from survey.permissions import Permission, can
from survey.team.models import Assignment


def team_members(country_id: int) -> list[User]:
    """The country's accounts, by name."""
    return list(db.session.scalars(sa.select(User).where(User.country_id == country_id).order_by(User.username)))


def contributors(members: list[User]) -> list[User]:
    """Active members who answer the pillars assigned to them (not every pillar)."""
    return [
        u for u in members if u.active and can(u, Permission.PILLAR_EDIT) and not can(u, Permission.PILLAR_EDIT_ALL)
    ]


@permissions.assigned_pillars.answer
def assigned_pillars(user: User) -> frozenset[str]:
    """Pillar codes the coordinator assigned to this user in their country."""
    return frozenset(
        db.session.scalars(
            sa.select(Assignment.pillar_code).where(
                Assignment.user_id == user.id, Assignment.country_id == user.country_id
            )
        )
    )


def current_framework() -> FrameworkDef:
    """The framework of the open cycle (or the shipped one when no cycle is open)."""
    cycle = assessments.current_cycle()
    return cycle.framework_version.definition if cycle else ensure_default_framework().definition


def assignments(country_id: int) -> dict[int, set[str]]:
    """Assigned pillar codes per user id."""
    result: dict[int, set[str]] = {}
    rows = db.session.execute(
        sa.select(Assignment.user_id, Assignment.pillar_code).where(Assignment.country_id == country_id)
    )
    for user_id, pillar in rows:
        result.setdefault(user_id, set()).add(pillar)
    return result


def set_assignments(country_id: int, wanted: dict[int, set[str]], by: User) -> int:
    """Replace the assignments of these users; audit each change; return how many users changed."""
    current = assignments(country_id)
    changed = 0
    for user_id, pillars in wanted.items():
        before = current.get(user_id, set())
        if before == pillars:
            continue
        db.session.execute(
            sa.delete(Assignment).where(Assignment.country_id == country_id, Assignment.user_id == user_id)
        )
        db.session.add_all(Assignment(country_id=country_id, user_id=user_id, pillar_code=p) for p in sorted(pillars))
        record(
            "assignment.update",
            country_id=country_id,
            target_user_id=user_id,
            old_value=sorted(before),
            new_value=sorted(pillars),
            user=by,
        )
        changed += 1
    return changed
