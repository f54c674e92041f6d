"""The country report's PDF: WeasyPrint's layout when the server has Pango, and the reports' cache.

WeasyPrint loads Pango, a system library (Debian: libpango-1.0-0 libpangoft2-1.0-0), when it is
imported. A server without it still starts and serves everything else; the report answers 503.
It is loaded with the first report, not at start: it would cost every worker and every command
0.45 s and 27 MB (and a search for the libraries that runs the C compiler) that most never use.
"""

from __future__ import annotations

from functools import cache as once
from types import ModuleType

from flask import current_app

from survey.caching import BoundedCache, kept


@once
def _layout() -> ModuleType | None:
    """survey.reports.layout, imported on first use; None when Pango is missing."""
    try:
        from survey.reports import layout  # a deferred import for the start-up cost, not to dodge a cycle
    except OSError:  # Pango is missing: the one feature that needs it says so, the rest of the app runs
        return None
    return layout


def available() -> bool:
    """Whether this server can lay out PDFs (WeasyPrint found Pango)."""
    return _layout() is not None


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document styled by static/css/report.css (call only when available())."""
    layout = _layout()
    assert layout is not None, "check available() first"
    return layout.html_to_pdf(html)


def cache() -> BoundedCache:
    """The application's cache of generated reports (REPORT_CACHE_SIZE of them, 32 by default)."""
    return kept("report-pdfs", current_app.config.get("REPORT_CACHE_SIZE", 32))
