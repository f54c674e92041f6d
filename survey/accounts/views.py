"""Sign in, sign out, the language preference, and one's own API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

import flask
import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
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

from survey.accounts import sessions, tokens
from survey.accounts.forms import LoginForm, PasswordChangeForm, TokenForm
from survey.accounts.models import User
from survey.accounts.passwords import MIN_LENGTH
from survey.audit.services import REFUSED, record, record_refusal
from survey.extensions import db, limiter, login_manager
from survey.i18n.locale import normalise, remember_locale
from survey.permissions import Permission, can, public, requires

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


def _own_account() -> str:
    """Rate-limit key of the password page: the signed-in account."""
    return "password:" + str(getattr(current_user, "id", ""))


def _password_locked_out(limit: RequestLimit) -> flask.Response:
    """Too many wrong current passwords: refuse for a while, keep nothing typed (they are passwords)."""
    record_refusal("user.password", "locked out: too many wrong current passwords", country_id=current_user.country_id)
    flash(_("Too many wrong passwords. Wait 15 minutes and try again, or ask your administrator."), "error")
    return make_response(_password_page(PasswordChangeForm(formdata=None), 429))


def _password_page(form: PasswordChangeForm, status: int) -> tuple[str, int]:
    return render_template("accounts/password.html", form=form, min_length=MIN_LENGTH), status


@blueprint.route("/account/password", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
    key_func=_own_account,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_password_locked_out,
)
@requires(Permission.PASSWORD_CHANGE)
def change_password() -> Response | tuple[str, int]:
    """Change one's own password, knowing the current one; every other session of the account ends."""
    user = current_user._get_current_object()
    form = PasswordChangeForm()
    form.known_username = user.username
    if not form.validate_on_submit():
        return _password_page(form, 422 if request.method == "POST" else 200)
    if not sessions.password_matches(user, form.current.data):
        record_refusal("user.password", "wrong current password", country_id=user.country_id)
        form.current.errors = [_("This is not your current password.")]
        return _password_page(form, 401)
    remember = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")) is not None
    sessions.replace_password(user, form.password.data, by=user)
    sessions.start_session(user)  # this browser goes on, under the new token
    login_user(user, remember=remember)
    db.session.commit()
    flash(_("Your password is changed. Your account is signed out everywhere else."), "success")
    return redirect(url_for(".change_password"))


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


def _tokens_page(form: TokenForm, secret: str | None = None, status: int = 200) -> flask.Response:
    response = make_response(
        render_template("accounts/tokens.html", form=form, tokens=tokens.tokens_of(current_user), secret=secret),
        status,
    )
    response.headers["Cache-Control"] = "no-store"  # the page may show a new token's secret
    return response


@blueprint.route("/account/tokens", methods=["GET", "POST"])
@requires(Permission.TOKENS_MANAGE)
def api_tokens() -> flask.Response:
    """One's API tokens: create a named one (its secret shown once), see when each was used, revoke."""
    form = TokenForm()
    if request.method == "GET":
        return _tokens_page(form)
    try:
        if not form.validate():
            raise tokens.TokenRefused(_("No token was created: please correct the fields marked below."))
        secret = tokens.create_token(current_user, current_user, form.name.data, form.expires_on.data)
    except tokens.TokenRefused as refusal:
        flash(str(refusal), "error")
        return _tokens_page(form, status=422)
    db.session.commit()
    return _tokens_page(TokenForm(formdata=None), secret=secret, status=201)


@blueprint.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(Permission.TOKENS_MANAGE)
def revoke_api_token(token_id: int) -> Response:
    """Revoke one of one's tokens: the API refuses it from now on."""
    token = db.session.get(tokens.ApiToken, token_id)
    if token is None or not can(current_user, Permission.TOKENS_MANAGE, token):
        if token is not None:  # someone else's: refused as if it did not exist, and audited
            record_refusal("access.denied", f"{request.method} {request.path}", country_id=current_user.country_id)
        abort(404)
    if tokens.revoke_token(token, current_user):
        db.session.commit()
        flash(_("The token %(name)s is revoked: the API refuses it from now on.", name=token.name), "success")
    else:
        flash(_("The token %(name)s was revoked already.", name=token.name), "info")
    return redirect(url_for(".api_tokens"))
