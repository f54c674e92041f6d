"""Turning a region's released scores into the dashboard's panels: figure + table + CSV data.

Each panel's table holds exactly the data its chart draws; the CSV download writes that table.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import g
from flask_babel import gettext as _

from survey.assessments.charts import RadarSeries, radar_figure
from survey.countries.services import read_un_states
from survey.dashboards import charts
from survey.dashboards.charts import Labels, Line, MapCount, MapPoint
from survey.dashboards.geo import marker_position
from survey.dashboards.services import BadParameter, CountryScore, RegionalData, TrendPoint, median
from survey.frameworks.labels import STAGE_NAMES, stage_name
from survey.i18n.locale import country_name
from survey.regions.services import RegionInfo

MAX_CHOSEN = 3
PANELS = ("heatmap", "ranking", "radar", "distribution", "trend", "map", "funding", "coverage")
UNFUNDED_COLOUR, FUNDED_COLOUR = "#c0652a", "#1f5f8b"


def stage_label(stage: int | None) -> str:
    """A stage name, translated once per request (gettext is slow in loops over every cell)."""
    memo = g.setdefault("dashboard_stage_names", {})
    if stage not in memo:
        memo[stage] = stage_name(stage)
    return memo[stage]


def country_label(alpha2: str) -> str:
    """A country name from CLDR, looked up once per request."""
    memo = g.setdefault("dashboard_country_names", {})
    if alpha2 not in memo:
        memo[alpha2] = country_name(alpha2)
    return memo[alpha2]


@dataclass(frozen=True)
class Scored:
    """A table cell holding a score and its stage name (two columns in CSV)."""

    score: float | None
    stage: str


@dataclass(frozen=True)
class Table:
    """Column headers and rows of raw values (str, float, int, None or Scored)."""

    headers: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Panel:
    """One chart with its equivalent table."""

    key: str
    title: str
    figure: dict | None
    table: Table
    note: str = ""


@dataclass(frozen=True)
class Funding:
    """The region's gaps and what funds them: planned or running projects the reader may see."""

    gaps: dict[str, list[str]] = field(default_factory=dict)  # indicator code: members below Established
    funded: frozenset[tuple[str, str]] = frozenset()  # (member, indicator code) a project works on
    projects: dict[str, int] = field(default_factory=dict)  # member: planned or running projects


@dataclass
class Dashboard:
    """Headline figures and panels of a region in a cycle."""

    data: RegionalData
    pillars: list[tuple[str, str]]
    chosen: list[str]
    sort: str
    panels: dict[str, Panel] = field(default_factory=dict)

    @property
    def headline(self) -> dict:
        """Members, assessed members, median and range of overall scores."""
        scores = self.data.overall_scores
        return {
            "members": len(self.data.members),
            "assessed": len(self.data.countries),
            "median": median(scores),
            "minimum": min(scores, default=None),
            "maximum": max(scores, default=None),
        }


def pillar_titles(data: RegionalData) -> list[tuple[str, str]]:
    """(code, translated title) of the framework version's pillars."""
    return [(p.code, _(p.title)) for p in data.version.definition.pillars]


def check_sort(sort: str | None, pillars: Sequence[tuple[str, str]]) -> str:
    """'overall' or a pillar code; anything else is a bad parameter."""
    sort = sort or "overall"
    if sort != "overall" and sort not in {code for code, _title in pillars}:
        raise BadParameter("sort")
    return sort


def check_chosen(codes: Sequence[str], data: RegionalData) -> list[str]:
    """Up to three assessed members of the region, in the order given."""
    chosen = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    if len(chosen) > MAX_CHOSEN:
        raise BadParameter("too-many")
    assessed = data.by_code()
    if any(code not in assessed for code in chosen):
        raise BadParameter("country")
    return chosen


def _sorted(countries: list[CountryScore], sort: str) -> list[CountryScore]:
    def key(country: CountryScore) -> tuple:
        value = country.overall if sort == "overall" else country.pillars.get(sort, (None, None))[0]
        return (value is None, -(value or 0), country_label(country.alpha2))

    return sorted(countries, key=key)


def heatmap_panel(board: Dashboard, rtl: bool) -> Panel:
    """Countries x pillars, sortable by overall or a pillar."""
    rows = _sorted(board.data.countries, board.sort)
    names = [country_label(c.alpha2) for c in rows]
    titles = [title for _code, title in board.pillars]
    cells = [[Scored(*_pillar(c, code)) for code, _title in board.pillars] for c in rows]
    figure = charts.heatmap_figure(
        names,
        titles,
        [[cell.score for cell in row] for row in cells],
        [[cell.stage for cell in row] for row in cells],
        Labels(
            _("Pillar scores by country"),
            x=_("Score"),
            hover=_(
                "%(country)s, %(pillar)s: %(score)s (%(stage)s)",
                country="%{y}",
                pillar="%{x}",
                score="%{z:.0f}",
                stage="%{text}",
            ),
        ),
        rtl,
    )
    table = Table(
        [_("Country"), _("Overall score"), *titles],
        [
            [name, Scored(c.overall, stage_label(c.stage)), *row]
            for name, c, row in zip(names, rows, cells, strict=True)
        ],
    )
    return Panel("heatmap", _("Pillar scores by country"), figure if rows else None, table)


def _pillar(country: CountryScore, code: str) -> tuple[float | None, str]:
    score, stage = country.pillars.get(code, (None, None))
    return score, stage_label(stage)


def ranking_panel(board: Dashboard, rtl: bool) -> Panel:
    """Overall scores, best first."""
    rows = [c for c in _sorted(board.data.countries, "overall") if c.overall is not None]
    names = [country_label(c.alpha2) for c in rows]
    stages = [stage_label(c.stage) for c in rows]
    figure = charts.ranking_figure(
        names,
        [c.overall for c in rows if c.overall is not None],  # all of them: rows are the scored ones
        stages,
        Labels(
            _("Overall score ranking"),
            x=_("Overall score (0-100)"),
            hover=_(
                "%(country)s: %(score)s (%(stage)s)",
                country="%{y}",
                score="%{x:.0f}",
                stage="%{text}",
            ),
        ),
        rtl,
    )
    table = Table(
        [
            _("Rank"),
            _("Country"),
            _("Overall score"),
            _("Stage"),
            _("Indicators scored"),
            _("Indicators that can be scored"),
        ],
        [
            [i, n, c.overall, s, c.scored, c.total]
            for i, (n, c, s) in enumerate(zip(names, rows, stages, strict=True), 1)
        ],
    )
    return Panel("ranking", _("Overall score ranking"), figure if rows else None, table)


def radar_panel(board: Dashboard, rtl: bool) -> Panel:
    """The regional median per pillar against up to three chosen countries."""
    assessed = board.data.by_code()
    medians = tuple(
        median(c.pillars.get(code, (None,))[0] for c in board.data.countries) for code, _title in board.pillars
    )
    series = [RadarSeries(_("Regional median"), medians)]
    series += [
        RadarSeries(
            country_label(code),
            tuple(assessed[code].pillars.get(p, (None,))[0] for p, _title in board.pillars),
        )
        for code in board.chosen
    ]
    titles = [title for _code, title in board.pillars]
    figure = radar_figure(
        titles,
        series,
        [str(s) for s in STAGE_NAMES.values()],
        _("Regional median and chosen countries by pillar"),
        rtl=rtl,
    )
    table = Table(
        [_("Pillar"), *(s.name for s in series)],
        [[title, *(s.scores[i] for s in series)] for i, title in enumerate(titles)],
    )
    return Panel(
        "radar",
        _("Regional median and chosen countries by pillar"),
        figure if board.data.countries else None,
        table,
    )


def distribution_panel(board: Dashboard, rtl: bool) -> Panel:
    """Every country's score per pillar, as boxes with points."""
    values, names, rows = [], [], []
    for code, title in board.pillars:
        scored = [
            (country_label(c.alpha2), score)
            for c in board.data.countries
            if (score := c.pillars.get(code, (None,))[0]) is not None
        ]
        values.append([s for _n, s in scored])
        names.append([n for n, _s in scored])
        rows += [[title, n, s] for n, s in sorted(scored)]
    figure = charts.box_figure(
        [t for _c, t in board.pillars],
        values,
        names,
        Labels(
            _("Distribution of pillar scores"),
            y=_("Score (0-100)"),
            hover=_("%(country)s: %(score)s", country="%{text}", score="%{y:.0f}"),
        ),
        rtl,
    )
    return Panel(
        "distribution",
        _("Distribution of pillar scores"),
        figure if rows else None,
        Table([_("Pillar"), _("Country"), _("Score")], rows),
    )


def trend_lines(
    region: RegionInfo,
    points: Sequence[TrendPoint],
    chosen: Sequence[str],
    versions: dict[int, str],
) -> list[tuple[str, str, int, list[tuple[int, float | None]]]]:
    """(series name, version label, version id, [(year, score)]) for the median and each chosen country.

    The median of a year only counts that year's members; each framework version is its own line.
    """
    by_year_version: dict[tuple[int, int], list[float]] = defaultdict(list)
    own: dict[tuple[str, int], list[tuple[int, float | None]]] = defaultdict(list)
    members = {year: set(region.members(year)) for year in {p.year for p in points}}
    for point in points:
        if point.alpha2 in members[point.year] and point.overall is not None:
            by_year_version[(point.year, point.version_id)].append(point.overall)
        if point.alpha2 in chosen:
            own[(point.alpha2, point.version_id)].append((point.year, point.overall))
    lines: list[tuple[str, str, int, list[tuple[int, float | None]]]] = []
    for version_id in sorted({v for _y, v in by_year_version}):
        years = sorted(y for y, v in by_year_version if v == version_id)
        lines.append(
            (
                _("Regional median"),
                versions.get(version_id, "?"),
                version_id,
                [(y, statistics.median(by_year_version[(y, version_id)])) for y in years],
            )
        )
    for code in chosen:
        for (alpha2, version_id), series in sorted(own.items()):
            if alpha2 == code:
                by_year = sorted(series, key=lambda point: point[0])
                lines.append((country_label(code), versions.get(version_id, "?"), version_id, by_year))
    return lines


def trend_panel(board: Dashboard, points: Sequence[TrendPoint], versions: dict[int, str], rtl: bool) -> Panel:
    """Regional median and chosen countries across cycles, one line per framework version."""
    lines = trend_lines(board.data.region, points, board.chosen, versions)
    several = len({v for _n, _l, v, _s in lines}) > 1
    figure = charts.trend_figure(
        [
            Line(
                f"{name} ({label})" if several else name,
                tuple(y for y, _s in series),
                tuple(s for _y, s in series),
                dashed=index > 0 and name == _("Regional median"),
            )
            for index, (name, label, _v, series) in enumerate(lines)
        ],
        Labels(
            _("Overall score across cycles"),
            x=_("Cycle"),
            y=_("Overall score (0-100)"),
            hover=_("%(year)s: %(score)s", year="%{x}", score="%{y:.0f}"),
        ),
        rtl,
    )
    rows = [[name, label, year, score] for name, label, _v, series in lines for year, score in series]
    return Panel(
        "trend",
        _("Overall score across cycles"),
        figure if rows else None,
        Table([_("Series"), _("Framework version"), _("Cycle"), _("Overall score")], rows),
        note=_("Each framework version has its own line: scores of different versions are not compared."),
    )


def map_panel(board: Dashboard, rtl: bool) -> Panel:
    """Overall scores on a map; small states as markers."""
    scope = board.data.region.map_scope
    points = [
        MapPoint(
            c.alpha3,
            country_label(c.alpha2),
            c.overall,
            stage_label(c.stage),
            marker_position(c.alpha3, scope),
        )
        for c in _sorted(board.data.countries, "overall")
        if c.overall is not None
    ]
    figure = charts.map_figure(
        points,
        scope,
        Labels(
            _("Map of overall scores"),
            x=_("Score"),
            hover=_(
                "%(country)s: %(score)s (%(stage)s)",
                country="%{text}",
                score="%{customdata[1]}",
                stage="%{customdata[0]}",
            ),
        ),
        rtl,
    )
    rows = [[p.name, p.alpha3, p.score, p.stage, _("Marker") if p.marker else _("Shape")] for p in points]
    return Panel(
        "map",
        _("Map of overall scores"),
        figure if rows else None,
        Table([_("Country"), _("ISO code"), _("Overall score"), _("Stage"), _("Shown as")], rows),
        note=_("Small island states are too small for the base map and are shown as circles."),
    )


def _gap_hover() -> str:
    return _("%(category)s, gaps: %(n)s", category="%{x}", n="%{y}")


def funding_panel(board: Dashboard, funding: Funding, rtl: bool) -> Panel:
    """Per pillar, the gaps (a member below Established on an indicator) no project funds, and those one does."""
    definition = board.data.version.definition
    counts: dict[str, list[int]] = {code: [0, 0] for code, _title in board.pillars}
    for code, members in funding.gaps.items():
        indicator = definition.indicator(code)
        if indicator is None or indicator.pillar_code not in counts:
            continue
        for member in members:
            counts[indicator.pillar_code][(member, code) in funding.funded] += 1
    titles = [title for _code, title in board.pillars]
    unfunded = tuple(counts[code][0] for code, _title in board.pillars)
    funded = tuple(counts[code][1] for code, _title in board.pillars)
    figure = charts.stacked_bar_figure(
        titles,
        [
            charts.Stack(_("Gaps without a project"), unfunded, UNFUNDED_COLOUR),
            charts.Stack(_("Gaps with a planned or running project"), funded, FUNDED_COLOUR),
        ],
        Labels(_("Funded and unfunded gaps by pillar"), y=_("Gaps (member and indicator)"), hover=_gap_hover()),
        rtl,
    )
    rows = [[title, u, f] for title, u, f in zip(titles, unfunded, funded, strict=True)]
    return Panel(
        "funding",
        _("Funded and unfunded gaps by pillar"),
        figure if any(unfunded) or any(funded) else None,
        Table([_("Pillar"), _("Gaps without a project"), _("Gaps with a planned or running project")], rows),
        note=_(
            "A gap is a member below Established on an indicator; a project on a whole pillar covers its indicators."
        ),
    )


@cache
def alpha3_codes() -> dict[str, str]:
    """Alpha-3 code of every country by alpha-2 (the map needs members without released results too)."""
    return {alpha2: alpha3 for alpha2, alpha3, _numeric in read_un_states()}


def coverage_panel(board: Dashboard, funding: Funding, rtl: bool) -> Panel:
    """Every member on a map, coloured by its planned or running projects; its gaps with and without one on hover.

    Members without released results are on the map too: projects do not wait for results.
    """
    gaps: dict[str, list[int]] = {c.alpha2: [0, 0] for c in board.data.countries}
    for code, members in funding.gaps.items():
        for member in members:
            if member in gaps:
                gaps[member][(member, code) in funding.funded] += 1
    scope = board.data.region.map_scope
    codes = alpha3_codes()
    members = [m for m in board.data.members if m in codes]
    members.sort(key=lambda m: (m not in gaps, -gaps.get(m, [0])[0], country_label(m)))
    points = [
        MapCount(
            codes[m],
            country_label(m),
            funding.projects.get(m, 0),
            tuple(str(n) for n in gaps[m]) if m in gaps else ("—", "—"),
            marker_position(codes[m], scope),
        )
        for m in members
    ]
    figure = charts.count_map_figure(
        points,
        scope,
        Labels(
            _("Map of project coverage"),
            x=_("Projects"),
            hover="<br>".join(
                (
                    "%{text}",
                    _("Planned or running projects: %(n)s", n="%{customdata[0]}"),
                    _("Gaps without a project: %(n)s", n="%{customdata[1]}"),
                    _("Gaps with a project: %(n)s", n="%{customdata[2]}"),
                )
            ),
        ),
        rtl,
    )
    rows = [
        [
            p.name,
            p.alpha3,
            p.count,
            *(gaps[m] if m in gaps else (None, None)),
            _("Marker") if p.marker else _("Shape"),
        ]
        for m, p in zip(members, points, strict=True)
    ]
    return Panel(
        "coverage",
        _("Map of project coverage"),
        figure if points else None,
        Table(
            [
                _("Country"),
                _("ISO code"),
                _("Planned or running projects"),
                _("Gaps without a project"),
                _("Gaps with a planned or running project"),
                _("Shown as"),
            ],
            rows,
        ),
        note=_(
            "Colour: the planned or running projects in each member. Members without released results have no "
            "gaps to count (a dash). Small island states are shown as circles."
        ),
    )


def build_dashboard(
    data: RegionalData,
    points: Sequence[TrendPoint],
    versions: dict[int, str],
    chosen: Sequence[str],
    sort: str | None,
    rtl: bool,
    funding: Funding | None = None,
) -> Dashboard:
    """Every panel of the regional dashboard."""
    pillars = pillar_titles(data)
    board = Dashboard(data, pillars, check_chosen(chosen, data), check_sort(sort, pillars))
    for panel in (
        heatmap_panel(board, rtl),
        ranking_panel(board, rtl),
        radar_panel(board, rtl),
        distribution_panel(board, rtl),
        trend_panel(board, points, versions, rtl),
        map_panel(board, rtl),
        funding_panel(board, funding or Funding(), rtl),
        coverage_panel(board, funding or Funding(), rtl),
    ):
        board.panels[panel.key] = panel
    return board
