"""The notifications page, marking them read, e-mail settings; the unread count of the header."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.extensions import db
from survey.notifications import (
    events,  # noqa: F401 - subscribes to the workflow's signals
    services,
)
from survey.notifications.delivery import current_application, deliver_after_response
from survey.notifications.forms import MarkReadForm, SettingsForm, settings_form
from survey.notifications.messages import target_of, text_of
from survey.permissions import Permission, can, requires
from survey.regions.services import all_regions

blueprint = Blueprint("notifications", __name__, url_prefix="/notifications")


@blueprint.app_template_global()
def unread_notifications() -> int:
    """The signed-in user's unread notifications, for the header menu."""
    if not current_user.is_authenticated or not can(current_user, Permission.NOTIFICATIONS_READ):
        return 0
    return services.unread_count(current_user)


@blueprint.app_template_global()
def has_email_address() -> bool:
    """Whether the signed-in user gave an e-mail address (where a forgotten password's link would go)."""
    return current_user.is_authenticated and services.email_address(current_user) is not None


@blueprint.after_app_request
def send_queued_mail(response: Response) -> Response:
    """E-mails this request queued are sent once the response is out, never before."""
    if g.pop("mail_queued", False) and current_app.config["MAIL_SEND_AFTER_RESPONSE"]:
        app = current_application()
        response.call_on_close(lambda: deliver_after_response(app))
    return response


def _render(form: MarkReadForm | None = None) -> str:
    items = []
    for notification in services.notifications_of(current_user):
        endpoint, values = target_of(notification.kind, notification.assessment_id)
        items.append((notification, text_of(notification.kind, notification.params), url_for(endpoint, **values)))
    return render_template("notifications/index.html", items=items, form=form or MarkReadForm())


@blueprint.route("/")
@requires(Permission.NOTIFICATIONS_READ)
def index() -> str:
    """The user's notifications, newest first, unread ones marked."""
    return _render()


@blueprint.route("/read", methods=["POST"])
@requires(Permission.NOTIFICATIONS_READ)
def mark_read() -> Response | tuple[str, int]:
    """Mark one notification read, or all of them."""
    form = MarkReadForm()
    if not form.validate():
        return _render(form), 422
    services.mark_read(current_user, None if form.all.data == "1" else form.notification.data)
    db.session.commit()
    return redirect(url_for(".index"))


def _region_choices() -> list[tuple[str, str]] | None:
    """The regions a reader of released results may follow; None for everyone else."""
    if not can(current_user, Permission.RELEASE_READ_DONORS):
        return None
    return [(r.code, r.title) for r in all_regions()]


@blueprint.route("/settings", methods=["GET", "POST"])
@requires(Permission.NOTIFICATIONS_READ)
def settings() -> str | Response | tuple[str, int]:
    """Where e-mails go, whether to send them, and (for donors) the regions whose releases to hear of."""
    chosen = services.settings_of(current_user)
    form: SettingsForm = settings_form(
        _region_choices(),
        email=chosen.email,
        email_enabled=chosen.email_enabled,
        regions=services.followed_regions(current_user),
    )
    if not form.is_submitted():
        return render_template("notifications/settings.html", form=form)
    if not form.validate():
        flash(_("Nothing was saved: please correct the fields marked below."), "error")
        return render_template("notifications/settings.html", form=form), 422
    services.save_settings(
        current_user, form.email.data or "", form.email_enabled.data, form.regions.data if "regions" in form else None
    )
    db.session.commit()
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for(".settings"))
