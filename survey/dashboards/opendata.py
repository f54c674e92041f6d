"""The open-data table of a region in a cycle: one row per released assessment."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from survey.dashboards import services
from survey.dashboards.services import RegionalData
from survey.frameworks.labels import stage_name
from survey.i18n.formats import format_date
from survey.i18n.locale import country_name
from survey.plans.labels import funding_label
from survey.plans.services import actions_by_assessment, json_action
from survey.publication.rules import Visibility
from survey.questions import StoredAnswer, json_answer, table_cells, table_headers


def release_label(visibility: str) -> str:
    """The release level in the reader's language."""
    labels: dict[str, str] = {Visibility.PUBLIC: _("Public"), Visibility.DONORS: _("Donors")}
    return labels.get(visibility, visibility)


def export_table(viewer: Any, data: RegionalData) -> tuple[list[str], list[list[Any]]]:
    """Translated headers and rows: scores, indicator levels and facts, with version and release."""
    definition = data.version.definition
    indicators = [i for i in definition.all_indicators() if i.is_maturity]
    facts = [i for i in definition.all_indicators() if not i.is_maturity]
    levels = services.indicator_levels(viewer, data)
    fact_answers = services.fact_answers(viewer, data)
    headers = [
        _("ISO code"),
        _("Country"),
        _("Cycle"),
        _("Framework version"),
        _("Release level"),
        _("Demo data"),
        _("Overall score"),
        _("Overall stage"),
        _("Indicators scored"),
        _("Indicators that can be scored"),
    ]
    headers += [_("Pillar score: %(pillar)s", pillar=_(p.title)) for p in definition.pillars]
    headers += [_("Level (1-5): %(code)s %(indicator)s", code=i.code, indicator=_(i.title)) for i in indicators]
    for fact in facts:
        headers += table_headers(fact, _("Fact: %(code)s %(indicator)s", code=fact.code, indicator=_(fact.title)))
    rows = []
    for country in sorted(data.countries, key=lambda c: c.alpha2):
        answers = levels.get(country.assessment_id, {})
        given = fact_answers.get(country.assessment_id, {})
        rows.append(
            [
                country.alpha2,
                country_name(country.alpha2),
                data.year,
                data.version.label,
                release_label(country.visibility),
                _("Yes") if country.is_demo else _("No"),
                country.overall,
                stage_name(country.stage),
                country.scored,
                country.total,
                *(country.pillars.get(p.code, (None,))[0] for p in definition.pillars),
                *(cell for i in indicators for cell in table_cells(i, _level(answers.get(i.code)))),
                *(cell for fact in facts for cell in table_cells(fact, given.get(fact.code))),
            ]
        )
    return headers, rows


def _level(answer: tuple[str | None, int | None] | None) -> StoredAnswer | None:
    return None if answer is None else StoredAnswer(answer[0], {"level": answer[1]})


def region_json(data: RegionalData) -> dict:
    """A region's released scores in a cycle with stable (untranslated) keys: the API's and the export's."""
    pillar_codes = [p.code for p in data.version.definition.pillars]
    return {
        "region": data.region.code,
        "cycle": data.year,
        "framework_version": data.version.label,
        "members": data.members,
        "countries": [
            {
                "country": c.alpha2,
                "release_level": c.visibility,
                "is_demo": c.is_demo,
                "overall_score": c.overall,
                "overall_stage": c.stage,
                "pillars": pillars_json(c.pillars, pillar_codes),
            }
            for c in sorted(data.countries, key=lambda c: c.alpha2)
        ],
    }


def pillars_json(pillars: dict[str, tuple], codes: list[str] | None = None) -> dict:
    """Pillar scores and stages by code (every pillar of `codes`, null where missing)."""
    return {
        code: dict(zip(("score", "stage"), pillars.get(code, (None, None)), strict=True))
        for code in (codes if codes is not None else sorted(pillars))
    }


def export_json(viewer: Any, data: RegionalData) -> dict:
    """Machine-readable export: the region's scores plus every released indicator level."""
    levels = services.indicator_levels(viewer, data)
    export = region_json(data)
    by_country = {c.alpha2: c.assessment_id for c in data.countries}
    facts = [i for i in data.version.definition.all_indicators() if not i.is_maturity]
    fact_answers = services.fact_answers(viewer, data)
    plans = actions_by_assessment(by_country.values())
    for country in export["countries"]:
        assessment_id = by_country[country["country"]]
        country["actions"] = [json_action(action) for action in plans.get(assessment_id, [])]
        country["indicators"] = {
            code: {"state": state, "level": level}
            for code, (state, level) in sorted(levels.get(assessment_id, {}).items())
        }
        given = fact_answers.get(assessment_id, {})
        country["facts"] = {
            fact.code: json_answer(fact, given.get(fact.code)) for fact in sorted(facts, key=lambda i: i.code)
        }
    return export


def plan_table(data: RegionalData) -> tuple[list[str], list[list[Any]]]:
    """Translated headers and one row per action of the released assessments' plans."""
    definition = data.version.definition
    headers = [
        _("ISO code"),
        _("Country"),
        _("Cycle"),
        _("Release level"),
        _("Demo data"),
        _("Indicator code"),
        _("Indicator"),
        _("Action"),
        _("Lead agency"),
        _("Target stage (1-5)"),
        _("Target stage"),
        _("Deadline"),
        _("Estimated cost"),
        _("Currency"),
        _("Funding"),
    ]
    countries = sorted(data.countries, key=lambda c: c.alpha2)
    plans = actions_by_assessment(c.assessment_id for c in countries)
    rows = []
    for country in countries:
        for action in plans.get(country.assessment_id, []):
            need = definition.indicator(action.indicator_code) if action.indicator_code else None
            rows.append(
                [
                    country.alpha2,
                    country_name(country.alpha2),
                    data.year,
                    release_label(country.visibility),
                    _("Yes") if country.is_demo else _("No"),
                    action.indicator_code,
                    _(need.title) if need else None,
                    action.what,
                    action.lead_agency,
                    action.target_stage,
                    stage_name(action.target_stage),
                    format_date(action.deadline, "short"),
                    action.cost,
                    action.currency,
                    funding_label(action.funding),
                ]
            )
    return headers, rows


def plan_json(data: RegionalData) -> dict:
    """The region's released action plans with stable keys, by country."""
    countries = sorted(data.countries, key=lambda c: c.alpha2)
    plans = actions_by_assessment(c.assessment_id for c in countries)
    return {
        "region": data.region.code,
        "cycle": data.year,
        "framework_version": data.version.label,
        "countries": [
            {
                "country": c.alpha2,
                "release_level": c.visibility,
                "is_demo": c.is_demo,
                "actions": [json_action(action) for action in plans.get(c.assessment_id, [])],
            }
            for c in countries
        ],
    }
