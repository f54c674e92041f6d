"""The report's charts: the web pages' Plotly figures as vector images whose text is already drawn.

WeasyPrint draws SVG text one letter at a time, without shaping or bidi, so Arabic labels would
come out as separate, reversed letters. Chromium (through Kaleido) draws the figure to a PDF with
its text shaped, and poppler's `pdftocairo` turns that page into an SVG whose glyphs are outlines:
the same figure, vector, and read correctly in every script. Without Chromium or poppler the
report keeps its tables and leaves the chart out.
"""

from __future__ import annotations

import base64
import logging
import shutil
import subprocess  # noqa: S404 - a fixed poppler command on our own bytes, no shell

from survey.images.render import figure_to_pdf

log = logging.getLogger(__name__)
CONVERT_TIMEOUT_S = 30


def outlined_svg(figure: dict, width: int, height: int) -> bytes | None:
    """The figure as an SVG whose text is outlines, or None when it cannot be drawn here."""
    converter = shutil.which("pdftocairo")
    if converter is None:
        log.warning("pdftocairo (poppler-utils) is missing: the report leaves its charts out")
        return None
    try:
        pdf = figure_to_pdf(figure, width, height)
        return subprocess.run(  # noqa: S603 - fixed arguments, input is the PDF Chromium drew
            [converter, "-svg", "-", "-"], input=pdf, capture_output=True, check=True, timeout=CONVERT_TIMEOUT_S
        ).stdout
    except Exception:
        log.exception("Drawing a report chart failed; the report shows its table only")
        return None


def data_uri(svg: bytes) -> str:
    """An SVG as a data: address for an <img> of the report (nothing is fetched while rendering)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
