"""Drop the base-map layers CyberReady never draws (rivers, lakes, ocean, subunits) and their arcs.

Usage: python3 tools/plotly/prune_topojson.py FILE...   (rewrites each file in place)
Plotly reads only the layers a figure shows; the dashboards show land, coastlines and countries,
so the rest is dead weight on slow connections.
"""

import json
import sys

KEEP = ("countries", "land", "coastlines")
# Natural Earth 110m ships with 1e6 quantization steps (0.00036 degrees of longitude); at that
# scale's own precision (about 0.1 degree) 1e4 steps draw the same map with far fewer digits.
STEPS = 10_000


def _walk(arcs, remap):
    if isinstance(arcs, list):
        return [_walk(item, remap) for item in arcs]
    index = arcs if arcs >= 0 else ~arcs
    new = remap.setdefault(index, len(remap))
    return new if arcs >= 0 else ~new


def prune(topology: dict) -> dict:
    """The topology with only the kept objects and the arcs they use, renumbered."""
    remap: dict[int, int] = {}
    objects = {}
    for name in KEEP:
        obj = json.loads(json.dumps(topology["objects"][name]))
        for geometry in obj.get("geometries", [obj]):
            if "arcs" in geometry:
                geometry["arcs"] = _walk(geometry["arcs"], remap)
        objects[name] = obj
    arcs = [None] * len(remap)
    for old, new in remap.items():
        arcs[new] = topology["arcs"][old]
    return requantize({**topology, "objects": objects, "arcs": arcs})


def requantize(topology: dict) -> dict:
    """Coarser integer steps for the delta-encoded arcs; the first and last points are kept."""
    old_scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        decoded.append([])
        for dx, dy in arc:
            x, y = x + dx, y + dy
            decoded[-1].append((x * old_scale[0] + translate[0], y * old_scale[1] + translate[1]))
    lons = [p[0] for arc in decoded for p in arc]
    lats = [p[1] for arc in decoded for p in arc]
    west, south, east, north = min(lons), min(lats), max(lons), max(lats)
    scale = [(east - west) / (STEPS - 1), (north - south) / (STEPS - 1)]
    arcs = []
    for arc in decoded:
        points = []
        for lon, lat in arc:
            point = (round((lon - west) / scale[0]), round((lat - south) / scale[1]))
            if not points or point != points[-1]:
                points.append(point)
        if len(points) == 1:
            points.append(points[0])  # an arc needs two points even when they meet
        previous = (0, 0)
        deltas = []
        for point in points:
            deltas.append([point[0] - previous[0], point[1] - previous[1]])
            previous = point
        arcs.append(deltas)
    transform = {"scale": scale, "translate": [west, south]}
    return {**topology, "arcs": arcs, "transform": transform, "bbox": [west, south, east, north]}


if __name__ == "__main__":
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as handle:
            topology = json.load(handle)
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(prune(topology), handle, separators=(",", ":"))
