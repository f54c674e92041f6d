"""A Plotly figure (a plain dict) as SVG bytes, drawn by Plotly's own image export (Kaleido).

`figure_to_svg` is the one way the application turns a figure into an image: the chart images
of the pages use it, and so can a printed report. Kaleido drives the Chromium the project already
installs; starting it costs seconds, drawing one more figure a tenth of a second, so one Kaleido
process stays up for the life of the process that started it, and callers take turns.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parents[2] / "static"
# The bundle and base maps the pages load: the image is the very chart the browser would draw.
PLOTLY_JS = STATIC / "vendor" / "plotly-custom.min.js"
TOPOJSON_DIR = STATIC / "vendor" / "topojson"
RENDER_TIMEOUT_S = 60

_lock = threading.Lock()
_started = False


def _start() -> None:
    """Start the process-wide Kaleido server (once), with no CDN: bundle and maps come from disk."""
    global _started
    if _started:
        return
    import kaleido  # heavy (it brings plotly's JSON encoder): loaded only by the process that draws

    options: dict[str, Any] = {"n": 1, "timeout": RENDER_TIMEOUT_S, "mathjax": False, "plotlyjs": str(PLOTLY_JS)}
    if os.environ.get("BROWSER_PATH"):
        options["path"] = os.environ["BROWSER_PATH"]
    kaleido.start_sync_server(silence_warnings=True, **options)
    _started = True


def figure_to_svg(figure: dict, width: int, height: int) -> bytes:
    """The figure drawn by Plotly as an SVG document of width x height CSS pixels."""
    import kaleido

    drawable = {"data": figure.get("data", []), "layout": figure.get("layout", {})}
    options = {"format": "svg", "width": width, "height": height}
    with _lock:  # Kaleido's server answers one caller at a time
        _start()
        return kaleido.calc_fig_sync(drawable, opts=options, topojson=TOPOJSON_DIR.as_uri() + "/")
