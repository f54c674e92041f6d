"""Administration rules shared by the admin pages and the `flask` commands; each change is audited here.

Accounts and roles, framework loads and the reference data of a new installation. Callers commit.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.accounts import sessions
from survey.accounts.models import COUNTRY_ROLES, DONOR_READERS, Role, User
from survey.accounts.passwords import password_problem
from survey.audit.models import AuditEvent
from survey.audit.services import REFUSED, record
from survey.countries.models import Country
from survey.countries.services import country_by_code, ensure_countries
from survey.extensions import db
from survey.frameworks.definition import FrameworkError, default_framework_path
from survey.frameworks.models import FrameworkVersion, LoadSource
from survey.frameworks.services import LoadResult, load_framework
from survey.i18n.bidi import NAME_MESSAGE, has_direction_controls
from survey.models import utcnow
from survey.notifications.services import email_address, email_problem, set_email_address
from survey.permissions import Permission, granted
from survey.regions.models import Region
from survey.regions.services import load_regions

log = logging.getLogger(__name__)

AUDIT_PAGE = 100
USERNAME_PATTERN = r"[a-z0-9][a-z0-9._-]{2,63}"
USERNAME_RULE = _l("Use 3 to 64 lower-case letters, digits, dots, dashes or underscores.")


class Refused(Exception):
    """A change the administration rules refuse; the message is in the reader's language."""


def role_scope_problem(roles: set[str], country: Country | None) -> str | None:
    """Why roles and country do not fit together (country roles need exactly one country), or None."""
    if not roles:
        return _("Give at least one role.")
    unknown = sorted(roles - {r.value for r in Role})
    if unknown:
        return _("Unknown role: %(role)s.", role=unknown[0])
    if roles & COUNTRY_ROLES and country is None:
        return _("Contributors, coordinators and validators need their country.")
    if roles & DONOR_READERS and roles & COUNTRY_ROLES:
        return _("Donor and administrator accounts cannot also hold roles in a country.")
    if roles & DONOR_READERS and country is not None:
        return _("Donors and administrators are not bound to a country: leave the country empty.")
    if Role.IMPLEMENTER in roles and (country is not None or roles & COUNTRY_ROLES):
        return _("Implementers are organisations, not bound to a country: leave the country empty.")
    return None


def _country(code: str | None) -> Country | None:
    """The country of an ISO alpha-2 code; no code means no country."""
    if not code:
        return None
    country = country_by_code(code)
    if country is None:
        raise Refused(_("There is no country with the code %(code)s.", code=code[:8]))
    return country


def _check_scope(roles: set[str], country: Country | None) -> None:
    problem = role_scope_problem(roles, country)
    if problem:
        raise Refused(problem)


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem:
        raise Refused(problem)


def _snapshot(user: User) -> dict:
    return {
        "full_name": user.full_name,
        "agency": user.agency,
        "country": user.country.alpha2 if user.country else None,
        "active": user.active,
    }


def check_new_account(username: str, roles: set[str], country_code: str | None) -> Country | None:
    """Refuse a new account's name, roles or country (before asking for a password); return the country."""
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise Refused(str(USERNAME_RULE))
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Refused(_("This username is taken."))
    country = _country(country_code)
    _check_scope(roles, country)
    return country


def create_account(
    username: str,
    roles: set[str],
    country_code: str | None,
    password: str,
    by: Any,
    *,
    full_name: str = "",
    agency: str = "",
    active: bool = True,
    email: str = "",
) -> User:
    """Create an account once every rule holds (name, roles for the country, password, address), and audit it."""
    country = check_new_account(username, roles, country_code)
    if has_direction_controls(full_name):
        raise Refused(str(NAME_MESSAGE))
    _check_password(password, username)
    email = _checked_email(email)
    user = User(username=username, full_name=full_name, agency=agency, country=country, active=active)
    user.set_roles(roles)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if email:  # where notifications and a forgotten password's link go, from the first day
        set_email_address(user, email)
    record(
        "user.create",
        target_user_id=user.id,
        country_id=user.country_id,
        new_value={**_snapshot(user), "roles": sorted(roles), **({"email": email} if email else {})},
        user=by,
    )
    return user


def _checked_email(address: str) -> str:
    """The address without surrounding spaces, once it is a valid one (or empty: none)."""
    address = address.strip()
    if problem := email_problem(address):
        raise Refused(problem)
    return address


def update_account(
    user: User,
    roles: set[str],
    country_code: str | None,
    by: Any,
    *,
    full_name: str | None = None,
    agency: str | None = None,
    active: bool | None = None,
    email: str | None = None,
) -> None:
    """Change an account's roles and country (name, agency, status and address when given), auditing what changed."""
    country = _country(country_code)
    _check_scope(roles, country)
    if (
        getattr(by, "id", None) == user.id
        and Permission.ADMINISTER in granted(user.roles)
        and Permission.ADMINISTER not in granted(roles)
    ):
        raise Refused(_("You cannot remove your own administrator role."))
    _apply(
        user,
        user.full_name if full_name is None else full_name,
        roles,
        country,
        user.active if active is None else active,
        by,
        agency=agency,
        email=None if email is None else _checked_email(email),
    )


def deactivate_account(user: User, by: Any) -> None:
    """Stop an account from signing in and end its sessions (audited)."""
    _apply(user, user.full_name, set(user.roles), user.country, False, by)


def _apply(
    user: User,
    full_name: str,
    roles: set[str],
    country: Country | None,
    active: bool,
    by: Any,
    *,
    agency: str | None = None,
    email: str | None = None,
) -> None:
    before = _snapshot(user)
    old_roles = sorted(user.roles)
    user.full_name, user.country, user.active = full_name, country, active
    if agency is not None:
        user.agency = agency
    if not active:
        user.session_token = User.new_token()  # a deactivated account is signed out everywhere
    after = _snapshot(user)
    if email is not None:
        before["email"], after["email"] = email_address(user) or "", email
        if email != before["email"]:
            set_email_address(user, email)
    if before != after:
        record(
            "user.update",
            target_user_id=user.id,
            country_id=user.country_id,
            old_value=before,
            new_value=after,
            user=by,
        )
    if old_roles != sorted(roles):
        user.set_roles(roles)
        record(
            "user.roles",
            target_user_id=user.id,
            country_id=user.country_id,
            old_value=old_roles,
            new_value=sorted(roles),
            user=by,
        )


def reset_password(user: User, password: str, by: Any) -> None:
    """Set a new password once it passes the rules, which signs the user out of every session."""
    _check_password(password, user.username)
    sessions.replace_password(user, password, by)


def load_framework_file(path: Path, by: Any, source: LoadSource = LoadSource.COMMAND) -> LoadResult:
    """Load or update a framework version from a file, auditing the outcome with the file's SHA-256.

    A refusal is audited too and raised (FrameworkError): the loader changed nothing, so the caller
    may commit the audit row.
    """
    try:
        result = load_framework(path, source)
    except FrameworkError as refusal:
        file_hash = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"
        record(
            "framework.load",
            outcome=REFUSED,
            new_value=path.name,
            detail=f"sha256 {file_hash}; {source}: {refusal}"[:500],
            user=by,
        )
        raise
    # A start-up that found nothing to do loaded nothing; a command is recorded whatever it did.
    if source == LoadSource.COMMAND or result.action in ("created", "updated"):
        record(
            "framework.load",
            new_value=result.version.label,
            detail=f"sha256 {result.file_sha256}; {source}: {result.action}",
            user=by,
        )
    return result


def refresh_shipped_framework(by: Any) -> LoadResult | None:
    """Development start-up: bring the shipped file's version up to date unless a command loaded it.

    A refused change is audited and left for the developer to fix (None): start-up goes on.
    """
    try:
        result = load_framework_file(default_framework_path(), by, LoadSource.AUTOMATIC)
    except FrameworkError as refusal:
        log.warning("The shipped framework file was not loaded: %s", refusal)
        return None
    if result.action == "kept":
        log.info("%s was loaded by command; start-up leaves it as it is", result.version.label)
    return result


@dataclass(frozen=True)
class SetupReport:
    """What setting up the reference data added."""

    countries: int  # countries added
    regions: int  # regions loaded from the shipped file (0 when some existed)
    framework: str | None  # label of the shipped framework loaded, None when one existed


def set_up_reference_data(by: Any) -> SetupReport:
    """Add what a new schema lacks: countries, the shipped regions and framework; change nothing that exists.

    Regions and the framework are loaded only into a database that has none, so re-running it
    never undoes what an administrator loaded or edited.
    """
    countries = ensure_countries()
    regions = 0
    if not db.session.scalar(sa.select(sa.func.count(Region.id))):
        regions, _members = load_regions()
    framework = None
    if not db.session.scalar(sa.select(sa.func.count(FrameworkVersion.id))):
        framework = load_framework_file(default_framework_path(), by, LoadSource.AUTOMATIC).version.label
    return SetupReport(countries, regions, framework)


def audit_events(
    action: str = "",
    outcome: str = "",
    username: str = "",
    country_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    before_id: int | None = None,
) -> list[AuditEvent]:
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
        query = query.where(
            AuditEvent.at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=utcnow().tzinfo)
        )
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    return list(db.session.scalars(query))
