"""API tokens: create, and find the user behind a bearer token. Callers commit."""

from __future__ import annotations

import sqlalchemy as sa

from survey.accounts.models import User
from survey.api.models import ApiToken, hash_token, new_token
from survey.extensions import db


def create_token(user: User) -> str:
    """A new token for this user; only its hash is stored, so it is shown once."""
    token = new_token()
    db.session.add(ApiToken(token_hash=hash_token(token), user_id=user.id))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user holding this unrevoked token, or None."""
    row = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked.is_(False)
        )
    )
    if row is None or not row.user.active:
        return None
    return row.user
