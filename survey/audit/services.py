"""Writing and reading the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_login import current_user

from survey.audit.models import AuditEvent
from survey.extensions import db
from survey.models import utcnow

OK = "ok"
REFUSED = "refused"
# Refusals of one kind (action and target) by one account within this window share one row,
# counted: 200 refused page loads cannot flood the log with 200 rows.
REFUSAL_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class SystemActor:
    """An audit actor that is not an account, such as the server's command line."""

    username: str
    id: None = None
    is_authenticated: bool = True


# Changes typed on the server's command line (`flask users ...`, `flask cycles open`...).
COMMAND_LINE = SystemActor("(command line)")


def record(action: str, *, outcome: str = OK, user: Any = None, **fields: Any) -> AuditEvent:
    """Add an audit event for the current (or given) user to the session."""
    actor = user if user is not None else current_user
    signed_in = getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        action=action,
        outcome=outcome,
        user_id=actor.id if signed_in else None,
        username=actor.username if signed_in else "",
        **fields,
    )
    db.session.add(event)
    return event


def record_refusal(action: str, detail: str, **fields: Any) -> None:
    """Write a refused attempt in its own transaction, so it survives the request's rollback.

    A repeat within REFUSAL_WINDOW by the same account adds to the count of the earlier row
    (which keeps its first detail) instead of adding a row; without an account (sign-ins refused
    during a lock-out), a repeat of the same detail does.
    """
    db.session.rollback()
    earlier = _recent_refusal(action, detail, fields)
    if earlier is None:
        record(action, outcome=REFUSED, detail=detail[:500], **fields)
    else:
        # One UPDATE, so two requests at once both count.
        db.session.execute(
            sa.update(AuditEvent)
            .where(AuditEvent.id == earlier)
            .values(count=AuditEvent.count + 1, last_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def _recent_refusal(action: str, detail: str, fields: dict[str, Any]) -> int | None:
    """The id of this account's (or, anonymous, this detail's) row for the same refusal within the window, if any."""
    if getattr(current_user, "is_authenticated", False):
        who = AuditEvent.user_id == current_user.id
    else:
        who = sa.and_(AuditEvent.user_id.is_(None), AuditEvent.detail == detail[:500])
    query = sa.select(AuditEvent.id).where(
        who,
        AuditEvent.action == action,
        AuditEvent.outcome == REFUSED,
        AuditEvent.at >= utcnow() - REFUSAL_WINDOW,
    )
    for name in ("assessment_id", "indicator_code", "target_user_id"):
        column = getattr(AuditEvent, name)
        value = fields.get(name)
        query = query.where(column.is_(None) if value is None else column == value)
    return db.session.scalar(query.order_by(AuditEvent.id.desc()).limit(1))
