"""Signed-in sessions kept on the server, and the password check that takes as long for every account name.

The session cookie (and the "keep me signed in" cookie) carries the user's id, the user's session
token (a new one on password change or deactivation ends every session) and the id of a row of
`user_session` (deleted at sign-out, which ends that one session on every server).

With a shared store, a process keeps the account it found for a session under the change
counter's version (`survey.caching`): any change to an account, its roles, its country or its
sessions (a sign-out anywhere) moves the counter, so the next request looks again.
"""

from __future__ import annotations

import pickle  # noqa: S403 - copies this process makes of accounts it loaded, never outside data
import re
import secrets
from datetime import timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from survey.accounts.models import User, UserRole, UserSession, password_hash_method
from survey.audit.services import record
from survey.caching import kept, version, watch
from survey.countries.models import Country
from survey.extensions import db
from survey.models import utcnow

# One query on every signed-in request (so built once): the user, the roles and this session's row
# (deleted by sign-out, on whichever server).
SIGNED_IN = (
    sa.select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        User.id == sa.bindparam("user_id"),
        UserSession.id == sa.bindparam("row_id"),
        UserSession.created_at >= sa.bindparam("oldest"),
    )
    .options(joinedload(User.role_rows))
)
watch(User, UserRole, UserSession, Country)
SIGNED_IN_KEPT = 1024  # sessions whose account a process keeps (a few kilobytes each)


def signed_in_user(session_id: str) -> User | None:
    """The user of a session identifier ("id:token:session"), if its token is current and its session live."""
    user_id, token, row_id = (session_id.split(":") + ["", ""])[:3]
    if not re.fullmatch(r"[0-9]{1,9}", user_id) or not token or not row_id:
        return None
    seen, accounts = version(), kept("signed-in", SIGNED_IN_KEPT)
    snapshot = accounts.get((seen, session_id)) if seen is not None else None
    if snapshot is not None:
        # Copied into this request's session as the query would have loaded it; the snapshot stays detached.
        user = db.session.merge(snapshot, load=False)
    else:
        oldest = utcnow() - timedelta(seconds=current_app.config["SESSION_MAX_AGE"])
        params = {"user_id": int(user_id), "row_id": row_id[:64], "oldest": oldest}
        user = db.session.scalars(SIGNED_IN, params).unique().first()
        if user is None or not secrets.compare_digest(token, user.session_token):
            return None
        if seen is not None:  # a detached copy, which this request's changes to the user cannot reach
            accounts.put((seen, session_id), pickle.loads(pickle.dumps(user)))  # noqa: S301
    user.current_session_id = row_id
    return user


def start_session(user: User) -> None:
    """A new server-side session for this user (and the user's sessions past their age forgotten)."""
    oldest = utcnow() - timedelta(seconds=current_app.config["SESSION_MAX_AGE"])
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.created_at < oldest))
    row = UserSession(user_id=user.id)
    db.session.add(row)
    db.session.flush()
    user.current_session_id = row.id


def end_session(user: User) -> None:
    """Forget this session on the server, so its cookie (or a copy of it) no longer signs anyone in."""
    if user.current_session_id:
        db.session.execute(sa.delete(UserSession).where(UserSession.id == user.current_session_id))


def replace_password(user: User, password: str, by: Any) -> None:
    """Store a new password and audit who set it; every session of the account ends."""
    user.set_password(password)  # a new session token: no cookie of the old one signs in any more
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
    record("user.password", target_user_id=user.id, country_id=user.country_id, user=by)


@cache
def _unknown_account_hash(method: str) -> str:
    """A hash of a random password, checked for unknown accounts so they answer as slowly as known ones."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def password_matches(user: User | None, password: str) -> bool:
    """Whether the password is the account's; as much hashing work for unknown and deactivated accounts."""
    if user is None:
        check_password_hash(_unknown_account_hash(password_hash_method()), password)
        return False
    return user.check_password(password)
