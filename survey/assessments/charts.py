"""Plotly figures as plain dicts, built from plain data (no request, no database)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

PALETTE = ("#1f5f8b", "#c0652a", "#5b8c3a")


@dataclass(frozen=True)
class RadarSeries:
    """One line on the radar: a name and a score (or None) per axis."""

    name: str
    scores: tuple[float | None, ...]


def _whole_number(score: float) -> str:
    return f"{score:.0f}"


def _right_to_left(text: str, rtl: bool) -> str:
    """Text embedded right to left for right-to-left readers.

    Plotly's SVG labels mixing scripts ("فرق CERT/CSIRT والاستجابة للحوادث") otherwise come out
    with their words in the wrong order. Chromium's SVG honours the embedding marks (RLE ... PDF).
    """
    return f"\u202b{text}\u202c" if rtl and text else text


def radar_figure(
    axes: Sequence[str],
    series: Sequence[RadarSeries],
    stage_labels: Sequence[str],
    title: str,
    rtl: bool = False,
    number_format: Callable[[float], str] = _whole_number,
) -> dict:
    """A radar (scatterpolar) of pillar scores on a 0-100 axis labelled with the stages.

    Hover values are preformatted by `number_format` (the reader's locale): Plotly's own
    locales lack the decimal separator of some languages (Portuguese).
    """
    axes = [_right_to_left(a, rtl) for a in axes]
    traces = []
    for index, item in enumerate(series):
        closed_axes = [*axes, axes[0]] if axes else []
        closed_scores = [*item.scores, item.scores[0]] if item.scores else []
        traces.append(
            {
                "type": "scatterpolar",
                "name": _right_to_left(item.name, rtl),
                "r": [None if s is None else round(s, 1) for s in closed_scores],
                "theta": closed_axes,
                "fill": "toself" if index == 0 else "none",
                "line": {"color": PALETTE[index % len(PALETTE)], "width": 2},
                "marker": {"size": 6},
                "connectgaps": False,
                "text": [None if s is None else number_format(s) for s in closed_scores],
                "hovertemplate": "%{theta}: %{text}<extra>" + item.name + "</extra>",
            }
        )
    return {
        "data": traces,
        "layout": {
            "title": {"text": _right_to_left(title, rtl), "x": 0.5, "y": 0.98, "yanchor": "top"},
            "polar": {
                "radialaxis": {
                    "range": [0, 100],
                    "tickvals": [0, 25, 50, 75, 100],
                    "ticktext": [_right_to_left(s, rtl) for s in stage_labels],
                    "angle": 90 + 180 / max(len(axes), 1),
                    "tickfont": {"size": 10},
                },
                # Right-to-left readers follow the pillars counterclockwise, from the top.
                # Right-to-left readers follow the pillars counterclockwise, from the top.
                "angularaxis": {"direction": "counterclockwise" if rtl else "clockwise", "rotation": 90},
            },
            "showlegend": len(series) > 1,
            "legend": {"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.15},
            # Room above the top pillar's label for the title.
            "margin": {"l": 60, "r": 60, "t": 90, "b": 60},
            "font": {"family": "system-ui, sans-serif", "size": 12},
            "paper_bgcolor": "#ffffff",
        },
        "config": {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
    }
