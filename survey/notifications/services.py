"""Telling users about events: a notification each, and an e-mail in their language. Callers commit.

The e-mail is only written to the outbox here, in the event's transaction; `delivery` sends it
after the response (or `flask notifications send` does), so a mail server that is slow or down
never holds up or breaks the request that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, g, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from survey.accounts.models import Role, User, UserRole
from survey.extensions import db, run_core
from survey.i18n.locale import available_languages
from survey.models import utcnow
from survey.notifications.messages import mail_footer, target_of, text_of
from survey.notifications.models import FollowedRegion, Notification, NotificationSettings, OutboxMessage
from survey.regions.models import Region

SUBJECT_PREFIX = "[CyberReady] "
EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"
EMAIL_LENGTH = 254
EMAIL_RULE = _l("Enter an e-mail address such as name@example.org.")
PAGE_SIZE = 100


def users_with_roles(roles: Iterable[Role], country_id: int | None = None) -> list[User]:
    """Active users holding any of these roles (in this country, when one is given), by id."""
    query = (
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_([str(r) for r in roles]), User.active.is_(True))
        .order_by(User.id)
        .distinct()
    )
    if country_id is not None:
        query = query.where(User.country_id == country_id)
    return list(db.session.scalars(query))


def absolute_url(endpoint: str, **values: Any) -> str:
    """A full link for an e-mail: on APP_URL when set (mail must not trust a request's Host header)."""
    base = current_app.config.get("APP_URL")
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def _settings(user_ids: list[int]) -> dict[int, NotificationSettings]:
    rows = db.session.scalars(sa.select(NotificationSettings).where(NotificationSettings.user_id.in_(user_ids)))
    return {row.user_id: row for row in rows}


def language_of(user: User) -> str:
    """The language the user reads the app in, for what is written to them (e-mails)."""
    return user.locale if user.locale in available_languages() else current_app.config["BABEL_DEFAULT_LOCALE"]


def _mail(notification: Notification, user: User, address: str) -> None:
    """Queue the e-mail of a notification, written in the recipient's language."""
    with force_locale(language_of(user)):
        text = text_of(notification.kind, notification.params)
        endpoint, values = target_of(notification.kind, notification.assessment_id)
        body = "\n\n".join(
            [text.body, absolute_url(endpoint, **values), "-- \n" + mail_footer(absolute_url("notifications.settings"))]
        )
    queue_mail(user, address, text.title, body)


def email_address(user: User) -> str | None:
    """The address the user gave for their e-mails, if any (whether or not they want notifications)."""
    return settings_of(user).email or None


def queue_mail(user: User, address: str, subject: str, body: str) -> OutboxMessage:
    """Put an e-mail in the outbox, sent once the response is out (or by `flask notifications send`)."""
    message = OutboxMessage(user_id=user.id, recipient=address, subject=(SUBJECT_PREFIX + subject)[:300], body=body)
    db.session.add(message)
    if has_request_context():
        g.mail_queued = True  # see `delivery`
    return message


def notify(
    users: Iterable[User],
    kind: str,
    *,
    actor: Any = None,
    assessment_id: int | None = None,
    cycle_id: int | None = None,
    **params: Any,
) -> list[Notification]:
    """Tell each user (the actor excepted) in the app, and by e-mail where they gave an address."""
    actor_id = getattr(actor, "id", None)
    recipients = list({u.id: u for u in users if u.id != actor_id}.values())
    if not recipients:
        return []
    settings = _settings([u.id for u in recipients])
    created = []
    for user in recipients:
        notification = Notification(
            user_id=user.id, kind=kind, assessment_id=assessment_id, cycle_id=cycle_id, params=params
        )
        db.session.add(notification)
        created.append(notification)
        chosen = settings.get(user.id)
        if chosen and chosen.email and chosen.email_enabled:
            _mail(notification, user, chosen.email)
    return created


def already_told(kind: str, cycle_id: int) -> set[int]:
    """Ids of the users already told this about this cycle (so reminders are sent once)."""
    return set(
        db.session.scalars(
            sa.select(Notification.user_id).where(Notification.kind == kind, Notification.cycle_id == cycle_id)
        )
    )


_notification = Notification.__table__
# Asked on every signed-in page (the header's badge), so built once.
UNREAD = (
    sa.select(sa.func.count())
    .select_from(_notification)
    .where(_notification.c.user_id == sa.bindparam("user_id"), _notification.c.read_at.is_(None))
)


def unread_count(user: Any) -> int:
    """How many of the user's notifications are unread."""
    return run_core(UNREAD, {"user_id": user.id}).scalar() or 0


def notifications_of(user: Any) -> list[Notification]:
    """The user's latest notifications, newest first."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id.desc())
            .limit(PAGE_SIZE)
        )
    )


def mark_read(user: Any, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read, or all of them; return how many changed."""
    query = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    # An UPDATE's result is a CursorResult; Session.execute's types promise only a Result.
    return cast(sa.CursorResult, db.session.execute(query.values(read_at=utcnow()))).rowcount


def settings_of(user: Any) -> NotificationSettings:
    """The user's e-mail settings (a new, unsaved row when they never chose)."""
    return db.session.get(NotificationSettings, user.id) or NotificationSettings(
        user_id=user.id, email="", email_enabled=True
    )


def followed_regions(user: Any) -> list[str]:
    """Codes of the regions the user follows."""
    return list(
        db.session.scalars(
            sa.select(Region.code)
            .join(FollowedRegion, FollowedRegion.region_id == Region.id)
            .where(FollowedRegion.user_id == user.id)
            .order_by(Region.position)
        )
    )


def email_problem(address: str) -> str | None:
    """Why an e-mail address is refused, or None (an empty one, meaning none, is accepted)."""
    if address and (len(address) > EMAIL_LENGTH or not re.fullmatch(EMAIL_PATTERN, address)):
        return str(EMAIL_RULE)
    return None


def set_email_address(user: Any, address: str) -> None:
    """Store where the user's e-mails go, keeping whether they want notifications by e-mail."""
    settings = settings_of(user)
    settings.email = address.strip()
    db.session.add(settings)


def save_settings(user: Any, email: str, email_enabled: bool, region_codes: Iterable[str] | None) -> None:
    """Store where the user's e-mails go and, for readers of released results, the regions they follow."""
    set_email_address(user, email)
    settings_of(user).email_enabled = email_enabled
    if region_codes is None:
        return
    db.session.execute(sa.delete(FollowedRegion).where(FollowedRegion.user_id == user.id))
    ids = db.session.scalars(sa.select(Region.id).where(Region.code.in_(list(region_codes))))
    db.session.add_all(FollowedRegion(user_id=user.id, region_id=region_id) for region_id in ids)
