"""HTML to PDF with WeasyPrint, using only the fonts and stylesheet shipped in static/.

The report's fonts (Noto Sans and Noto Sans Arabic, static/fonts) travel with the application, so
a report looks the same on every server and Arabic is always shaped. Rendering fetches nothing
from the network: the only addresses it may open are files under static/ and data: images.
Importing this module loads Pango (a system library): survey.reports.pdf imports it for the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

from survey.paths import STATIC_DIR

STYLESHEET = STATIC_DIR / "css" / "report.css"


class FetchRefused(ValueError):
    """The report asked for an address outside the shipped static files."""


class ShippedFilesOnly(URLFetcher):
    """WeasyPrint's fetcher, for data: addresses and files under static/ only."""

    def __init__(self) -> None:
        """Open data: and file: addresses only."""
        super().__init__(allowed_protocols=("data", "file"))

    def fetch(self, url: str, headers: Any = None) -> Any:
        """The resource, if it is data or a shipped static file; FetchRefused otherwise."""
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(STATIC_DIR.resolve()):
                raise FetchRefused(url)
        elif not url.startswith("data:"):
            raise FetchRefused(url)
        return super().fetch(url, headers)


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document styled by static/css/report.css."""
    fonts = FontConfiguration()
    fetcher = ShippedFilesOnly()
    stylesheet = CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher)
    document = HTML(string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    assert pdf is not None  # write_pdf without a target returns the bytes
    return pdf
