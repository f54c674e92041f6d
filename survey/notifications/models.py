"""Notifications shown in the app, the mail outbox, and what each user chose to receive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from survey.extensions import Model
from survey.models import utcnow


class Notification(Model):
    """One event told to one user; its text is written in the reader's language when shown."""

    __table_args__ = (sa.Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))  # a key of `survey.notifications.messages.KINDS`
    assessment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assessment.id", ondelete="CASCADE"))
    cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cycle.id", ondelete="CASCADE"))
    # What the text needs (country code, year, who acted...): names are translated when shown.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class OutboxMessage(Model):
    """An e-mail waiting to be sent, or sent: written in the event's transaction, sent after it."""

    __tablename__ = "mail_outbox"
    __table_args__ = (sa.Index("ix_mail_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    # Written in the recipient's language when the event happened.
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")


class NotificationSettings(Model):
    """Where a user's e-mails go and whether they want them; no row means no e-mail address."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    email_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)


class FollowedRegion(Model):
    """A region whose released results a reader (a donor) wants to hear about."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id", ondelete="CASCADE"), primary_key=True)
