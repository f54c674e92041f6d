"""Reading released scores of a region's members from stored scores, in a fixed number of queries.

Every query here filters with `released_condition(viewer)`: a dashboard, an export or an API
answer never holds an assessment the viewer may not read.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from survey.assessments.models import Answer, AnswerState, Assessment, Cycle, PillarScore
from survey.countries.models import Country
from survey.extensions import db
from survey.frameworks.models import FrameworkVersion, Indicator
from survey.publication.rules import released_condition
from survey.questions import COLUMNS, StoredAnswer, stored
from survey.regions.services import RegionInfo, get_region

ESTABLISHED = 3  # a level below this is a gap in the needs view


class BadParameter(ValueError):
    """A parameter the reader (or a tampered link) got wrong; views show it translated.

    `kind` names what was wrong (e.g. "region", "cycle", "version"), `status` the HTTP code.
    """

    def __init__(self, kind: str, status: int = 400):
        """Name what was wrong and the HTTP status to answer with."""
        super().__init__(kind)
        self.kind, self.status = kind, status


@dataclass(frozen=True)
class CountryScore:
    """One member's released assessment in the chosen cycle and framework version."""

    alpha2: str
    alpha3: str
    assessment_id: int
    overall: float | None
    stage: int | None
    visibility: str
    is_demo: bool
    pillars: dict[str, tuple[float | None, int | None]] = field(default_factory=dict)
    scored: int | None = None  # maturity indicators the overall score rests on
    total: int | None = None  # of this many


@dataclass(frozen=True)
class TrendPoint:
    """A released overall score of one country in one cycle, with its framework version."""

    year: int
    version_id: int
    alpha2: str
    overall: float | None


@dataclass(frozen=True)
class RegionalData:
    """What every view of a region in a cycle is built from."""

    region: RegionInfo
    year: int
    version: FrameworkVersion
    members: list[str]
    countries: list[CountryScore]

    @property
    def overall_scores(self) -> list[float]:
        """Overall scores of the assessed members that have one."""
        return [c.overall for c in self.countries if c.overall is not None]

    def by_code(self) -> dict[str, CountryScore]:
        """The assessed members keyed by alpha-2 code."""
        return {c.alpha2: c for c in self.countries}


def median(values: Iterable[float | None]) -> float | None:
    """The median of the known values, or None when there is none."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def find_cycle(year: int) -> Cycle:
    """The cycle of this year (404 when there is none)."""
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.year == year))
    if cycle is None:
        raise BadParameter("cycle", 404)
    return cycle


def find_region(code: str) -> RegionInfo:
    """The region with this code (404 when there is none)."""
    region = get_region(code)
    if region is None:
        raise BadParameter("region", 404)
    return region


def find_version(raw: str | None, cycle: Cycle) -> FrameworkVersion:
    """The framework version named by ?version= (an id), by default the cycle's."""
    if raw in (None, ""):
        return cycle.framework_version
    if not re.fullmatch(r"[0-9]{1,9}", str(raw)):  # ASCII digits that fit a database integer
        raise BadParameter("version")
    version = db.session.get(FrameworkVersion, int(raw))
    if version is None:
        raise BadParameter("version")
    return version


def cycle_years() -> list[int]:
    """Every cycle year, newest first."""
    return list(db.session.scalars(sa.select(Cycle.year).order_by(Cycle.year.desc())))


def framework_versions() -> list[FrameworkVersion]:
    """Every framework version, oldest first."""
    return list(db.session.scalars(sa.select(FrameworkVersion).order_by(FrameworkVersion.id)))


def _released(viewer: Any, cycle_id: int, version_id: int, members: list[str]) -> list[Any]:
    return [
        released_condition(viewer),
        Assessment.cycle_id == cycle_id,
        Assessment.framework_version_id == version_id,
        Country.alpha2.in_(members),
    ]


def regional_data(viewer: Any, region: RegionInfo, cycle: Cycle, version: FrameworkVersion) -> RegionalData:
    """Released overall and pillar scores of the region's members in a cycle: two queries."""
    members = region.members(cycle.year)
    where = _released(viewer, cycle.id, version.id, members)
    rows = db.session.execute(
        sa.select(
            Assessment.id,
            Country.alpha2,
            Country.alpha3,
            Assessment.overall_score,
            Assessment.overall_stage,
            Assessment.visibility,
            Assessment.is_demo,
            Assessment.overall_scored,
            Assessment.overall_total,
        )
        .join(Country, Assessment.country_id == Country.id)
        .where(*where)
    ).all()
    pillars: dict[int, dict[str, tuple]] = defaultdict(dict)
    for row in db.session.execute(
        sa.select(PillarScore.assessment_id, PillarScore.pillar_code, PillarScore.score, PillarScore.stage)
        .join(Assessment, PillarScore.assessment_id == Assessment.id)
        .join(Country, Assessment.country_id == Country.id)
        .where(*where)
    ):
        pillars[row.assessment_id][row.pillar_code] = (row.score, row.stage)
    countries = [
        CountryScore(
            r.alpha2,
            r.alpha3,
            r.id,
            r.overall_score,
            r.overall_stage,
            r.visibility,
            r.is_demo,
            pillars.get(r.id, {}),
            r.overall_scored,
            r.overall_total,
        )
        for r in rows
    ]
    countries.sort(key=lambda c: (-(c.overall if c.overall is not None else -1), c.alpha2))
    return RegionalData(region, cycle.year, version, members, countries)


def trend_points(viewer: Any, region: RegionInfo, countries: Iterable[str] = ()) -> list[TrendPoint]:
    """Released overall scores of everyone who was ever a member, over every cycle: one query.

    Callers keep, for each year, only the members of that year (see RegionInfo.members).
    """
    codes = sorted({p.country for p in region.periods} | set(countries))
    rows = db.session.execute(
        sa.select(Cycle.year, Assessment.framework_version_id, Country.alpha2, Assessment.overall_score)
        .join(Cycle, Assessment.cycle_id == Cycle.id)
        .join(Country, Assessment.country_id == Country.id)
        .where(released_condition(viewer), Country.alpha2.in_(codes))
        .order_by(Cycle.year)
    ).all()
    return [TrendPoint(*row) for row in rows]


def gaps(viewer: Any, data: RegionalData) -> dict[str, list[str]]:
    """Members below Established per maturity indicator code: one query."""
    rows = db.session.execute(
        sa.select(Indicator.code, Country.alpha2)
        .join(Answer, Answer.indicator_id == Indicator.id)
        .join(Assessment, Answer.assessment_id == Assessment.id)
        .join(Country, Assessment.country_id == Country.id)
        .where(
            *_released(viewer, _cycle_id(data), data.version.id, data.members),
            Indicator.kind == "maturity",
            Answer.state == AnswerState.LEVEL,
            Answer.level < ESTABLISHED,
        )
        .order_by(Indicator.position, Country.alpha2)
    ).all()
    found: dict[str, list[str]] = defaultdict(list)
    for code, alpha2 in rows:
        found[code].append(alpha2)
    return dict(found)


def fact_answers(viewer: Any, data: RegionalData, codes: list[str] | None = None) -> dict[int, dict[str, StoredAnswer]]:
    """Fact answers per assessment id and indicator code (all facts, or these codes): one query."""
    query = (
        sa.select(
            Answer.assessment_id,
            Indicator.code,
            Answer.state,
            *(getattr(Answer, column) for column in COLUMNS),
        )
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .join(Assessment, Answer.assessment_id == Assessment.id)
        .join(Country, Assessment.country_id == Country.id)
        .where(
            *_released(viewer, _cycle_id(data), data.version.id, data.members),
            Indicator.kind == "fact",
        )
    )
    if codes is not None:
        query = query.where(Indicator.code.in_(codes))
    found: dict[int, dict[str, StoredAnswer]] = defaultdict(dict)
    for row in db.session.execute(query):
        found[row.assessment_id][row.code] = stored(row)
    return dict(found)


def indicator_levels(viewer: Any, data: RegionalData) -> dict[int, dict[str, tuple[str | None, int | None]]]:
    """Maturity answers (state, level) per assessment id and indicator code: one query."""
    rows = db.session.execute(
        sa.select(Answer.assessment_id, Indicator.code, Answer.state, Answer.level)
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .join(Assessment, Answer.assessment_id == Assessment.id)
        .join(Country, Assessment.country_id == Country.id)
        .where(
            *_released(viewer, _cycle_id(data), data.version.id, data.members),
            Indicator.kind == "maturity",
        )
    ).all()
    found: dict[int, dict[str, tuple]] = defaultdict(dict)
    for assessment_id, code, state, level in rows:
        found[assessment_id][code] = (state, level)
    return dict(found)


def _cycle_id(data: RegionalData) -> Any:
    # A scalar subquery keeps the callers to one statement each.
    return sa.select(Cycle.id).where(Cycle.year == data.year).scalar_subquery()
