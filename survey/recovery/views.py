"""Forgot your password? A link by e-mail to choose a new one; the same answer whether or not the account exists."""

from __future__ import annotations

import flask
import sqlalchemy as sa
from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from werkzeug.wrappers import Response

from survey.accounts import sessions
from survey.accounts.models import User
from survey.accounts.passwords import MIN_LENGTH
from survey.audit.services import record
from survey.extensions import db, limiter
from survey.notifications.services import absolute_url, email_address, language_of, queue_mail
from survey.permissions import public
from survey.recovery.forms import NewPasswordForm, RecoveryRequestForm
from survey.recovery.links import account_of, link_token

blueprint = Blueprint("recovery", __name__, url_prefix="/account/recover")


def _requested_username() -> str:
    """Rate-limit key: the account a link is asked for, known or not."""
    return "recover:" + (request.form.get("username") or "").strip().lower()[:64]


def _asked(response: Response) -> bool:
    """Whether a link was asked for properly (what the limits count: a refused form sends nothing)."""
    return response.status_code == 302


def _too_many(limit: RequestLimit) -> flask.Response:
    flash(_("Too many links were asked for. Wait an hour and try again, or ask your administrator."), "error")
    return make_response(render_template("recovery/request.html", form=RecoveryRequestForm(formdata=None)), 429)


@blueprint.route("", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RECOVERY_LINKS_PER_ACCOUNT"],
    key_func=_requested_username,
    methods=["POST"],
    deduct_when=_asked,
    on_breach=_too_many,
)
@limiter.limit(
    lambda: current_app.config["RECOVERY_LINKS_PER_ADDRESS"], methods=["POST"], deduct_when=_asked, on_breach=_too_many
)
@public
def ask() -> Response | tuple[str, int]:
    """Ask for a link by e-mail; what follows says nothing about whether the account exists."""
    form = RecoveryRequestForm()
    if not form.validate_on_submit():
        return render_template("recovery/request.html", form=form), 422 if request.method == "POST" else 200
    username = form.username.data.strip()
    user = db.session.scalar(sa.select(User).where(User.username == username, User.active.is_(True)))
    address = email_address(user) if user is not None else None
    if user is not None and address:
        _send_link(user, address)
        db.session.commit()
    minutes = current_app.config["RECOVERY_LINK_MINUTES"]
    flash(
        ngettext(
            "If this account has an e-mail address, a link to choose a new password is on its way to it. "
            "The link works once, for %(num)s minute.",
            "If this account has an e-mail address, a link to choose a new password is on its way to it. "
            "The link works once, for %(num)s minutes.",
            minutes,
        ),
        "info",
    )
    return redirect(url_for(".ask"))


def _send_link(user: User, address: str) -> None:
    """Queue the e-mail with the link, in the account's language, and audit that it was sent."""
    link = absolute_url("recovery.choose", token=link_token(user))
    with force_locale(language_of(user)):
        subject = _("Choose a new password")
        body = "\n\n".join(
            [
                ngettext(
                    "Someone, probably you, asked to choose a new password for the CyberReady account %(name)s. "
                    "Open this link within %(num)s minute to choose it:",
                    "Someone, probably you, asked to choose a new password for the CyberReady account %(name)s. "
                    "Open this link within %(num)s minutes to choose it:",
                    current_app.config["RECOVERY_LINK_MINUTES"],
                    name=user.username,
                ),
                link,
                _("If it was not you, ignore this e-mail: your password stays as it is."),
            ]
        )
    queue_mail(user, address, subject, body)
    # Asked for by someone not signed in: the event names the account, not who asked.
    record("user.password_link", target_user_id=user.id, country_id=user.country_id)


@blueprint.route("/<token>", methods=["GET", "POST"])
@public
def choose(token: str) -> Response | tuple[str, int]:
    """Choose the new password the link allows; the account's sessions end, and the link stops working."""
    user = account_of(token)
    if user is None:
        return render_template("recovery/choose.html", form=None, min_length=MIN_LENGTH), 400
    form = NewPasswordForm()
    form.known_username = user.username
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("recovery/choose.html", form=form, account=user, min_length=MIN_LENGTH), status
    sessions.replace_password(user, form.password.data, by=user)
    db.session.commit()
    flash(_("Your password is changed: sign in with it."), "success")
    return redirect(url_for("accounts.login"))
