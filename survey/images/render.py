"""A Plotly figure (a plain dict) as SVG bytes, drawn by Plotly's own image export (Kaleido).

`figure_to_svg` is the one way the application turns a figure into an image for the pages;
`figure_to_pdf` draws the same figure as vector PDF for the printed report (`survey.reports.charts`).
Kaleido drives the Chromium the project already installs; starting it costs seconds, drawing one
more figure a tenth of a second, so one Kaleido (one Chromium) stays up for the life of the
process that started it, and callers take turns.
If Chromium dies or a drawing times out, the next call starts a new one.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parents[2] / "static"
# The bundle and base maps the pages load: the image is the very chart the browser would draw.
PLOTLY_JS = STATIC / "vendor" / "plotly-custom.min.js"
TOPOJSON_URL = (STATIC / "vendor" / "topojson").as_uri() + "/"
RENDER_TIMEOUT_S = 60
DEFAULT_WIDTH, DEFAULT_HEIGHT = 880, 460


class _Drawer:
    """An event loop in a daemon thread holding one open Kaleido."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.kaleido: Any = None
        threading.Thread(target=self.loop.run_forever, name="kaleido", daemon=True).start()
        atexit.register(self.stop)

    async def _open(self) -> Any:
        import kaleido  # heavy (it brings plotly's JSON encoder): loaded only by a process that draws

        options: dict[str, Any] = {"n": 1, "timeout": RENDER_TIMEOUT_S, "mathjax": False, "plotlyjs": str(PLOTLY_JS)}
        if os.environ.get("BROWSER_PATH"):
            options["path"] = os.environ["BROWSER_PATH"]
        drawer = kaleido.Kaleido(**options)
        await drawer.open()
        return drawer

    async def _draw(self, figure: dict, options: dict) -> bytes:
        if self.kaleido is None:
            self.kaleido = await self._open()
        try:
            return await self.kaleido.calc_fig(figure, opts=options, topojson=TOPOJSON_URL)
        except BaseException:
            await self._close()
            raise

    async def _close(self) -> None:
        drawer, self.kaleido = self.kaleido, None
        if drawer is not None:
            try:
                await drawer.close()
            except Exception:  # noqa: S110 - a dead Chromium cannot be closed more than it is
                pass

    def stop(self) -> None:
        """Close Chromium (at exit)."""
        try:
            asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(timeout=10)
        except Exception:  # noqa: S110 - the process is ending anyway
            pass

    def draw(self, figure: dict, options: dict) -> bytes:
        future = asyncio.run_coroutine_threadsafe(self._draw(figure, options), self.loop)
        try:
            return future.result(timeout=RENDER_TIMEOUT_S + 30)
        except FutureTimeout:
            future.cancel()
            asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(timeout=30)
            raise


_lock = threading.Lock()
_drawer: _Drawer | None = None


def figure_to_svg(figure: dict, width: int | None = None, height: int | None = None) -> bytes:
    """The figure drawn by Plotly as an SVG document (CSS pixels; height: the layout's, else a default)."""
    return _export(figure, "svg", width, height)


def figure_to_pdf(figure: dict, width: int | None = None, height: int | None = None) -> bytes:
    """The figure drawn by Plotly as a one-page vector PDF, its text shaped by Chromium (Arabic joined)."""
    return _export(figure, "pdf", width, height)


def _export(figure: dict, format: str, width: int | None, height: int | None) -> bytes:
    global _drawer
    layout = figure.get("layout", {})
    options = {
        "format": format,
        "width": width or layout.get("width") or DEFAULT_WIDTH,
        "height": height or layout.get("height") or DEFAULT_HEIGHT,
    }
    with _lock:  # one drawing at a time: one Chromium tab
        if _drawer is None:
            _drawer = _Drawer()
        return _drawer.draw({"data": figure.get("data", []), "layout": layout}, options)
