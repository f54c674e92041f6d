"""The link of a recovery e-mail: signed, dated, and bound to the password it replaces, so it works once.

Nothing is stored: the link carries the account id and a fingerprint of the password hash, signed
with the application's secret key. Once the password changes (by this link or otherwise) the
fingerprint no longer matches, and a link older than RECOVERY_LINK_MINUTES is refused.
"""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from survey.accounts.models import User
from survey.extensions import db

SALT = "cyberready.password-recovery"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}:{user.session_token}".encode()).hexdigest()[:24]


def link_token(user: User) -> str:
    """The token of a new recovery link for this account."""
    return str(_signer().dumps([user.id, _fingerprint(user)]))


def account_of(token: str) -> User | None:
    """The active account a token opens, or None when it is forged, expired, used or the account deactivated."""
    try:
        user_id, fingerprint = _signer().loads(token[:500], max_age=current_app.config["RECOVERY_LINK_MINUTES"] * 60)
    except (BadData, ValueError, TypeError):
        return None
    if not isinstance(user_id, int):
        return None
    user = db.session.scalar(sa.select(User).where(User.id == user_id, User.active.is_(True)))
    return user if user is not None and hmac.compare_digest(str(fingerprint), _fingerprint(user)) else None
