"""A country's profile: released scores over cycles against the median of each of its regions."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from survey.assessments import services as assessment_services
from survey.assessments.models import Assessment, Cycle
from survey.assessments.results import format_fact
from survey.countries.models import Country
from survey.dashboards.charts import Labels, Line, trend_figure
from survey.dashboards.services import BadParameter
from survey.extensions import db
from survey.frameworks.labels import stage_name
from survey.frameworks.models import FrameworkVersion
from survey.i18n.locale import country_name, text_direction
from survey.projects import services as project_services
from survey.publication.rules import released_condition
from survey.regions.services import RegionInfo, regions_of_country


def find_country(alpha2: str) -> Country:
    """The country with this alpha-2 code (404 otherwise)."""
    country = db.session.scalar(sa.select(Country).where(Country.alpha2 == alpha2.upper()))
    if country is None:
        raise BadParameter("country-profile", 404)
    return country


def visible_assessments(viewer: Any, country: Country) -> list[Assessment]:
    """The country's assessments this viewer may read, oldest cycle first."""
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .join(Cycle, Assessment.cycle_id == Cycle.id)
            .where(released_condition(viewer), Assessment.country_id == country.id)
            .order_by(Cycle.year)
        )
    )


class MemberSets:
    """Each region's members in a year, worked out once per (region, year) rather than once per row."""

    def __init__(self, regions: list[RegionInfo]):
        """Nothing worked out yet."""
        self._sets: dict[tuple[str, int], frozenset[str]] = {}

    def of(self, region: RegionInfo, year: int) -> frozenset[str]:
        """Alpha-2 codes of the region's members in a cycle year."""
        key = (region.code, year)
        if key not in self._sets:
            self._sets[key] = frozenset(region.members(year))
        return self._sets[key]


def regional_medians(
    viewer: Any, country: Country, regions: list[RegionInfo], members: MemberSets | None = None
) -> dict[tuple[str, int, int], float]:
    """Median overall score per (region, year, version) over the years the country was a member."""
    codes = sorted({p.country for r in regions for p in r.periods})
    rows = db.session.execute(
        sa.select(Cycle.year, Assessment.framework_version_id, Country.alpha2, Assessment.overall_score)
        .join(Cycle, Assessment.cycle_id == Cycle.id)
        .join(Country, Assessment.country_id == Country.id)
        .where(
            released_condition(viewer),
            Country.alpha2.in_(codes),
            Assessment.overall_score.is_not(None),
        )
    ).all()
    members = members or MemberSets(regions)
    shared: dict[int, list[tuple[str, frozenset[str]]]] = {}  # year: the country's regions and their members
    scores: dict[tuple[str, int, int], list[float]] = defaultdict(list)
    for year, version_id, alpha2, score in rows:
        if score is None:  # not scored: nothing to take the median of
            continue
        if year not in shared:
            shared[year] = [(r.code, members.of(r, year)) for r in regions if country.alpha2 in members.of(r, year)]
        for code, member_codes in shared[year]:
            if alpha2 in member_codes:
                scores[(code, year, version_id)].append(score)
    return {key: statistics.median(values) for key, values in scores.items()}


def build_profile(viewer: Any, country: Country) -> dict:
    """Everything the profile page shows."""
    assessments = visible_assessments(viewer, country)
    regions = regions_of_country(country.alpha2)
    members = MemberSets(regions)
    medians = regional_medians(viewer, country, regions, members) if assessments else {}
    labels = {v.id: v.display_name for v in db.session.scalars(sa.select(FrameworkVersion))}
    history = [
        {
            "year": a.cycle.year,
            "version": labels[a.framework_version_id],
            "score": a.overall_score,
            "stage": stage_name(a.overall_stage),
            "scored": a.overall_scored,
            "total": a.overall_total,
            "release": a.visibility,
            "medians": [
                (r.short_title, medians.get((r.code, a.cycle.year, a.framework_version_id)))
                for r in regions
                if country.alpha2 in members.of(r, a.cycle.year)
            ],
        }
        for a in assessments
    ]
    latest = assessments[-1] if assessments else None
    projects = project_services.visible_projects(viewer, [country.alpha2])
    definition = latest.framework_version.definition if latest else project_services.latest_definition()
    return {
        "country": country,
        "projects": projects,
        "overlaps": project_services.overlaps(projects, definition) if definition else {},
        "history": history,
        "latest": latest,
        "figure": _figure(country, assessments, regions, medians, labels) if assessments else None,
        "regions": [r for r in regions if latest and country.alpha2 in members.of(r, latest.cycle.year)],
        **(_details(latest) if latest else {}),
    }


def _figure(
    country: Country,
    assessments: list[Assessment],
    regions: list[RegionInfo],
    medians: dict,
    labels: dict[int, str],
) -> dict:
    lines = []
    for version_id in sorted({a.framework_version_id for a in assessments}):
        mine = [a for a in assessments if a.framework_version_id == version_id]
        suffix = f" ({labels[version_id]})" if len(labels) > 1 else ""
        lines.append(
            Line(
                country_name(country.alpha2) + suffix,
                tuple(a.cycle.year for a in mine),
                tuple(a.overall_score for a in mine),
            )
        )
        for region in regions:
            points = sorted((y, m) for (code, y, v), m in medians.items() if code == region.code and v == version_id)
            if points:
                lines.append(
                    Line(
                        _("Median of %(region)s", region=region.short_title) + suffix,
                        tuple(y for y, _m in points),
                        tuple(m for _y, m in points),
                        dashed=True,
                    )
                )
    return trend_figure(
        lines,
        Labels(
            _("Overall score across cycles"),
            x=_("Cycle"),
            y=_("Overall score (0-100)"),
            hover=_("%(year)s: %(score)s", year="%{x}", score="%{y:.0f}"),
        ),
        rtl=text_direction() == "rtl",
    )


def _details(assessment: Assessment) -> dict:
    definition = assessment.framework_version.definition
    inputs = assessment_services.scoring_inputs(assessment)
    answers = assessment_services.answers_by_code(assessment)
    scored = [(p.code, i) for p in inputs for i in p.indicators if i.is_scored]
    strengths = sorted(scored, key=lambda item: (-(item[1].level or 0), -item[1].weight))[:5]
    evidence = [
        (definition.indicator(code), url)
        for code, answer in answers.items()
        for url in (answer.evidence_urls or "").split()
        if url.startswith(("https://", "http://"))
    ]
    stored = assessment_services.stored_pillar_scores(assessment)
    return {
        "definition": definition,
        "pillar_scores": [(_(p.title), stored.get(p.code)) for p in definition.pillars],
        "strengths": [(definition.indicator(i.code), i.level) for _p, i in strengths if (i.level or 0) >= 3],
        "priorities": [(definition.indicator(p.code), p) for p in assessment_services.priorities(assessment, inputs)],
        "facts": [(i, format_fact(i, a)) for i, a in assessment_services.facts(definition, answers)],
        "evidence": evidence,
    }
