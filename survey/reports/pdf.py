"""The country report's PDF: WeasyPrint's layout when the server has Pango, and the reports' cache.

WeasyPrint loads Pango, a system library (Debian: libpango-1.0-0 libpangoft2-1.0-0), when it is
imported. A server without it still starts and serves everything else; the report answers 503.
"""

from __future__ import annotations

from types import ModuleType

from flask import current_app

from survey.dashboards.cache import BoundedCache

layout: ModuleType | None
try:
    from survey.reports import layout
except OSError:  # Pango is missing: the one feature that needs it says so, the rest of the app runs
    layout = None


def available() -> bool:
    """Whether this server can lay out PDFs (WeasyPrint found Pango)."""
    return layout is not None


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document styled by static/css/report.css (call only when available())."""
    assert layout is not None, "check available() first"
    return layout.html_to_pdf(html)


def cache() -> BoundedCache:
    """The application's cache of generated reports (REPORT_CACHE_SIZE of them, 32 by default)."""
    if "report_pdfs" not in current_app.extensions:
        current_app.extensions["report_pdfs"] = BoundedCache(current_app.config.get("REPORT_CACHE_SIZE", 32))
    return current_app.extensions["report_pdfs"]
