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


def map_figure(points: Sequence[MapPoint], scope: str, labels: Labels, rtl: bool = False) -> dict:
    """Choropleth of overall scores, with markers for states too small for the base map.

    Hover templates read `%{customdata[0]}` (stage) and `%{customdata[1]}` (score) in both layers.
    """
    shaded = list(points)
    small = [p for p in points if p.marker]
    colour = {"zmin": 0, "zmax": 100, "colorscale": SCALE}
    traces = [
        {
            "type": "choropleth",
            "locations": [p.alpha3 for p in shaded],
            "z": [round(p.score, 1) for p in shaded],
            "text": [p.name for p in shaded],
            "customdata": [[p.stage, round(p.score)] for p in shaded],
            "marker": {"line": {"color": "#ffffff", "width": 0.5}},
            "hovertemplate": labels.hover + "<extra></extra>",
            **colour,
            "colorbar": {
                "title": {"text": labels.x},
                "thickness": 12,
                **({"x": -0.02, "xanchor": "right"} if rtl else {}),
            },
        }
    ]
    if small:
        traces.append(
            {
                "type": "scattergeo",
                "lon": [p.marker[0] for p in small if p.marker],
                "lat": [p.marker[1] for p in small if p.marker],
                "text": [p.name for p in small],
                "customdata": [[p.stage, round(p.score)] for p in small],
                "hovertemplate": labels.hover + "<extra></extra>",
                "marker": {
                    "size": 11,
                    "color": [round(p.score, 1) for p in small],
                    "cmin": 0,
                    "cmax": 100,
                    "colorscale": SCALE,
                    "line": {"color": "#1b2430", "width": 1},
                },
                "showlegend": False,
            }
        )
    geo = {
        "scope": scope,
        "resolution": 110,
        "showcountries": True,
        "countrycolor": "#c8ced6",
        "showland": True,
        "landcolor": "#eef1f4",
        "showframe": False,
        "projection": {"type": "natural earth"},
        "fitbounds": "locations" if points else False,
    }
    return _figure(traces, _layout(labels, rtl, height=460, geo=geo))


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
