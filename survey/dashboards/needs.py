"""The needs view: most common gaps in a region, and budget and staffing facts side by side."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import is_currency
from flask_babel import gettext as _

from survey.dashboards import services
from survey.dashboards.matching import requested
from survey.dashboards.services import BadParameter, RegionalData
from survey.frameworks.definition import IndicatorDef
from survey.i18n.locale import country_name
from survey.plans import services as plan_services
from survey.projects import services as project_services
from survey.projects.services import ProjectRef
from survey.questions import StoredAnswer, answer_text, question_type

MAX_RATE = Decimal("1000000000")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Gap:
    """An indicator and the members below Established on it: those no project funds, and those one does."""

    indicator: IndicatorDef
    pillar_title: str
    countries: list[str]
    unfunded: list[str] = field(default_factory=list)
    funded: list[tuple[str, list[ProjectRef]]] = field(default_factory=list)  # a member and its projects
    # Members without a project whose action plan requests donor funding for an action on the indicator.
    requested: list[str] = field(default_factory=list)


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
    """Budget and staffing facts: the resources pillar, else every amount or count."""
    definition = data.version.definition
    pillar = definition.pillar("resources")
    if pillar and pillar.facts:
        return list(pillar.facts)
    return [i for i in definition.all_indicators() if not i.is_maturity and question_type(i).is_quantity]


def format_fact_value(indicator: IndicatorDef, value: StoredAnswer | None, rates: Rates) -> str:
    """A fact in the reader's locale; amounts converted only when the reader gave a rate."""
    currency = value.columns.get("currency") if value else None
    if value is not None and value.has_value and rates.target and currency in rates.rates:
        amount = (value.columns["number_value"] * rates.rates[currency]).quantize(CENT)
        value = replace(value, columns={**value.columns, "number_value": amount, "currency": rates.target})
    return answer_text(indicator, value) or "—"


def requested_gaps(data: RegionalData) -> set[tuple[str, str]]:
    """(member, indicator code) of the actions requested from donors in the members' released plans: one query."""
    members = {c.assessment_id: c.alpha2 for c in data.countries}
    plans = plan_services.actions_by_assessment(members)
    return {
        (members[assessment_id], action.indicator_code)
        for assessment_id, actions in plans.items()
        for action in requested(actions)
        if action.indicator_code
    }


def gap_list(viewer: Any, data: RegionalData) -> list[Gap]:
    """Indicators with members below Established, most unfunded gaps first, then most common, then questionnaire order.

    A member's gap is funded when a planned or running project the viewer may read works on the
    indicator (or its whole pillar) in that country; an unfunded one is "requested" when the member's
    plan asks donors to fund an action on it.
    """
    definition = data.version.definition
    found = services.gaps(viewer, data)
    funding = project_services.funding(viewer, {c for codes in found.values() for c in codes}, definition).by_gap
    asked = requested_gaps(data) if found else set()
    order = {i.code: n for n, i in enumerate(definition.all_indicators())}
    gaps = [
        Gap(
            definition.known_indicator(code),
            _(definition.known_pillar(definition.known_indicator(code).pillar_code).title),
            sorted(country_name(c) for c in codes),
            sorted(country_name(c) for c in codes if (c, code) not in funding),
            sorted((country_name(c), funding[(c, code)]) for c in codes if (c, code) in funding),
            sorted(country_name(c) for c in codes if (c, code) not in funding and (c, code) in asked),
        )
        for code, codes in found.items()
        if definition.indicator(code)
    ]
    return sorted(gaps, key=lambda g: (-len(g.unfunded), -len(g.countries), order[g.indicator.code]))


def fact_table(
    viewer: Any, data: RegionalData, rates: Rates
) -> tuple[list[IndicatorDef], list[tuple[str, list[str]]], list[str]]:
    """Fact indicators, a row per assessed member, and the currencies reported."""
    indicators = fact_indicators(data)
    values = services.fact_answers(viewer, data, [i.code for i in indicators])
    rows = [
        (
            country_name(c.alpha2),
            [format_fact_value(i, values.get(c.assessment_id, {}).get(i.code), rates) for i in indicators],
        )
        for c in sorted(data.countries, key=lambda c: country_name(c.alpha2))
    ]
    currencies = sorted(
        {v.columns["currency"] for a in values.values() for v in a.values() if v.columns.get("currency")}
    )
    return indicators, rows, currencies
