"""Regional dashboard figures as lean Plotly dicts, built from plain data (no request, no database).

Every text a reader sees (titles, axis titles, hover text) arrives already translated as a
plain string. `rtl` mirrors the axes so Arabic reads from the right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from survey.assessments.charts import PALETTE

# Light to dark: a higher score reads as "more" in any culture and in greyscale print.
SCALE = [[0, "#f1eef6"], [0.25, "#bdc9e1"], [0.5, "#74a9cf"], [0.75, "#2b8cbe"], [1, "#045a8d"]]
FONT = {"family": "system-ui, sans-serif", "size": 12}
CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
LINE_COLOURS = ("#1b2430", *PALETTE, "#7a4fa0", "#3a8c8c")


@dataclass(frozen=True)
class Labels:
    """Translated texts a figure needs besides its data."""

    title: str
    x: str = ""
    y: str = ""
    hover: str = ""  # a Plotly hovertemplate, translated, with %{...} placeholders


def _layout(labels: Labels, rtl: bool, label_side: int = 60, bottom: int = 60, **extra) -> dict:
    """Common layout; `label_side` is the margin for the category labels (right in RTL)."""
    start, end = ("r", "l") if rtl else ("l", "r")
    layout = {
        "title": {"text": labels.title, "x": 0.5},
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {start: label_side, end: 60, "t": 60, "b": bottom},
    }
    layout.update(extra)
    return layout


def _axis(title: str, rtl: bool, horizontal: bool, **extra) -> dict:
    """An axis; in RTL the horizontal one runs right to left and the vertical one sits on the right."""
    axis = {"title": {"text": title}, "automargin": True, **extra}
    if horizontal and rtl:
        if "range" in axis:  # autorange would drop a fixed range
            axis["range"] = list(reversed(axis["range"]))
        else:
            axis["autorange"] = "reversed"
        if "tickangle" in axis:
            axis["tickangle"] = -axis["tickangle"]
    if not horizontal and rtl:
        axis["side"] = "right"
    return axis


def _figure(data: list, layout: dict) -> dict:
    return {"data": data, "layout": layout, "config": CONFIG}


def heatmap_figure(
    countries: Sequence[str],
    pillars: Sequence[str],
    scores: Sequence[Sequence[float | None]],
    stages: Sequence[Sequence[str]],
    labels: Labels,
    rtl: bool = False,
) -> dict:
    """Countries (rows) by pillars (columns), coloured by score, stage names on hover."""
    trace = {
        "type": "heatmap",
        "x": list(pillars),
        "y": list(countries),
        "z": [[None if s is None else round(s, 1) for s in row] for row in scores],
        "text": [list(row) for row in stages],
        "zmin": 0,
        "zmax": 100,
        "colorscale": SCALE,
        "hovertemplate": labels.hover + "<extra></extra>",
        "xgap": 2,
        "ygap": 2,
        "colorbar": {
            "title": {"text": labels.x},
            "thickness": 12,
            **({"x": -0.02, "xanchor": "right"} if rtl else {}),
        },
    }
    height = 290 + 30 * max(len(countries), 5)  # the colour bar needs room even for one row
    return _figure(
        [trace],
        _layout(
            labels,
            rtl,
            label_side=150,
            bottom=200,
            height=height,
            xaxis=_axis("", rtl, True, tickangle=-30, dtick=1),
            yaxis=_axis("", rtl, False, autorange="reversed", dtick=1),
        ),
    )


def ranking_figure(
    countries: Sequence[str],
    scores: Sequence[float],
    stages: Sequence[str],
    labels: Labels,
    rtl: bool = False,
) -> dict:
    """Horizontal bars of overall scores, best on top."""
    trace = {
        "type": "bar",
        "orientation": "h",
        "x": [round(s, 1) for s in scores],
        "y": list(countries),
        "text": list(stages),
        "marker": {"color": PALETTE[0]},
        "hovertemplate": labels.hover + "<extra></extra>",
    }
    height = max(300, 130 + 26 * len(countries))
    return _figure(
        [trace],
        _layout(
            labels,
            rtl,
            label_side=150,
            height=height,
            xaxis=_axis(labels.x, rtl, True, range=[0, 100]),
            yaxis={**_axis("", rtl, False), "autorange": "reversed", "dtick": 1},
        ),
    )


def box_figure(
    pillars: Sequence[str],
    values: Sequence[Sequence[float]],
    names: Sequence[Sequence[str]],
    labels: Labels,
    rtl: bool = False,
) -> dict:
    """One box per pillar with every country as a point, so outliers show."""
    traces = [
        {
            "type": "box",
            "name": pillar,
            "y": [round(v, 1) for v in ys],
            "text": list(ns),
            "boxpoints": "all",
            "jitter": 0.4,
            "pointpos": 0,
            "marker": {"color": PALETTE[0], "size": 6},
            "line": {"color": PALETTE[0]},
            "hovertemplate": labels.hover + "<extra></extra>",
            "showlegend": False,
        }
        for pillar, ys, ns in zip(pillars, values, names, strict=True)
    ]
    return _figure(
        traces,
        _layout(
            labels,
            rtl,
            bottom=170,
            height=520,
            xaxis=_axis("", rtl, True, tickangle=-30),
            yaxis=_axis(labels.y, rtl, False, range=[0, 100]),
        ),
    )


@dataclass(frozen=True)
class Line:
    """One line of the trend chart: a name and (year, score) points of one framework version."""

    name: str
    years: tuple[int, ...]
    scores: tuple[float | None, ...]
    dashed: bool = False


def trend_figure(lines: Sequence[Line], labels: Labels, rtl: bool = False) -> dict:
    """Overall score over cycles; one line per series and framework version, never mixed."""
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": line.name,
            "x": list(line.years),
            "y": [None if s is None else round(s, 1) for s in line.scores],
            "line": {
                "color": LINE_COLOURS[i % len(LINE_COLOURS)],
                "dash": "dot" if line.dashed else "solid",
            },
            "hovertemplate": labels.hover + "<extra>" + line.name + "</extra>",
        }
        for i, line in enumerate(lines)
    ]
    return _figure(
        traces,
        _layout(
            labels,
            rtl,
            height=440,
            bottom=130,
            xaxis=_axis(labels.x, rtl, True, dtick=1, tickformat="d"),
            yaxis=_axis(labels.y, rtl, False, range=[0, 100]),
            # below the axis title, which sits just under the tick labels
            legend={"orientation": "h", "x": 0.5, "xanchor": "center", "yanchor": "top", "y": -0.28},
        ),
    )


@dataclass(frozen=True)
class MapPoint:
    """A country on the map: alpha-3 code, name, score, stage, and a marker position if small."""

    alpha3: str
    name: str
    score: float
    stage: str
    marker: tuple[float, float] | None = None


def _colour_bar(title: str, rtl: bool) -> dict:
    return {"title": {"text": title}, "thickness": 12, **({"x": -0.02, "xanchor": "right"} if rtl else {})}


def _geo(scope: str, fit: bool) -> dict:
    return {
        "scope": scope,
        "resolution": 110,
        "showcountries": True,
        "countrycolor": "#c8ced6",
        "showland": True,
        "landcolor": "#eef1f4",
        "showframe": False,
        "projection": {"type": "natural earth"},
        "fitbounds": "locations" if fit else False,
    }


def _shaded_map(
    codes: list[str],
    names: list[str],
    values: list[float],
    customdata: list[list],
    markers: list[tuple[str, tuple[float, float], float, list]],
    colour: dict,
    labels: Labels,
    rtl: bool,
) -> list[dict]:
    """A choropleth layer and, for states too small to shade, a marker layer on the same colour scale.

    `markers` holds (name, (lon, lat), value, customdata) of each small state.
    """
    traces = [
        {
            "type": "choropleth",
            "locations": codes,
            "z": values,
            "text": names,
            "customdata": customdata,
            "marker": {"line": {"color": "#ffffff", "width": 0.5}},
            "hovertemplate": labels.hover + "<extra></extra>",
            **colour,
            "colorbar": _colour_bar(labels.x, rtl),
        }
    ]
    if markers:
        traces.append(
            {
                "type": "scattergeo",
                "lon": [position[0] for _n, position, _v, _c in markers],
                "lat": [position[1] for _n, position, _v, _c in markers],
                "text": [name for name, _p, _v, _c in markers],
                "customdata": [data for _n, _p, _v, data in markers],
                "hovertemplate": labels.hover + "<extra></extra>",
                "marker": {
                    "size": 11,
                    "color": [value for _n, _p, value, _c in markers],
                    "cmin": colour["zmin"],
                    "cmax": colour["zmax"],
                    "colorscale": colour["colorscale"],
                    "line": {"color": "#1b2430", "width": 1},
                },
                "showlegend": False,
            }
        )
    return traces


def map_figure(points: Sequence[MapPoint], scope: str, labels: Labels, rtl: bool = False) -> dict:
    """Choropleth of overall scores, with markers for states too small for the base map.

    Hover templates read `%{customdata[0]}` (stage) and `%{customdata[1]}` (score) in both layers.
    """
    traces = _shaded_map(
        [p.alpha3 for p in points],
        [p.name for p in points],
        [round(p.score, 1) for p in points],
        [[p.stage, round(p.score)] for p in points],
        [(p.name, p.marker, round(p.score, 1), [p.stage, round(p.score)]) for p in points if p.marker],
        {"zmin": 0, "zmax": 100, "colorscale": SCALE},
        labels,
        rtl,
    )
    return _figure(traces, _layout(labels, rtl, height=460, geo=_geo(scope, bool(points))))


@dataclass(frozen=True)
class MapCount:
    """A country on a map of counts: alpha-3 code, name, count, hover details, a marker position if small."""

    alpha3: str
    name: str
    count: int
    details: tuple[str, ...] = ()
    marker: tuple[float, float] | None = None


def count_map_figure(points: Sequence[MapCount], scope: str, labels: Labels, rtl: bool = False) -> dict:
    """Choropleth of a count per country (e.g. projects), zero included, small states as markers.

    Hover templates read `%{z}` or `%{marker.color}` through `%{customdata[0]}` (the count) and
    `%{customdata[1]}`, `%{customdata[2]}`... (the details) in both layers.
    """
    top = max((p.count for p in points), default=0)
    traces = _shaded_map(
        [p.alpha3 for p in points],
        [p.name for p in points],
        [p.count for p in points],
        [[p.count, *p.details] for p in points],
        [(p.name, p.marker, p.count, [p.count, *p.details]) for p in points if p.marker],
        # zero reads as the lightest shade, and a region with one project still has a scale
        {"zmin": 0, "zmax": max(top, 1), "colorscale": SCALE},
        labels,
        rtl,
    )
    if top <= 10:  # whole numbers only: no "2.5 projects" on the colour bar
        traces[0]["colorbar"]["dtick"] = 1
    return _figure(traces, _layout(labels, rtl, height=460, geo=_geo(scope, bool(points))))


@dataclass(frozen=True)
class Stack:
    """One layer of a stacked bar chart: its name, a value per category and its colour."""

    name: str
    values: tuple[int, ...]
    colour: str


def stacked_bar_figure(
    categories: Sequence[str], stacks: Sequence[Stack], labels: Labels, rtl: bool = False, horizontal: bool = False
) -> dict:
    """Counts per category stacked by layer (e.g. unfunded and funded gaps per pillar)."""
    traces = [
        {
            "type": "bar",
            "name": stack.name,
            "orientation": "h" if horizontal else "v",
            **(
                {"x": list(stack.values), "y": list(categories)}
                if horizontal
                else {"x": list(categories), "y": list(stack.values)}
            ),
            "marker": {"color": stack.colour},
            "hovertemplate": labels.hover + "<extra>" + stack.name + "</extra>",
        }
        for stack in stacks
    ]
    legend = {"orientation": "h", "x": 0.5, "xanchor": "center", "yanchor": "bottom", "y": 1.02}
    if horizontal:
        return _figure(
            traces,
            _layout(
                labels,
                rtl,
                label_side=150,
                height=max(320, 150 + 26 * len(categories)),
                barmode="stack",
                legend=legend,
                xaxis=_axis(labels.x, rtl, True, rangemode="tozero"),
                yaxis={**_axis("", rtl, False), "autorange": "reversed", "dtick": 1},
            ),
        )
    return _figure(
        traces,
        _layout(
            labels,
            rtl,
            bottom=170,
            height=480,
            barmode="stack",
            legend=legend,
            xaxis=_axis("", rtl, True, tickangle=-30),
            yaxis=_axis(labels.y, rtl, False, rangemode="tozero"),
        ),
    )
