"""Choosing the reader's language and naming things in it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar

import pyuca
from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import _get_current_context, get_locale, get_translations
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from survey.i18n.formats import formatting_locale

LOCALE_COOKIE = "lang"
LANGUAGES_KEY = "cyberready.languages"  # a request environ key: `g` may outlive a request in tests
# A header longer than this is not from a real browser; ignore it rather than parse it.
MAX_ACCEPT_LANGUAGE = 500
# Flask's Response or werkzeug's (what redirect() makes): the caller gets back what it passed.
AnyResponse = TypeVar("AnyResponse", bound=Response)


def available_languages() -> list[str]:
    """English plus every language with a catalog under translations/ (a new one needs no code)."""
    if not has_request_context():
        return _available_languages()
    # Asked several times per request (the language, the switcher): the folder is looked at once per request.
    found = request.environ.get(LANGUAGES_KEY)
    if found is None:
        found = request.environ[LANGUAGES_KEY] = _available_languages()
    return found


def _available_languages() -> list[str]:
    folder = Path(current_app.config["TRANSLATIONS_DIR"])
    try:
        # Adding a language folder changes the folder's mtime: a running app sees it at once.
        stamp = folder.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _languages_in(folder, stamp, tuple(current_app.config["LANGUAGES"]))


@lru_cache(maxsize=16)
def _languages_in(folder: Path, stamp: int, configured: tuple[str, ...]) -> list[str]:
    found = {p.parent.parent.name for p in folder.glob("*/LC_MESSAGES/messages.po")}
    return ["en", *sorted((found | set(configured)) - {"en"}, key=str.lower)]


def normalise(tag: str | None) -> str | None:
    """Map a tag such as 'pt_BR' or 'fr-SN' to a supported language (the variant, else the base)."""
    if not tag or len(tag) > 35:
        return None
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    available = available_languages()
    return next((code for code in (str(locale), locale.language) if code in available), None)


def select_locale() -> str:
    """Saved preference, then ?lang= or the cookie, then Accept-Language, then English."""
    if not has_request_context():  # a command or a background job: the default, unless forced
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    for candidate in (
        getattr(current_user, "locale", None) if current_user and current_user.is_authenticated else None,
        request.args.get("lang"),
        request.cookies.get(LOCALE_COOKIE),
    ):
        if language := normalise(candidate):
            return language
    header = request.headers.get("Accept-Language", "")
    if len(header) <= MAX_ACCEPT_LANGUAGE:
        best = request.accept_languages.best_match(available_languages())
        if best:
            return best
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_locale(response: AnyResponse, language: str) -> AnyResponse:
    """Keep a language choice in a cookie for a year."""
    response.set_cookie(
        LOCALE_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def catalog() -> Any:
    """The translations of the request's language, found once per language rather than for every string.

    A page translates hundreds of strings, and Flask-Babel looks the catalog up afresh for each
    one (several context lookups). It is kept beside the locale it was found for, so
    `force_locale` and `refresh`, which replace the locale, still switch catalogs.
    """
    try:
        ctx = g._flask_babel
        kept = ctx.survey_catalog
        if kept[0] is ctx.babel_locale:
            return kept[1]
    except (AttributeError, RuntimeError):  # not looked up yet, or outside an application context
        pass
    translations = get_translations()
    ctx = _get_current_context()
    if ctx is not None:
        ctx.survey_catalog = (getattr(ctx, "babel_locale", None), translations)
    return translations


def install_escaping_gettext(app: Flask) -> None:
    """Make `_()` in templates escape the translation like any other text.

    Jinja's i18n extension marks a translation as safe HTML before formatting it, so a catalog
    could inject markup or scripts into every page. Catalogs are data from translators, not code.
    """

    def gettext(string: str) -> Markup:
        return escape(catalog().ugettext(string))

    def ngettext(singular: str, plural: str, n: int) -> Markup:
        return escape(catalog().ungettext(singular, plural, n))

    def pgettext(context: str, string: str) -> Markup:
        return escape(catalog().upgettext(context, string))

    def npgettext(context: str, singular: str, plural: str, n: int) -> Markup:
        return escape(catalog().unpgettext(context, singular, plural, n))

    # The jinja2.ext.i18n extension adds this method at runtime; Environment's types do not declare it.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=gettext,
        ngettext=ngettext,
        newstyle=True,  # type: ignore[attr-defined]
        pgettext=pgettext,
        npgettext=npgettext,
    )


def html_lang() -> str:
    """The formatting locale as a BCP 47 tag for lang= attributes ('pt' pages are 'pt-PT')."""
    return str(formatting_locale(get_locale())).replace("_", "-")


def text_direction() -> str:
    """'rtl' for right-to-left languages, else 'ltr'."""
    return direction_of(get_locale())


def direction_of(locale: Locale | None) -> str:
    """'rtl' or 'ltr' from CLDR, so a new language (Pashto, Kurdish...) needs no list kept here."""
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


@cache
def language_name(code: str) -> str:
    """A language's name in that language (what a reader looks for in a switcher)."""
    try:
        name = Locale.parse(code).get_display_name(code)
        return name.capitalize() if name else code
    except (ValueError, UnknownLocaleError):  # a catalog folder Babel has no data for
        return code


# Short names a country asked the United Nations to use in every language, where CLDR's
# default still has the older one (Cabo Verde since 2013: not "Cape Verde" or "Cap-Vert").
OWN_SHORT_NAMES: dict[str, dict[str, str]] = {
    "CV": {"en": "Cabo Verde", "fr": "Cabo Verde", "pt": "Cabo Verde", "ar": "كابو فيردي"},
}


def _territory_name(locale: Locale, alpha2: str) -> str:
    own = OWN_SHORT_NAMES.get(alpha2, {}).get(locale.language)
    return own or locale.territories.get(alpha2) or Locale("en").territories.get(alpha2, alpha2)


def country_name(alpha2: str) -> str:
    """A country's name in the reader's language ('Benim' in European Portuguese, 'Cabo Verde')."""
    return _territory_name(formatting_locale(), alpha2)


@cache
def _collator() -> pyuca.Collator:
    return pyuca.Collator()  # parses the Unicode collation table once (a fraction of a second)


def collation_key(locale: Locale | str | None = None) -> Callable[[str], tuple]:
    """A sort key that orders text as readers expect ('Égypte' next to 'Équateur', not after 'Z').

    The Unicode Collation Algorithm's root order (CLDR root) is right for every shipped language
    (en, fr, pt, ar, sw); a language with a tailored order (Spanish ñ, Swedish å) would need ICU.
    """
    return _collator().sort_key


def sorted_countries(alpha2_codes: Iterable[str], locale: Locale | str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs named from CLDR in the reader's language, in that language's order."""
    locale = formatting_locale(locale) if locale else formatting_locale()
    return list(_sorted_countries(tuple(alpha2_codes), str(locale)))


@lru_cache(maxsize=64)
def _sorted_countries(alpha2_codes: tuple[str, ...], locale_name: str) -> tuple[tuple[str, str], ...]:
    # Collating some 200 names costs milliseconds, and every form with a country menu needs them.
    locale = Locale.parse(locale_name)
    named = [(code, _territory_name(locale, code)) for code in alpha2_codes]
    key = collation_key(locale)
    return tuple(sorted(named, key=lambda pair: key(pair[1])))
