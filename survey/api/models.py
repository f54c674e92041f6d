"""Bearer tokens for the read-only API; only a hash of each token is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.extensions import Model
from survey.models import utcnow

TOKEN_PREFIX = "cr_"  # noqa: S105 - a marker that helps secret scanners, not a secret


def hash_token(token: str) -> str:
    """The stored form of a token (tokens are long and random, so a plain SHA-256 suffices)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random bearer token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(Model):
    """A user's API token: the API reads with that user's release levels."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    revoked: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined")
