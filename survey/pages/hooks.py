"""Template helpers, language cookie, security headers, caching and error pages."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, abort, current_app, g, make_response, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.sansio.response import Response as SansioResponse

from survey.accounts.labels import role_names
from survey.api.views import API_PREFIX, json_error
from survey.assessments.labels import status_label
from survey.audit.labels import action_label, describe
from survey.caching import REDIS_ERRORS
from survey.compression import is_shared
from survey.demo import demo_accounts
from survey.frameworks.labels import stage_name
from survey.i18n.formats import (
    clause_separator,
    format_date,
    format_datetime,
    format_decimal,
    format_list,
    format_money,
    format_percent,
)
from survey.i18n.locale import (
    available_languages,
    country_name,
    html_lang,
    language_name,
    normalise,
    remember_locale,
    text_direction,
)
from survey.pages.assets import send_precompressed_static
from survey.pages.request import Request
from survey.pages.shell import once
from survey.permissions import current_user_can
from survey.publication.labels import visibility_label
from survey.questions import answer_text

ERROR_TITLES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this page."),
    404: _l("This page does not exist, or you do not have access to it."),
    405: _l("This action is not allowed here."),
    409: _l("This action conflicts with the current state."),
    413: _l("What you sent is too large."),
    422: _l("Some answers need correcting."),
    429: _l("Too many attempts. Wait a moment and try again."),
    500: _l("Something went wrong on our side. Your saved answers are safe."),
    503: _l("This is not available on this server at the moment. Everything else works."),
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@cache
def _file_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """A static file URL carrying its content hash, so it can be cached forever."""
    assert current_app.static_folder is not None  # the app is created with its static folder
    path = Path(current_app.static_folder) / filename
    return url_for("static", filename=filename, v=_file_hash(str(path)))


def format_score(score: float | None) -> str:
    """A 0-100 score as a number in the reader's locale, or a dash."""
    return "—" if score is None else format_decimal(round(score), format="#,##0")


def format_number(value: float | None) -> str:
    """A number with up to two decimals in the reader's locale (12.5 is '12,5' in French)."""
    return "—" if value is None else format_decimal(value, format="#,##0.##")


def format_change(change: float | None) -> str:
    """A signed whole-number change in the reader's locale ('+5', '-3'), or a dash."""
    return "—" if change is None else format_decimal(round(change), format="+#,##0;-#,##0")


# The name a vendored Plotly locale file registers, when it is not the file's language.
PLOTLY_LOCALE_NAMES = {"pt": "pt-PT"}


def plotly_locale() -> tuple[str, str] | None:
    """(file language, registered name) of the vendored Plotly locale for the reader, if any."""
    language = str(get_locale().language)
    if language == "en" or not _static_exists(f"vendor/plotly-locale-{language}.js"):
        return None
    return language, PLOTLY_LOCALE_NAMES.get(language, language)


@cache
def _static_exists(filename: str) -> bool:
    assert current_app.static_folder is not None  # the app is created with its static folder
    return (Path(current_app.static_folder) / filename).is_file()


def template_helpers() -> dict:
    """Functions every template and macro can call (macros do not see the request context)."""
    return {
        "asset_url": asset_url,
        "country_name": country_name,
        "stage_name": stage_name,
        "format_score": format_score,
        "format_number": format_number,
        "format_change": format_change,
        "format_percent": format_percent,
        "format_decimal": format_decimal,
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_money": format_money,
        "format_list": format_list,
        "clause_separator": clause_separator,
        "status_label": status_label,
        "role_names": role_names,
        "visibility_label": visibility_label,
        "action_label": action_label,
        "describe": describe,
        "can": current_user_can,
        "answer_text": answer_text,
        "demo_accounts": demo_accounts,
        "once": once,
    }


def template_globals() -> dict:
    """Per-request names every template can use."""
    return {
        "languages": tuple((code, language_name(code)) for code in available_languages()),  # a key of `once`
        "current_language": str(get_locale()),
        "html_lang": html_lang(),
        "plotly_locale": plotly_locale(),
        "text_direction": text_direction(),
        "demo_mode": current_app.config["DEMO_DATA"],
    }


def forget_previous_locale() -> None:
    """Choose the language afresh for each request.

    Flask-Babel caches the locale on `g`, which lives as long as the application context: a
    request sharing one with an earlier request (the test client inside an app context, a CLI
    that renders pages) would otherwise keep the earlier request's language.
    """
    g.pop("_flask_babel", None)


def remember_language(response: Response) -> Response:
    """Keep an explicit ?lang= choice in a cookie for the next visits."""
    chosen = normalise(request.args.get("lang"))
    return remember_locale(response, chosen) if chosen else response


def security_headers(response: Response) -> Response:
    """Headers that keep pages from being framed, sniffed or loading foreign code."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint == "static" and request.args.get("v"):
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    elif request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    # A static file, or an image named by what it shows, is the same for every reader: shared caches
    # and browsers need not keep a copy per cookie (nor ask again when the session cookie changes).
    if not shared_response():
        response.vary.add("Cookie")
    return response


def shared_response() -> bool:
    """Whether the response is the same for every reader: a static file, or an image named by what it shows."""
    return request.endpoint == "static" or is_shared()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, left out of responses that are the same for every reader.

    Flask-Login looks at the session after every request, and Flask then adds `Vary: Cookie`:
    anonymous visitors would fetch the stylesheet again whenever their cookie changes.
    """

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save the session (and vary on the cookie) unless the response is shared."""
        if not shared_response():
            super().save_session(app, session, response)


def error_page(error: HTTPException) -> Response | SansioResponse:
    """A translated error page with the right status (or the response a view prepared for it)."""
    if error.response is not None:
        return error.response
    code = error.code or 500
    message = str(ERROR_TITLES.get(code, ERROR_TITLES[400]))
    if request.path.startswith(API_PREFIX):  # addresses the API's routes did not match, and its 405s and 500s
        response = json_error(code, message)
    else:
        response = make_response(render_template("errors/error.html", code=code, message=message), code)
    # What the error itself says in headers: `Allow` on a 405, `Retry-After` on a 429...
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def store_unavailable(error: Exception) -> Response | SansioResponse:
    """Redis out of reach where nothing can stand in for it (the sign-in counters): 503, try again soon."""
    current_app.logger.error("Redis out of reach: %s", error)
    return error_page(ServiceUnavailable(retry_after=60))


def refuse_nul_characters() -> None:
    """Refuse input holding NUL characters (400): no user types them, and PostgreSQL cannot store them."""
    values = [*request.args.values(), *(request.view_args or {}).values()]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [item for key in request.form for item in (key, *request.form.getlist(key))]
    if any(isinstance(value, str) and "\x00" in value for value in values):
        abort(400)


def register(app: Flask) -> None:
    """Attach helpers and hooks to the app."""
    app.jinja_env.globals.update(template_helpers())
    app.session_interface = SessionInterface()
    app.request_class = Request
    app.before_request(send_precompressed_static)
    app.before_request(forget_previous_locale)
    app.before_request(refuse_nul_characters)
    app.context_processor(template_globals)
    app.after_request(remember_language)
    app.after_request(security_headers)
    app.register_error_handler(HTTPException, error_page)
    for error in REDIS_ERRORS:  # the caches fall back on their own (survey.caching); sign-in cannot
        app.register_error_handler(error, store_unavailable)
