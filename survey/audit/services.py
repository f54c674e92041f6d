"""Writing and reading the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_login import current_user

from survey.audit.models import AuditEvent
from survey.extensions import db

OK = "ok"
REFUSED = "refused"


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
    """Write a refused attempt in its own transaction, so it survives the request's rollback."""
    db.session.rollback()
    record(action, outcome=REFUSED, detail=detail[:500], **fields)
    db.session.commit()
