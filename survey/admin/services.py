"""Account administration with its rules, and the audit log query."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from survey.accounts.models import COUNTRY_ROLES, DONOR_READERS, User
from survey.audit.models import AuditEvent
from survey.audit.services import record
from survey.countries.models import Country
from survey.extensions import db
from survey.models import utcnow

AUDIT_PAGE = 100


def role_scope_problem(roles: set[str], country: Country | None) -> str | None:
    """Why roles and country do not fit together (country roles need exactly one country), or None."""
    if roles & COUNTRY_ROLES and country is None:
        return str(_l("Contributors, coordinators and validators need their country."))
    if roles & DONOR_READERS and roles & COUNTRY_ROLES:
        return str(_l("Donor and administrator accounts cannot also hold roles in a country."))
    if roles & DONOR_READERS and country is not None:
        return str(_l("Donors and administrators are not bound to a country: leave the country empty."))
    return None


def _snapshot(user: User) -> dict:
    return {"full_name": user.full_name, "country": user.country.alpha2 if user.country else None,
            "active": user.active}


def create_user(username: str, full_name: str, roles: set[str], country: Country | None,
                password: str, active: bool, by: User) -> User:
    """Create an account (callers checked the rules) and audit it."""
    user = User(username=username, full_name=full_name, country=country, active=active)
    user.set_roles(roles)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user.create", target_user_id=user.id, country_id=user.country_id,
           new_value={**_snapshot(user), "roles": sorted(roles)}, user=by)
    return user


def update_user(user: User, full_name: str, roles: set[str], country: Country | None,
                active: bool, by: User) -> None:
    """Change an account's name, roles, country and status, auditing what changed."""
    before = _snapshot(user)
    old_roles = sorted(user.roles)
    user.full_name, user.country, user.active = full_name, country, active
    if not active:
        user.session_token = User.new_token()  # a deactivated account is signed out everywhere
    after = _snapshot(user)
    if before != after:
        record("user.update", target_user_id=user.id, country_id=user.country_id,
               old_value=before, new_value=after, user=by)
    if old_roles != sorted(roles):
        user.set_roles(roles)
        record("user.roles", target_user_id=user.id, country_id=user.country_id,
               old_value=old_roles, new_value=sorted(roles), user=by)


def reset_password(user: User, password: str, by: User) -> None:
    """Set a new password, which signs the user out of every session."""
    user.set_password(password)
    record("user.password", target_user_id=user.id, country_id=user.country_id, user=by)


def audit_events(action: str = "", outcome: str = "", username: str = "", country_id: int | None = None,
                 since: date | None = None, until: date | None = None,
                 before_id: int | None = None) -> list[AuditEvent]:
    """A page of the audit log, newest first, filtered."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)
    if action:
        query = query.where(AuditEvent.action == action)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    if username:
        query = query.where(AuditEvent.username == username)
    if country_id:
        query = query.where(AuditEvent.country_id == country_id)
    if since:
        query = query.where(AuditEvent.at >= datetime.combine(since, time.min, tzinfo=utcnow().tzinfo))
    if until:
        query = query.where(AuditEvent.at < datetime.combine(until + timedelta(days=1), time.min,
                                                             tzinfo=utcnow().tzinfo))
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    return list(db.session.scalars(query))
