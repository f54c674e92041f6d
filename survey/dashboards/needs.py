"""The needs view: most common gaps in a region, and budget and staffing facts side by side."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import is_currency
from flask_babel import format_currency, format_decimal, format_percent
from flask_babel import gettext as _

from survey.dashboards import services
from survey.dashboards.services import BadParameter, FactValue, RegionalData
from survey.frameworks.definition import IndicatorDef
from survey.i18n.locale import country_name

MAX_RATE = Decimal("1000000000")


@dataclass(frozen=True)
class Gap:
    """An indicator and the members below Established on it."""

    indicator: IndicatorDef
    pillar_title: str
    countries: list[str]


@dataclass(frozen=True)
class Rates:
    """Exchange rates the reader typed: one unit of `source` is `rate` units of `target`."""

    target: str | None
    rates: dict[str, Decimal]


def parse_rates(args: Mapping[str, str]) -> Rates:
    """Read ?to=USD&rate-GHS=0.065...; a rate without a target or a bad number is a bad parameter."""
    target = (args.get("to") or "").strip().upper() or None
    rates = {}
    for key, raw in args.items():
        if not key.startswith("rate-") or not str(raw).strip():
            continue
        source = key.removeprefix("rate-").upper()
        try:
            rate = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation as error:
            raise BadParameter("rate") from error
        if not is_currency(source) or not rate.is_finite() or not 0 < rate < MAX_RATE:
            raise BadParameter("rate")
        rates[source] = rate
    if target is not None and not is_currency(target):
        raise BadParameter("rate")
    if rates and target is None:
        raise BadParameter("rate-target")
    return Rates(target, rates)


def fact_indicators(data: RegionalData) -> list[IndicatorDef]:
    """Budget and staffing facts: the resources pillar, else every money or count fact."""
    definition = data.version.definition
    pillar = definition.pillar("resources")
    if pillar and pillar.facts:
        return list(pillar.facts)
    return [i for i in definition.all_indicators() if i.fact_type in ("money", "count")]


def format_fact_value(indicator: IndicatorDef, value: FactValue | None, rates: Rates) -> str:
    """A fact in the reader's locale; money converted only when the reader gave a rate."""
    if value is None or value.state is None:
        return "—"
    if value.state == "dont_know":
        return _("Don't know")
    if indicator.fact_type == "boolean":
        return _("Yes") if value.flag else _("No")
    if value.number is None:
        return "—"
    if indicator.fact_type == "money":
        currency = value.currency or "USD"
        if rates.target and currency in rates.rates:
            return format_currency(value.number * rates.rates[currency], rates.target)
        return format_currency(value.number, currency)
    if indicator.fact_type == "percent":
        return format_percent(value.number / 100, format="#,##0.#%")
    return format_decimal(value.number, format="#,##0")


def gap_list(viewer: Any, data: RegionalData) -> list[Gap]:
    """Indicators with members below Established, most common first, then questionnaire order."""
    definition = data.version.definition
    found = services.gaps(viewer, data)
    order = {i.code: n for n, i in enumerate(definition.all_indicators())}
    gaps = [
        Gap(
            definition.indicator(code),
            _(definition.pillar(definition.indicator(code).pillar_code).title),
            sorted(country_name(c) for c in codes),
        )
        for code, codes in found.items()
        if definition.indicator(code)
    ]
    return sorted(gaps, key=lambda g: (-len(g.countries), order[g.indicator.code]))


def fact_table(
    viewer: Any, data: RegionalData, rates: Rates
) -> tuple[list[IndicatorDef], list[tuple[str, list[str]]], list[str]]:
    """Fact indicators, a row per assessed member, and the currencies reported."""
    indicators = fact_indicators(data)
    values = services.fact_values(viewer, data, [i.code for i in indicators])
    rows = [
        (
            country_name(c.alpha2),
            [format_fact_value(i, values.get((i.code, c.alpha2)), rates) for i in indicators],
        )
        for c in sorted(data.countries, key=lambda c: country_name(c.alpha2))
    ]
    currencies = sorted({v.currency for v in values.values() if v.currency})
    return indicators, rows, currencies
