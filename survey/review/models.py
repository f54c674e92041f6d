"""Review decisions on answers, and the discussion threads of indicators."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.extensions import Model
from survey.models import utcnow


class Review(StrEnum):
    """A validator's decision on one indicator (stored in `Answer.review`)."""

    ACCEPTED = "accepted"
    RETURNED = "returned"


class Comment(Model):
    """A message in the discussion thread of one indicator of an assessment."""

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
