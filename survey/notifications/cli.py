"""`flask notifications ...`: send the mail outbox, remind teams of deadlines (both safe to run from cron)."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import AppGroup

from survey.extensions import db
from survey.notifications.delivery import deliver_due
from survey.notifications.events import send_deadline_reminders

notifications = AppGroup("notifications", help="Send e-mail notifications and deadline reminders.")


@notifications.command("send")
def send_command() -> None:
    """Send the e-mails that are due, failed ones included once their wait is over."""
    sent = failed = 0
    while (batch := deliver_due()).sent + batch.failed:  # batch after batch, until none is due
        sent, failed = sent + batch.sent, failed + batch.failed
    click.echo(f"{sent} sent, {failed} failed (tried again later)")


@notifications.command("deadlines")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend today is this day.")
def deadlines_command(today: datetime | None) -> None:
    """Remind teams yet to submit, a week before their cycle's deadline (once per person and cycle)."""
    count = send_deadline_reminders(today.date() if today else date.today())
    db.session.commit()
    click.echo(f"{count} reminders")
    deliver_due()
