"""The open-data table of a region in a cycle (one row per released assessment), and the needs view's table."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from survey.dashboards import services
from survey.dashboards.details import Evidence, evidence_of
from survey.dashboards.needs import fact_indicators
from survey.dashboards.services import ESTABLISHED, RegionalData
from survey.frameworks.definition import FrameworkDef, IndicatorDef
from survey.frameworks.labels import stage_name
from survey.i18n.formats import format_date
from survey.i18n.locale import country_name
from survey.plans.labels import funding_label
from survey.plans.services import actions_by_assessment, json_action
from survey.publication.rules import Visibility
from survey.questions import LEVEL, StoredAnswer, json_answer, question_type, table_cells, table_headers


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
    every = list(definition.all_indicators())
    evidence = evidence_of([c.assessment_id for c in data.countries])
    for indicator in every:
        headers += [
            _("Evidence links: %(code)s", code=indicator.code),
            _("Evidence files: %(code)s", code=indicator.code),
        ]
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
                *evidence_cells(every, evidence.get(country.assessment_id, {})),
            ]
        )
    return headers, rows


def evidence_cells(indicators: list[IndicatorDef], found: dict[str, Evidence]) -> list[str | None]:
    """Two cells per indicator: its links, one per line, and its files (public ones with their address)."""
    cells: list[str | None] = []
    for indicator in indicators:
        evidence = found.get(indicator.code, Evidence())
        cells.append("\n".join(evidence.links) or None)
        cells.append("\n".join(_file_text(f.name, f.public, f.url) for f in evidence.files) or None)
    return cells


def _file_text(name: str, public: bool, url: str | None) -> str:
    if url:
        return f"{name} <{url}>"
    # i18n: an evidence file the country marked public, in a list of file names
    return _("%(name)s (public)", name=name) if public else name


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
    fact_answers = services.fact_answers(viewer, data)
    evidence = evidence_of(list(by_country.values()))
    plans = actions_by_assessment(by_country.values())
    for country in export["countries"]:
        assessment_id = by_country[country["country"]]
        country["actions"] = [json_action(action) for action in plans.get(assessment_id, [])]
        country["indicators"] = {
            code: {"state": state, "level": level}
            for code, (state, level) in sorted(levels.get(assessment_id, {}).items())
        }
        country["facts"] = facts_json(data.version.definition, fact_answers.get(assessment_id, {}))
        country["evidence"] = evidence_json(evidence.get(assessment_id, {}))
    return export


def facts_json(definition: FrameworkDef, given: dict[str, StoredAnswer]) -> dict[str, dict]:
    """Every fact of the framework by code: its type, state and value (with currency or unit), null when unanswered."""
    facts = sorted((i for i in definition.all_indicators() if not i.is_maturity), key=lambda i: i.code)
    return {fact.code: {"type": question_type(fact).name, **json_answer(fact, given.get(fact.code))} for fact in facts}


def evidence_json(found: dict[str, Evidence]) -> dict[str, dict]:
    """Evidence by indicator code (only indicators with some): links, and files with their public flag."""
    return {
        code: {
            "links": list(evidence.links),
            "files": [{"name": f.name, "public": f.public, "url": f.url} for f in evidence.files],
        }
        for code, evidence in sorted(found.items())
    }


def needs_table(viewer: Any, data: RegionalData) -> tuple[list[str], list[list[Any]]]:
    """The needs view as a table: a row per gap (an indicator and a member below Established) with its facts.

    Most common gaps first, as on the page; each row carries the member's budget and staffing facts.
    """
    definition = data.version.definition
    levels = services.indicator_levels(viewer, data)
    indicators = fact_indicators(data)
    facts = services.fact_answers(viewer, data, [i.code for i in indicators])
    by_id = {c.assessment_id: c.alpha2 for c in data.countries}
    below: dict[str, list[tuple[str, int, int]]] = {}
    for assessment_id, answers in levels.items():
        for code, (state, level) in answers.items():
            if state == LEVEL and level is not None and level < ESTABLISHED and definition.indicator(code):
                below.setdefault(code, []).append((by_id[assessment_id], level, assessment_id))
    order = {i.code: n for n, i in enumerate(definition.all_indicators())}
    headers = [
        _("Pillar"),
        _("Indicator code"),
        _("Indicator"),
        _("Members below Established"),
        _("ISO code"),
        _("Country"),
        _("Level (1-5)"),
    ]
    for fact in indicators:
        headers += table_headers(fact, _("Fact: %(code)s %(indicator)s", code=fact.code, indicator=_(fact.title)))
    rows = []
    for code in sorted(below, key=lambda c: (-len(below[c]), order[c])):
        indicator = definition.known_indicator(code)
        pillar = _(definition.known_pillar(indicator.pillar_code).title)
        for alpha2, level, assessment_id in sorted(below[code]):
            given = facts.get(assessment_id, {})
            rows.append(
                [
                    pillar,
                    code,
                    _(indicator.title),
                    len(below[code]),
                    alpha2,
                    country_name(alpha2),
                    level,
                    *(cell for fact in indicators for cell in table_cells(fact, given.get(fact.code))),
                ]
            )
    return headers, rows


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
