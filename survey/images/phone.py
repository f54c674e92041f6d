"""The same figure laid out for a phone's width: smaller text, slimmer margins, category labels on several lines.

Plain functions over Plotly dicts (no Flask). At 360 pixels the desktop layout's 150-pixel label
margins leave little room to draw, and tilted pillar names run into each other; the data, colours
and titles stay those of the figure.
"""

from __future__ import annotations

import copy
import textwrap
from typing import Any

FONT_SIZE = 10
MARGIN = 40  # axes have automargin: labels that need more room still get it
LINE = 24  # characters per line of a category label: two lines for most pillar names
RLE, PDF = "\u202b", "\u202c"  # right-to-left embedding marks (see assessments.charts)


def wrap(label: str) -> str:
    """A label on lines of about LINE characters, each line keeping the label's right-to-left embedding."""
    rtl = label.startswith(RLE)
    text = label.removeprefix(RLE).removesuffix(PDF)
    lines = textwrap.wrap(text, LINE, break_long_words=False) or [text]
    return "<br>".join(f"{RLE}{line}{PDF}" if rtl else line for line in lines)


def _categories(figure: dict) -> list[str]:
    """The category labels a figure's traces put on the x axis (heatmap columns, box names), in order."""
    seen: list[str] = []
    for trace in figure.get("data", []):
        values = (
            trace.get("x")
            if trace.get("type") == "heatmap"
            else ([trace["name"]] if trace.get("type") == "box" and "name" in trace else [])
        )
        for value in values or []:
            if isinstance(value, str) and value not in seen:
                seen.append(value)
    return seen


def _label_axis(layout: dict, name: str, categories: list[str]) -> None:
    axis = layout.setdefault(name, {})
    axis["tickvals"], axis["ticktext"] = categories, [wrap(c) for c in categories]
    if "tickangle" in axis:  # upright lines, reading down (up in right-to-left figures)
        axis["tickangle"] = 90 if axis["tickangle"] > 0 else -90


def for_phone(figure: dict) -> dict:
    """A copy of the figure laid out for a narrow screen."""
    phone: dict[str, Any] = copy.deepcopy(figure)
    layout = phone.setdefault("layout", {})
    layout["font"] = {**layout.get("font", {}), "size": FONT_SIZE}
    polar = layout.get("polar")
    margin = layout.setdefault("margin", {})
    for side in ("l", "r"):
        if side in margin and not polar:  # a polar chart's labels get no automargin
            margin[side] = min(margin[side], MARGIN)
    categories = _categories(phone)
    if categories:
        _label_axis(layout, "xaxis", categories)
    if polar:
        polar["domain"] = {"x": [0.14, 0.86], "y": [0, 1]}  # room beside the circle for the pillar names
        traces = [t for t in phone["data"] if t.get("type") == "scatterpolar"]
        theta = list(dict.fromkeys(traces[0].get("theta") or [])) if traces else []
        angular = polar.setdefault("angularaxis", {})
        angular["tickvals"], angular["ticktext"] = theta, [wrap(t) for t in theta]
        polar.setdefault("radialaxis", {})["tickfont"] = {"size": FONT_SIZE - 2}
    return phone
