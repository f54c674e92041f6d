"""Regional organisations and their time-aware membership."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Model


class Region(Model):
    """A regional organisation (or a sub-region of one) whose members can be compared."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    short_name: Mapped[str] = mapped_column(sa.String(120))
    name: Mapped[str] = mapped_column(sa.String(200))
    parent_code: Mapped[str | None] = mapped_column(sa.String(64))
    map_scope: Mapped[str] = mapped_column(sa.String(16), default="world")
    source_url: Mapped[str] = mapped_column(sa.String(500), default="")
    position: Mapped[int] = mapped_column(sa.Integer, default=0)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="region", lazy="raise", cascade="all, delete-orphan"
    )


class Membership(Model):
    """One period during which a country belonged to a region (open-ended when `left` is None).

    Countries are named by ISO alpha-2 code, not by foreign key, because some members (e.g. the
    Cook Islands in the Pacific Islands Forum) are not UN states and have no Country row.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id", ondelete="CASCADE"), index=True)
    country_code: Mapped[str] = mapped_column(sa.String(2))
    joined: Mapped[date | None] = mapped_column(sa.Date)
    left: Mapped[date | None] = mapped_column(sa.Date)

    region: Mapped[Region] = relationship(back_populates="memberships")
