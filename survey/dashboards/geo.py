"""Where to put countries on the map: small states vanish from the 110m base maps.

The vendored Natural Earth topojson (static/vendor/topojson) drops or shrinks to a dot the
smallest states (Cabo Verde, São Tomé, Mauritius, the Caribbean and Pacific islands...). A
choropleth cannot colour what is not drawn, so those states get a marker at their
coordinates instead, coloured on the same scale.
"""

from __future__ import annotations

import json
from functools import cache

from survey.paths import STATIC_DIR

TOPOJSON_DIR = STATIC_DIR / "vendor" / "topojson"
# Below this land area (square degrees, about 12,000 km² at the equator) a shape is too
# small to see or hover on a regional map.
MIN_VISIBLE_AREA = 1.0
# Approximate positions (lon, lat) of the states absent from the base maps.
POSITIONS = {
    "AND": (1.52, 42.51),
    "ATG": (-61.80, 17.08),
    "BHR": (50.56, 26.07),
    "BRB": (-59.54, 13.19),
    "GRD": (-61.68, 12.12),
    "KIR": (172.98, 1.45),
    "LIE": (9.55, 47.16),
    "MDV": (73.51, 4.18),
    "MLT": (14.45, 35.90),
    "MHL": (171.38, 7.09),
    "FSM": (158.16, 6.92),
    "MCO": (7.42, 43.74),
    "NRU": (166.93, -0.53),
    "PLW": (134.58, 7.51),
    "KNA": (-62.72, 17.30),
    "LCA": (-60.98, 13.91),
    "VCT": (-61.20, 13.25),
    "SMR": (12.46, 43.94),
    "SYC": (55.45, -4.68),
    "SGP": (103.82, 1.35),
    "TON": (-175.20, -21.14),
    "TUV": (179.19, -8.52),
    "VAT": (12.45, 41.90),
    "CPV": (-23.51, 14.93),
    "STP": (6.73, 0.34),
    "MUS": (57.50, -20.20),
    "COM": (43.87, -11.70),
    "WSM": (-171.76, -13.83),
    "DMA": (-61.37, 15.41),
    "TTO": (-61.22, 10.69),
}


def _decoded_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def _ring_area(ring: list[int], arcs: list) -> float:
    points: list[tuple[float, float]] = []
    for index in ring:
        points.extend(arcs[index] if index >= 0 else reversed(arcs[~index]))
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True))) / 2


def _outer_rings(geometry: dict) -> list[list[int]]:
    if geometry.get("type") == "Polygon":
        return geometry["arcs"][:1]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["arcs"]]
    return []


@cache
def shape_areas(scope: str) -> dict[str, tuple[float, float, float]]:
    """(area in square degrees, centre lon, centre lat) of each country drawn on a base map."""
    topology = json.loads((TOPOJSON_DIR / f"{scope}_110m.json").read_text(encoding="utf-8"))
    arcs = _decoded_arcs(topology)
    found: dict[str, list] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        for ring in _outer_rings(geometry):
            area = _ring_area(ring, arcs)
            points = [p for i in ring for p in arcs[i if i >= 0 else ~i]]
            best = found.get(geometry.get("id"))
            total = area + (best[0] if best else 0)
            if best is None or area > best[3]:  # centre on the largest piece (mainland)
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                found[geometry.get("id")] = [
                    total,
                    (min(xs) + max(xs)) / 2,
                    (min(ys) + max(ys)) / 2,
                    area,
                ]
            else:
                best[0] = total
    return {code: (v[0], v[1], v[2]) for code, v in found.items() if code}


def marker_position(alpha3: str, scope: str) -> tuple[float, float] | None:
    """Where to put a marker for a state too small for the base map, or None if it is drawn."""
    shape = shape_areas(scope).get(alpha3)
    if shape and shape[0] >= MIN_VISIBLE_AREA:
        return None
    return POSITIONS.get(alpha3) or (shape[1:] if shape else None)
