"""Sign in, sign out and the language preference."""

from __future__ import annotations

from urllib.parse import urlsplit

import flask
import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from survey.accounts import sessions
from survey.accounts.forms import LoginForm
from survey.accounts.models import User
from survey.audit.services import REFUSED, record, record_refusal
from survey.extensions import db, limiter, login_manager
from survey.i18n.locale import normalise, remember_locale
from survey.permissions import public

blueprint = Blueprint("accounts", __name__)
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in to continue.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in user, if the account exists, the session is of its current generation and not signed out."""
    return sessions.signed_in_user(session_id)


def safe_next(target: str | None, default: str) -> str:
    """Only follow a redirect target on this site (a path, not another host)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _login_username() -> str:
    """Rate-limit key: the account being tried, known or not (so lock-outs reveal nothing)."""
    return "login:" + (request.form.get("username") or "").strip().lower()[:64]


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _locked_out(limit: RequestLimit) -> flask.Response:
    """Too many failures: say so without telling whether the account exists; keep the username."""
    form = LoginForm()
    # Counted in one row per account name and window: hammering a locked account cannot flood the log.
    record_refusal("user.login_failed", f"locked out: {form.username.data or ''}")
    flash(_("Too many failed sign-ins. Wait 15 minutes and try again, or ask your administrator."), "error")
    return make_response(render_template("accounts/login.html", form=form), 429)


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
    key_func=_login_username,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_locked_out,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_locked_out,
)
@public
def login() -> Response | tuple[str, int]:
    """Sign in with username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("assessments.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = db.session.scalar(sa.select(User).where(User.username == username))
        # The hash is checked before `is_active`: a deactivated account takes as long to refuse as any other.
        if sessions.password_matches(user, form.password.data) and user is not None and user.is_active:
            session.clear()  # a fresh session on sign-in (no fixation)
            sessions.start_session(user)
            login_user(user, remember=form.remember.data)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for("assessments.index")))
        record("user.login_failed", outcome=REFUSED, detail=username[:500])
        db.session.commit()
        # One message for unknown users and wrong passwords: no account enumeration.
        flash(_("Wrong username or password."), "error")
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login.html", form=form), status


@blueprint.route("/logout", methods=["POST"])
@public
def logout() -> Response:
    """Sign out, here and on the server."""
    if current_user.is_authenticated:
        sessions.end_session(current_user)
        db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("pages.home"))


@blueprint.route("/language", methods=["POST"])
@public
def set_language() -> Response:
    """Remember a language choice (on the account too when signed in)."""
    language = normalise(request.form.get("lang"))
    back = safe_next(request.form.get("next"), url_for("pages.home"))
    response = redirect(back)
    if language is None:
        flash(_("This language is not available."), "error")
        return response
    if current_user.is_authenticated:
        current_user.locale = language
        db.session.commit()
    return remember_locale(response, language)
