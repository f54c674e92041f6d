"""The chart image of a figure for a page: drawn already, drawn now (tests) or asked for in the background.

CHART_IMAGES chooses: "background" (a page without its image shows the table, and the image is
drawn for the next reader), "sync" (drawn while the page waits; for tests) or "off".
Images are kept under CHART_IMAGE_DIR (default: the instance folder's chart-images/).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, request

from survey.images.phone import for_phone
from survey.images.render import figure_to_svg
from survey.images.store import ImageStore, Spec, renderer_for

# Phones get an image laid out for their width, other screens a wide one (see the chart macro).
NARROW_WIDTH, WIDE_WIDTH = 360, 880
DEFAULT_HEIGHT = 460  # for figures whose layout sets none (the radar)
ASKED = "cyberready.chart_images_asked"  # per request (tests reuse one `g` across requests)


@dataclass(frozen=True)
class Variant:
    """One drawn size of a chart."""

    key: str
    width: int
    height: int


@dataclass(frozen=True)
class ChartImage:
    """A chart's images for narrow and wide screens."""

    narrow: Variant
    wide: Variant


def store() -> ImageStore:
    """The application's image store."""
    if "chart_images" not in current_app.extensions:
        directory = current_app.config.get("CHART_IMAGE_DIR") or Path(current_app.instance_path) / "chart-images"
        current_app.extensions["chart_images"] = ImageStore(Path(directory), current_app.config["SECRET_KEY"])
    return current_app.extensions["chart_images"]


def _specs(figure: dict) -> tuple[Spec, Spec]:
    height = int(figure.get("layout", {}).get("height") or DEFAULT_HEIGHT)
    drawable = {"data": figure.get("data", []), "layout": figure.get("layout", {})}
    return Spec(for_phone(drawable), NARROW_WIDTH, height), Spec(drawable, WIDE_WIDTH, height)


def chart_image(figure: dict | None) -> ChartImage | None:
    """The figure's images if drawn; otherwise None, after drawing them (sync) or asking for them."""
    mode = current_app.config.get("CHART_IMAGES", "background")
    if not figure or mode == "off":
        return None
    images = store()
    specs = _specs(figure)
    variants = [Variant(images.key(spec), spec.width, spec.height) for spec in specs]
    missing = [(v, s) for v, s in zip(variants, specs, strict=True) if not images.has(v.key)]
    if missing and mode == "sync":
        for variant, spec in missing:
            images.write(variant.key, figure_to_svg(spec.figure, spec.width, spec.height))
    elif missing:
        if images.failed_recently():
            return None
        if all([images.ask(variant.key, spec) for variant, spec in missing]):
            request.environ[ASKED] = True  # else the queue is full: the page, with its tables, may be kept
        renderer_for(images, figure_to_svg).wake()
        return None
    return ChartImage(*variants)


def images_asked() -> bool:
    """Whether this request asked for images not drawn yet (a page showing it is not final)."""
    return bool(request.environ.get(ASKED))
