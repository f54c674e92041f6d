"""API tokens users manage themselves: only a hash of each is stored; create, revoke (audited), find the holder.

Services flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.audit.services import record
from survey.extensions import Model, db
from survey.models import utcnow

TOKEN_PREFIX = "cr_"  # noqa: S105 - a marker that helps secret scanners, not a secret
NAME_LENGTH = 80
MAX_LIVE_TOKENS = 20  # per account: enough for every script, few enough to review
# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """The stored form of a token (tokens are long and random, so a plain SHA-256 suffices)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random bearer token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def today() -> date:
    """Today in UTC: a token expiring on a date works until the end of that day, UTC."""
    return datetime.now(UTC).date()


class ApiToken(Model):
    """A user's API token: the API reads with that user's release levels."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_on: Mapped[date | None] = mapped_column(sa.Date)  # last day it works (UTC); None: until revoked
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def expired(self) -> bool:
        """Past its last day."""
        return self.expires_on is not None and self.expires_on < today()

    @property
    def live(self) -> bool:
        """Neither revoked nor expired: the API accepts it."""
        return not self.revoked and not self.expired


class TokenRefused(ValueError):
    """A token that cannot be created as asked; the message is translated, ready to show."""


def _live_condition() -> sa.ColumnElement[bool]:
    return sa.and_(ApiToken.revoked.is_(False), sa.or_(ApiToken.expires_on.is_(None), ApiToken.expires_on >= today()))


def live_token_count(user: User) -> int:
    """How many tokens of this user the API accepts now."""
    query = sa.select(sa.func.count(ApiToken.id)).where(ApiToken.user_id == user.id, _live_condition())
    return db.session.scalar(query) or 0


def create_token(user: User, by: Any, name: str, expires_on: date | None = None) -> str:
    """A new named token for this user, audited; only its hash is stored, so it is shown once (TokenRefused)."""
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise TokenRefused(
            ngettext(
                "Give the token a name of at most %(num)s character.",
                "Give the token a name of at most %(num)s characters.",
                NAME_LENGTH,
            )
        )
    if expires_on is not None and expires_on < today():
        raise TokenRefused(_("The expiry date is in the past: choose today or a later day."))
    if live_token_count(user) >= MAX_LIVE_TOKENS:
        raise TokenRefused(_("This account has as many working tokens as it may have: revoke one first."))
    token = new_token()
    db.session.add(ApiToken(token_hash=hash_token(token), user_id=user.id, name=name, expires_on=expires_on))
    db.session.flush()
    record(
        "api_token.create",
        target_user_id=user.id,
        country_id=user.country_id,
        new_value=expires_on.isoformat() if expires_on else None,
        detail=name,
        user=by,
    )
    return token


def tokens_of(user: User) -> list[ApiToken]:
    """A user's tokens, newest first (revoked and expired ones too: they say what was used)."""
    query = sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(query))


def all_tokens() -> list[ApiToken]:
    """Every account's tokens, live ones first, newest first."""
    query = sa.select(ApiToken).order_by(ApiToken.revoked, ApiToken.id.desc())
    return list(db.session.scalars(query))


def revoke_token(token: ApiToken, by: Any) -> bool:
    """Revoke one token, audited; False when it was revoked already (nothing recorded)."""
    if token.revoked:
        return False
    token.revoked, token.revoked_at = True, utcnow()
    record(
        "api_token.revoke",
        target_user_id=token.user_id,
        country_id=token.user.country_id,
        new_value=1,
        detail=token.name,
        user=by,
    )
    db.session.flush()
    return True


def revoke_tokens(user: User, by: Any) -> int:
    """Revoke every live token of this user, audited; return how many were revoked."""
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
    ).all()
    now = utcnow()
    for token in tokens:
        token.revoked, token.revoked_at = True, now
    record("api_token.revoke", target_user_id=user.id, country_id=user.country_id, new_value=len(tokens), user=by)
    return len(tokens)


def live_token(token: str) -> ApiToken | None:
    """The live (unrevoked, unexpired) token with this secret, held by an active user, or None."""
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token), _live_condition()))
    return row if row is not None and row.user.active else None


def note_use(token: ApiToken) -> bool:
    """Write `last_used_at` when it is older than the precision (one small write a minute, not one a request).

    Returns whether it wrote, so the caller commits only then.
    """
    now = utcnow()
    last = token.last_used_at
    if last is not None and (last if last.tzinfo else last.replace(tzinfo=UTC)) > now - LAST_USED_PRECISION:
        return False
    # A conditional UPDATE: of two requests racing, one writes and neither waits on the other's row lock long.
    db.session.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.id == token.id,
            sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_PRECISION),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return True
