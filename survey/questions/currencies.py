"""Currencies an official can report an amount in: the ones in use today, theirs first."""

from __future__ import annotations

from datetime import date
from functools import cache

from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies
from wtforms import SelectChoice


@cache
def current_currencies() -> tuple[str, ...]:
    """ISO 4217 codes that are legal tender somewhere today (no historic or fund codes)."""
    day = date.today()  # cached for the process: currencies change less often than deployments
    codes = {
        code for territory in get_global("territory_currencies") for code in get_territory_currencies(territory, day)
    }
    return tuple(sorted(codes))


def country_currencies(alpha2: str | None) -> list[str]:
    """The currencies a country uses today, its main one first (none for an unknown country)."""
    if not alpha2:
        return []
    current = set(current_currencies())
    return [code for code in get_territory_currencies(alpha2.upper(), date.today()) if code in current]


def country_currency(alpha2: str | None) -> str | None:
    """The country's main currency today, or None."""
    return next(iter(country_currencies(alpha2)), None)


@cache
def currency_choices(locale: str, country: str | None) -> tuple[SelectChoice, ...]:
    """The country's currencies first, then every other current one, named in the reader's language.

    Without a country the list starts with an empty choice, so nothing is preselected by chance.
    """
    own = country_currencies(country)
    codes = own + [code for code in current_currencies() if code not in own]
    named = tuple(SelectChoice(code, f"{code} – {get_currency_name(code, locale=locale)}") for code in codes)
    return named if own else (SelectChoice("", "—"), *named)
