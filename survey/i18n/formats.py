"""Dates, times, money, numbers and lists written the way our readers write them.

The interface language says which words to show; the formatting locale says how to write a
date, an amount or a list for that reader. English readers are West African and Commonwealth
officials, so English is written day-first (en_GB, or the reader's country, e.g. en_NG);
Portuguese readers are in Cabo Verde, Guinea-Bissau and Mozambique, so Portuguese is pt_PT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import cache
from typing import Literal

from babel import Locale, localedata
from babel.core import get_global
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_timezone, get_timezone_gmt, get_timezone_name
from babel.lists import format_list as babel_format_list
from babel.numbers import format_currency
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import format_percent as babel_format_percent
from flask import current_app, g, has_request_context
from flask_babel import get_locale
from flask_login import current_user

# The formatting locale of a language when the reader's country says nothing more precise.
DEFAULT_FORMATS = {"en": "en_GB", "pt": "pt_PT"}
# Languages whose country variants we follow (en_NG writes "14:42 WAT"). Not Arabic: its
# country locales switch to Arabic-Indic digits, which our translator did not choose.
COUNTRY_AWARE = frozenset({"en"})
ARABIC_SCRIPT = frozenset({"ar", "fa", "ur", "ps", "ckb"})
ARABIC_COMMA = "\u060c "
ARABIC_SEMICOLON = "\u061b "


def reader_country() -> str | None:
    """The signed-in reader's country (ISO alpha-2), if any."""
    # An app without sign-in (a chart built in a unit test, a command) has no reader.
    if not has_request_context() or not hasattr(current_app, "login_manager") or not current_user.is_authenticated:
        return None
    country = getattr(current_user, "country", None)
    return country.alpha2 if country is not None else None


def formatting_locale(language: Locale | str | None = None, country: str | None = None) -> Locale:
    """The CLDR locale to write dates, numbers and names in for this language and country."""
    if language is None and country is None:
        return _readers_formatting_locale()
    if language is None:
        language = get_locale() or Locale("en")
    return _formatting_locale(str(language), country)


def _readers_formatting_locale() -> Locale:
    # A page formats hundreds of numbers and names: the reader's locale is kept for the request,
    # beside the language and the user it was found for (a sign-in or `force_locale` changes them).
    try:
        ctx, user = g._flask_babel, g._login_user
        kept = ctx.survey_formatting
        if kept[0] is ctx.babel_locale and kept[1] is user:
            return kept[2]
    except (AttributeError, RuntimeError):  # not found yet, or outside an application context
        pass
    found = _formatting_locale(str(get_locale() or Locale("en")), reader_country())
    try:
        g._flask_babel.survey_formatting = (g._flask_babel.babel_locale, g._login_user, found)
    except (AttributeError, RuntimeError):  # no request, or nobody signed in or out yet: nothing to keep
        pass
    return found


@cache
def _formatting_locale(language: str, country: str | None) -> Locale:
    base = Locale.parse(language)
    if base.territory:  # an explicit variant (pt_BR, fr_CA) is the reader's own choice
        return base
    if country and base.language in COUNTRY_AWARE and localedata.exists(f"{base.language}_{country}"):
        return Locale.parse(f"{base.language}_{country}")
    return Locale.parse(DEFAULT_FORMATS.get(base.language, base.language))


@cache
def country_zone(alpha2: str | None) -> tzinfo:
    """The time zone of a country with a single one (Ghana: Africa/Accra), else UTC."""
    if not alpha2:
        return UTC
    zones = [zone for zone, territory in get_global("zone_territories").items() if territory == alpha2]
    return get_timezone(zones[0]) if len(zones) == 1 else UTC


def reader_zone() -> tzinfo:
    """The zone times are shown in: the reader's country's, or UTC."""
    return country_zone(reader_country())


def zone_label(moment: datetime, locale: Locale) -> str:
    """'GMT', 'WAT', 'UTC', or 'GMT-01:00' where CLDR has no abbreviation the reader knows."""
    if moment.tzinfo is UTC or str(moment.tzinfo) == "UTC":
        return "UTC"
    name = get_timezone_name(moment, "short", locale=locale)
    return get_timezone_gmt(moment, "long", locale=locale) if name[:1] in "+-" else name


def format_date(value: date | datetime | None, format: str = "medium") -> str:
    """'30 Nov 2026' in English, '30/11/2026' in Portuguese, or a dash."""
    if value is None:
        return "—"
    locale = formatting_locale()
    if isinstance(value, datetime):
        value = _in_reader_zone(value)
    return babel_format_date(value, format, locale=locale)


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    """'30 Nov 2026, 14:42 GMT': day, time and the zone it is in (the reader's country's)."""
    if value is None:
        return "—"
    locale = formatting_locale()
    moment = _in_reader_zone(value)
    day = babel_format_date(moment, "short" if format == "short" else "medium", locale=locale)
    time = babel_format_time(moment, "short", locale=locale)
    pattern = locale.datetime_formats.get("medium", "{1} {0}")
    return str(pattern).format(f"{time} {zone_label(moment, locale)}", day)


def _in_reader_zone(value: datetime) -> datetime:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # stored timestamps are UTC
    return aware.astimezone(reader_zone())


def format_money(amount: Decimal | float | int, currency: str, locale: Locale | None = None) -> str:
    """'XOF 82,000,000' in English, '38 000 000 CVE' in Portuguese: the ISO code, no empty cents."""
    locale = locale or formatting_locale()
    pattern = locale.currency_formats["standard"].pattern.split(";")[0].replace("\u200f", "")
    pattern = re.sub(r"¤+", "¤¤", pattern)  # the ISO code: "F CFA" means two different francs
    if Decimal(str(amount)) == Decimal(str(amount)).to_integral_value():
        pattern = re.sub(r"\.0+", "", pattern)
    text = format_currency(
        amount, currency, format=pattern, locale=locale, currency_digits=False, decimal_quantization=False
    )
    # CLDR separates a code written with letters from the digits (XOF 82,000,000); Babel does not.
    return re.sub(rf"^{currency}(?=\d)", f"{currency}\u00a0", text)


def format_decimal(value: Decimal | float | int, format: str | None = None) -> str:
    """A number in the reader's formatting locale ('1 234,5' in European Portuguese)."""
    return babel_format_decimal(value, format=format, locale=formatting_locale())


def format_percent(value: Decimal | float | int, format: str | None = None) -> str:
    """A share (0.24) as a percentage in the reader's formatting locale ('24 %' in French)."""
    return babel_format_percent(value, format=format, locale=formatting_locale())


def format_count(value: Decimal | float | int, locale: Locale | None = None) -> str:
    """A whole number with the reader's grouping ('1 234' in Portuguese and French)."""
    return babel_format_decimal(value, format="#,##0", locale=locale or formatting_locale())


ListStyle = Literal["standard", "standard-short", "or", "or-short", "unit", "unit-short", "unit-narrow"]


def format_list(items: Iterable[str], style: ListStyle = "standard") -> str:
    """'A, B and C' in the reader's language (CLDR list patterns)."""
    items = [str(item) for item in items]
    return babel_format_list(items, style=style, locale=formatting_locale()) if items else ""


def list_separator(locale: Locale | None = None) -> str:
    """The separator between list items: ', ', or the Arabic comma '، ' in Arabic script."""
    locale = locale or formatting_locale()
    # CLDR has no comma-only list pattern for Arabic (every pattern says "و", and): name the comma.
    return ARABIC_COMMA if locale.language in ARABIC_SCRIPT else ", "


def clause_separator(locale: Locale | None = None) -> str:
    """The separator between clauses ('Score: 3; Comment: ...'): '; ', or '؛ ' in Arabic script."""
    locale = locale or formatting_locale()
    return ARABIC_SEMICOLON if locale.language in ARABIC_SCRIPT else "; "


def join_items(items: Iterable[str]) -> str:
    """Items joined with the reader's semicolon, no 'and' (values of one field).

    Titles such as "Awareness, skills and prevention" hold commas themselves: a comma between them
    would make one title read as two.
    """
    return clause_separator().join(str(item) for item in items)
