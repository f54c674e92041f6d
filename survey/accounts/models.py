"""User accounts and the roles they hold (what a role may do is in the rule book, `survey.permissions`)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from survey.countries.models import Country
from survey.extensions import Model, db
from survey.models import utcnow
from survey.permissions import COUNTRY_ROLES as COUNTRY_ROLES
from survey.permissions import DONOR_READERS as DONOR_READERS
from survey.permissions import Role as Role
from survey.permissions import sole_account


def new_session_token() -> str:
    """A random token that identifies the current generation of a user's sessions."""
    return secrets.token_hex(16)


class UserRole(Model):
    """One role held by a user; a user may hold several (e.g. coordinator and validator)."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)


def password_hash_method() -> str:
    """Werkzeug's hash method for new passwords: scrypt, unless the configuration names another (tests)."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


class User(UserMixin, Model):
    """Someone who signs in: a country official, a donor or an administrator."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120), default="")
    agency: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")  # the national agency
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    country_id: Mapped[int | None] = mapped_column(sa.ForeignKey("country.id"))
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Part of the session identifier: changing it (password change) signs out every session.
    session_token: Mapped[str] = mapped_column(sa.String(32), default=new_session_token)

    country: Mapped[Country | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in."""
        return self.active

    new_token = staticmethod(new_session_token)

    # The server-side session this request belongs to (set by sign-in and by `load_user`); not a column.
    __allow_unmapped__ = True
    current_session_id: str | None = None

    def get_id(self) -> str:
        """Session identifier: id, token and session row, so a new token ends every session and sign-out this one."""
        return f"{self.id}:{self.session_token}:{self.current_session_id or ''}"

    def set_password(self, password: str) -> None:
        """Store a salted, slow hash of the password and end the other sessions."""
        self.password_hash = generate_password_hash(password, method=password_hash_method())
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def roles(self) -> frozenset[str]:
        """The roles this user holds."""
        return frozenset(row.role for row in self.role_rows)

    def set_roles(self, roles: Iterable[str]) -> None:
        """Replace the user's roles."""
        wanted = set(roles)
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        self.role_rows += [UserRole(role=role) for role in sorted(wanted - self.roles)]


def new_session_id() -> str:
    """A random, unguessable name for one signed-in session."""
    return secrets.token_urlsafe(32)


class UserSession(Model):
    """One signed-in session, known to every server: signing out deletes it, so a copied cookie stops working."""

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, default=new_session_id)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


@sole_account.answer
def sole_active_account(country_id: int) -> bool:
    """Whether the country has one active account only, so nobody else could review its submission."""
    count = (
        db.session.scalar(sa.select(sa.func.count(User.id)).where(User.country_id == country_id, User.active.is_(True)))
        or 0
    )
    return count <= 1
