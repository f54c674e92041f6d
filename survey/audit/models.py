"""The audit event table."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Model
from survey.models import utcnow

if TYPE_CHECKING:  # the audit trail sits below accounts: the relationship names its class by string
    from survey.accounts.models import User


class AuditEvent(Model):
    """One recorded change or refused attempt; rows are only ever inserted."""

    __table_args__ = (sa.Index("ix_audit_event_assessment_indicator", "assessment_id", "indicator_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    # No foreign keys: the trail must outlive deleted users and assessments.
    user_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    username: Mapped[str] = mapped_column(sa.String(64), default="")
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(16), default="ok")  # ok | refused
    country_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    assessment_id: Mapped[int | None] = mapped_column(sa.Integer)
    indicator_code: Mapped[str | None] = mapped_column(sa.String(120))
    target_user_id: Mapped[int | None] = mapped_column(sa.Integer)
    old_value: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    # Refusals of one kind by one account within a window share a row: how many there were, the last when.
    count: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    last_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User | None] = relationship(
        "User", primaryjoin="foreign(AuditEvent.user_id) == User.id", lazy="raise", viewonly=True
    )
