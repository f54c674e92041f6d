"""Capacity-building projects: who funds and carries out what, for which countries and indicators."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.countries.models import Country
from survey.extensions import Model
from survey.models import utcnow


class ProjectStatus(StrEnum):
    """Where a project stands."""

    PLANNED = "planned"
    RUNNING = "running"
    COMPLETED = "completed"


class ProjectVisibility(StrEnum):
    """Who reads a project: everyone, or donors, regional bodies and its beneficiary countries."""

    PUBLIC = "public"
    DONORS = "donors"


# A project funds a gap while it is planned or running; a completed one is history.
FUNDING_STATUSES = (ProjectStatus.PLANNED, ProjectStatus.RUNNING)


class Project(Model):
    """One capacity-building project, recorded by a donor, an implementer or an administrator."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    implementer: Mapped[str] = mapped_column(sa.String(200))
    # Funding organisations by name, in the order given: free text, as regional bodies list them.
    donors: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    budget: Mapped[Decimal | None] = mapped_column(sa.Numeric(17, 2))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(16), default=ProjectStatus.PLANNED)
    visibility: Mapped[str] = mapped_column(sa.String(16), default=ProjectVisibility.PUBLIC)
    link: Mapped[str | None] = mapped_column(sa.String(500))
    contact: Mapped[str] = mapped_column(sa.String(200), default="")
    is_demo: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship(lazy="joined")
    beneficiaries: Mapped[list[ProjectCountry]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ProjectCountry.country_id"
    )
    target_rows: Mapped[list[ProjectTarget]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ProjectTarget.code"
    )

    @property
    def country_ids(self) -> set[int]:
        """Ids of the beneficiary countries."""
        return {b.country_id for b in self.beneficiaries}

    @property
    def targets(self) -> list[str]:
        """Pillar and indicator codes the project works on."""
        return [t.code for t in self.target_rows]


class ProjectCountry(Model):
    """A beneficiary country of a project, and what that country said about it."""

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    country_id: Mapped[int] = mapped_column(sa.ForeignKey("country.id"), primary_key=True, index=True)
    confirmed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    country: Mapped[Country] = relationship(lazy="joined")


class ProjectTarget(Model):
    """A pillar code (the whole pillar) or an indicator code a project works on."""

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(120), primary_key=True, index=True)
