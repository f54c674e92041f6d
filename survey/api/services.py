"""API tokens: create and revoke them (audited here), and find the user behind a bearer token. Callers commit."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from survey.accounts.models import User
from survey.api.models import ApiToken, hash_token, new_token
from survey.audit.services import record
from survey.extensions import db


def create_token(user: User, by: Any) -> str:
    """A new token for this user, audited; only its hash is stored, so it is shown once."""
    token = new_token()
    db.session.add(ApiToken(token_hash=hash_token(token), user_id=user.id))
    db.session.flush()
    record("api_token.create", target_user_id=user.id, country_id=user.country_id, user=by)
    return token


def revoke_tokens(user: User, by: Any) -> int:
    """Revoke every live token of this user, audited; return how many were revoked."""
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
    ).all()
    for token in tokens:
        token.revoked = True
    record("api_token.revoke", target_user_id=user.id, country_id=user.country_id, new_value=len(tokens), user=by)
    return len(tokens)


def user_for_token(token: str) -> User | None:
    """The active user holding this unrevoked token, or None."""
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked.is_(False))
    )
    if row is None or not row.user.active:
        return None
    return row.user
