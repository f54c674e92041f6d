"""The action table: one step of a country's plan, usually answering one priority need."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.assessments.models import Assessment
from survey.extensions import Model
from survey.models import utcnow

MAX_WHAT = 500
MAX_AGENCY = 200


class Funding(StrEnum):
    """Where the money for an action comes from, as far as the country knows."""

    STATE = "state"  # funded by the state budget
    DONORS = "donors"  # requested from donors
    UNFUNDED = "unfunded"


class Action(Model):
    """A step of an assessment's action plan: what, which agency leads, the stage aimed at, when, what it costs."""

    __tablename__ = "plan_action"
    __table_args__ = (
        sa.CheckConstraint("target_stage BETWEEN 1 AND 5", name="target_stage"),
        sa.CheckConstraint("cost IS NULL OR cost >= 0", name="cost"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    # The priority need the action answers (an indicator code of the assessment's framework), if any.
    indicator_code: Mapped[str | None] = mapped_column(sa.String(120))
    what: Mapped[str] = mapped_column(sa.String(MAX_WHAT))
    lead_agency: Mapped[str] = mapped_column(sa.String(MAX_AGENCY))
    target_stage: Mapped[int] = mapped_column(sa.SmallInteger)  # a maturity stage, 1-5
    deadline: Mapped[date] = mapped_column(sa.Date)
    cost: Mapped[Decimal | None] = mapped_column(sa.Numeric(17, 2))  # the money question's bounds
    currency: Mapped[str | None] = mapped_column(sa.String(3))  # ISO 4217, given with a cost
    funding: Mapped[str] = mapped_column(sa.String(16), default=Funding.UNFUNDED)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    assessment: Mapped[Assessment] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[updated_by_id])
