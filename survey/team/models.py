"""Pillar assignments: which contributor answers which pillar of their country."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.extensions import Model


class Assignment(Model):
    """A pillar the coordinator gave to a contributor (e.g. by agency); it holds across cycles."""

    __table_args__ = (sa.UniqueConstraint("country_id", "pillar_code", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(sa.ForeignKey("country.id"), index=True)
    pillar_code: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(lazy="joined")
