"""Sending the mail outbox: after the response that queued it, or from `flask notifications send`.

Each message is claimed (so two workers do not send it twice), sent, and marked sent; a failure is
logged and the message is tried again later, waiting twice as long each time, up to MAX_ATTEMPTS.
Without MAIL_SERVER (development) messages are written to the log instead of being sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask_mailman import EmailMessage
from flask_mailman.backends.base import BaseEmailBackend

from survey.extensions import db, mail
from survey.models import utcnow
from survey.notifications.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
# A claimed message is left alone this long; if its sender died meanwhile, it is tried again.
CLAIM = timedelta(minutes=10)
BATCH = 50


class LogEmailBackend(BaseEmailBackend):
    """Writes each e-mail to the log instead of sending it (no MAIL_SERVER configured)."""

    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        """Log the messages; they count as sent."""
        for message in email_messages:
            log.info(
                "E-mail not sent (MAIL_SERVER is not set) to %s: %s\n%s",
                ", ".join(message.to),
                message.subject,
                message.body,
            )
        return len(email_messages)


def _connection() -> BaseEmailBackend:
    """SMTP when MAIL_SERVER is set, else the log; settings are read now, not at start-up."""
    config = current_app.config
    if config.get("MAIL_BACKEND"):  # chosen explicitly (Flask-Mailman's "console", "file"...)
        return mail.get_connection()
    if not config.get("MAIL_SERVER"):
        return mail.get_connection(backend=LogEmailBackend)
    return mail.get_connection(
        backend="smtp",
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config["MAIL_USERNAME"],
        password=config["MAIL_PASSWORD"],
        use_tls=config["MAIL_USE_TLS"],
        use_ssl=config["MAIL_USE_SSL"],
        timeout=config["MAIL_TIMEOUT"],
    )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: 1, 2, 4... minutes, at most six hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


@dataclass
class Delivery:
    """What one run of the outbox did."""

    sent: int = 0
    failed: int = 0


def _claim(now: datetime, limit: int) -> list[int]:
    """Take due messages for this run (rows another worker is sending are skipped)."""
    rows = list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.attempts < MAX_ATTEMPTS,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.next_attempt_at = now + CLAIM
    db.session.commit()
    return [row.id for row in rows]


def _failed(message: OutboxMessage, error: Exception, now: datetime) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if message.attempts >= MAX_ATTEMPTS:
        log.error(
            "E-mail %s to %s given up after %s attempts: %s",
            message.id,
            message.recipient,
            message.attempts,
            message.last_error,
        )
        return
    message.next_attempt_at = now + retry_delay(message.attempts)
    log.warning(
        "E-mail %s to %s failed (attempt %s), next try at %s: %s",
        message.id,
        message.recipient,
        message.attempts,
        message.next_attempt_at.isoformat(timespec="seconds"),
        message.last_error,
    )


def deliver_due(now: datetime | None = None, limit: int = BATCH) -> Delivery:
    """Send the messages that are due; each outcome is committed as soon as it is known."""
    now = now or utcnow()
    done = Delivery()
    ids = _claim(now, limit)
    if not ids:
        return done
    connection = _connection()
    try:
        connection.open()
    except Exception as error:  # whatever the failure to connect, every claimed message waits
        for message in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))):
            _failed(message, error, now)
            done.failed += 1
        db.session.commit()
        return done
    try:
        for message_id in ids:
            message = db.session.get_one(OutboxMessage, message_id)
            try:
                EmailMessage(
                    message.subject,
                    message.body,
                    current_app.config["MAIL_DEFAULT_SENDER"],
                    [message.recipient],
                    connection=connection,
                ).send()
            except Exception as error:  # a refused recipient, a dropped link: retried later
                _failed(message, error, now)
                done.failed += 1
            else:
                message.attempts += 1
                message.sent_at, message.last_error = utcnow(), ""
                done.sent += 1
            db.session.commit()
    finally:
        _close(connection)
    return done


def _close(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception as error:  # the messages are sent (or not) already; closing is a courtesy
        log.info("Closing the mail connection failed: %s", error)


def deliver_after_response(app: Flask) -> None:
    """Send what a request queued, once its response is out; never raises (the response is gone)."""
    try:
        if has_app_context():  # the test client keeps the test's context open
            deliver_due()
        else:
            with app.app_context():
                deliver_due()
    except Exception:  # logged; `flask notifications send` picks the messages up again
        log.exception("E-mail delivery after a response failed")
        if has_app_context():
            db.session.rollback()


def current_application() -> Flask:
    """The application object itself (not the proxy), to use once the request is over."""
    # current_app is a LocalProxy at runtime; Flask's types present it as the Flask object itself.
    return current_app._get_current_object()  # type: ignore[attr-defined]
