"""User accounts and roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from survey.countries.models import Country
from survey.extensions import db
from survey.models import utcnow


class Role(StrEnum):
    """What a user may do; country roles are bound to one country."""

    OFFICER = "officer"
    COORDINATOR = "coordinator"
    DONOR = "donor"
    ADMIN = "admin"


COUNTRY_ROLES = frozenset({Role.OFFICER, Role.COORDINATOR})


class User(UserMixin, db.Model):
    """Someone who signs in: a country official, a donor or an administrator."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(16))
    country_id: Mapped[int | None] = mapped_column(sa.ForeignKey("country.id"))
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    country: Mapped[Country | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in."""
        return self.active

    def set_password(self, password: str) -> None:
        """Store a salted, slow hash of the password."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role) -> bool:
        """Whether the user holds one of these roles."""
        return self.role in roles

    @property
    def is_country_official(self) -> bool:
        """Officers and coordinators work on their own country's assessments."""
        return self.role in COUNTRY_ROLES and self.country_id is not None
