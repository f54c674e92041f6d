"""Assessment cycles, assessments, answers and stored scores.

The review, publication and team features keep their own data in their packages; the answer
and assessment rows carry their columns (`Answer.review`, `Assessment.visibility`) as plain strings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.countries.models import Country
from survey.extensions import Model
from survey.frameworks.models import FrameworkVersion, Indicator
from survey.models import utcnow


class Status(StrEnum):
    """Where an assessment stands in its life.

    draft -> submitted (in review) -> returned (indicators reopened) -> submitted -> validated.
    """

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    VALIDATED = "validated"


EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})
SCORED_STATUSES = frozenset({Status.SUBMITTED, Status.RETURNED, Status.VALIDATED})


class Cycle(Model):
    """An assessment round (a year) run against one framework version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, unique=True)
    framework_version_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_version.id"))
    is_open: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # The day assessments of this cycle are due, if any; a reminder goes out a week before.
    deadline: Mapped[date | None] = mapped_column(sa.Date)

    framework_version: Mapped[FrameworkVersion] = relationship(lazy="joined")


class Assessment(Model):
    """A country's answers for one cycle and framework version."""

    __table_args__ = (sa.UniqueConstraint("country_id", "cycle_id", "framework_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(sa.ForeignKey("country.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"))
    framework_version_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_version.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default=Status.DRAFT)
    is_demo: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    overall_score: Mapped[float | None] = mapped_column(sa.Float)
    overall_stage: Mapped[int | None] = mapped_column(sa.Integer)
    # How many maturity indicators the overall score rests on, of how many: "scored on X of Y".
    overall_scored: Mapped[int | None] = mapped_column(sa.Integer)
    overall_total: Mapped[int | None] = mapped_column(sa.Integer)
    validated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    validated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # A release level of `survey.publication.rules.Visibility`, set by the publication feature.
    visibility: Mapped[str] = mapped_column(sa.String(16), default="private", index=True)
    released_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    country: Mapped[Country] = relationship(lazy="joined")
    cycle: Mapped[Cycle] = relationship(lazy="joined")
    framework_version: Mapped[FrameworkVersion] = relationship(lazy="joined")
    submitted_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[submitted_by_id])
    validated_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[validated_by_id])
    answers: Mapped[list[Answer]] = relationship(back_populates="assessment", lazy="raise")
    pillar_scores: Mapped[list[PillarScore]] = relationship(lazy="raise")

    @property
    def is_editable(self) -> bool:
        """Drafts and returned assessments can be edited; submission and validation lock them."""
        return self.status in EDITABLE_STATUSES


class AnswerState(StrEnum):
    """How an indicator was answered; see the methodology for the effect of each."""

    LEVEL = "level"
    NOT_APPLICABLE = "na"
    DONT_KNOW = "dont_know"
    VALUE = "value"


class Answer(Model):
    """The answer to one indicator in one assessment, with its evidence."""

    __table_args__ = (sa.UniqueConstraint("assessment_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id"))
    state: Mapped[str | None] = mapped_column(sa.String(16))  # None: notes only, not yet answered
    level: Mapped[int | None] = mapped_column(sa.Integer)
    number_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 2))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    bool_value: Mapped[bool | None] = mapped_column(sa.Boolean)
    date_value: Mapped[date | None] = mapped_column(sa.Date)
    choice_value: Mapped[str | None] = mapped_column(sa.String(40))  # an option id of the framework
    evidence_urls: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_description: Mapped[str] = mapped_column(sa.Text, default="")
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # Optimistic concurrency: a save must name the version it was edited from.
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    # A decision of `survey.review.models.Review`, set by the review feature; None: not reviewed yet.
    review: Mapped[str | None] = mapped_column(sa.String(16))
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Carried over from last cycle's answer (`survey.assessments.carry`): which one, and whether it still
    # waits for someone to confirm or change it (until then it counts as unanswered).
    carried_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answer.id", ondelete="SET NULL"))
    to_confirm: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    assessment: Mapped[Assessment] = relationship(back_populates="answers")
    indicator: Mapped[Indicator] = relationship(lazy="raise")


class PillarScore(Model):
    """A pillar's score stored at submission, so comparisons need no re-scoring."""

    __table_args__ = (sa.UniqueConstraint("assessment_id", "pillar_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    pillar_code: Mapped[str] = mapped_column(sa.String(64))
    score: Mapped[float | None] = mapped_column(sa.Float)
    stage: Mapped[int | None] = mapped_column(sa.Integer)
    coverage: Mapped[float] = mapped_column(sa.Float)
    status: Mapped[str] = mapped_column(sa.String(16))
    scored: Mapped[int | None] = mapped_column(sa.Integer)  # indicators answered with a level
    total: Mapped[int | None] = mapped_column(sa.Integer)  # maturity indicators of the pillar
