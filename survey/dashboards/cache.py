"""Per-process caches of the dashboards, needs views, profiles and exports, keyed by all they depend on.

The key holds the reader's release levels and own country (what `released_condition` reads),
the language, the query parameters, and a stamp of the data: the latest change to any
assessment (releasing or withdrawing results updates `updated_at`), the number of
assessments, the state of regions and framework versions, and the latest change to any project.
Any change gives a new key, so a withdrawn release never stays on screen.

Two levels: what a page shows (its blocks, rendered once and shared by every reader with the
same key), and the whole page of one session (its header names the reader and carries their
form token) compressed once, so a reader coming back gets it without rendering or compressing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from survey.assessments.models import Assessment
from survey.compression import Encoded, encode, send
from survey.extensions import db
from survey.frameworks.models import FrameworkVersion
from survey.images.service import images_asked
from survey.projects.models import Project
from survey.publication.rules import visible_levels
from survey.regions.models import Membership, Region


class BoundedCache:
    """Least-recently-used mapping with a maximum size, safe across threads."""

    def __init__(self, size: int = 256):
        """Keep at most `size` entries (0 disables the cache)."""
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        """The cached value, or None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        """Store a value, dropping the least recently used beyond the size."""
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._items.clear()


class PageCaches:
    """What pages show, shared by readers, and whole compressed pages of one session."""

    def __init__(self, size: int):
        """Keep up to `size` of each."""
        self.shared = BoundedCache(size)
        self.personal = BoundedCache(size)

    def clear(self) -> None:
        """Forget everything (tests)."""
        self.shared.clear()
        self.personal.clear()


def pages() -> PageCaches:
    """The application's page caches (one per app, so tests never share one)."""
    if "dashboard_pages" not in current_app.extensions:
        size = current_app.config.get("DASHBOARD_CACHE_SIZE", 256)
        current_app.extensions["dashboard_pages"] = PageCaches(size)
    return current_app.extensions["dashboard_pages"]


def _stamp_query() -> sa.Select:
    return sa.select(
        sa.select(sa.func.max(Assessment.updated_at)).scalar_subquery(),
        sa.select(sa.func.count(Assessment.id)).scalar_subquery(),
        sa.select(sa.func.max(Membership.id)).scalar_subquery(),
        sa.select(sa.func.count(Region.id)).scalar_subquery(),
        sa.select(sa.func.max(FrameworkVersion.loaded_at)).scalar_subquery(),
        sa.select(sa.func.max(Project.updated_at)).scalar_subquery(),
        sa.select(sa.func.count(Project.id)).scalar_subquery(),
    )


STAMP = _stamp_query()  # built once: this runs on every dashboard request


def data_stamp() -> tuple:
    """What the dashboards' data looked like: one query."""
    return tuple(db.session.execute(STAMP).one())


def viewer_key(viewer: Any) -> tuple:
    """The parts of a viewer that decide what is released to them."""
    authenticated = bool(getattr(viewer, "is_authenticated", False))
    return (
        authenticated,
        visible_levels(viewer),
        getattr(viewer, "country_id", None) if authenticated else None,
    )


def page_key() -> tuple:
    """Everything a page or download of this request shows depends on: address, reader, language, data."""
    return (
        request.endpoint,
        tuple(sorted((request.view_args or {}).items())),
        tuple(sorted(request.args.items(multi=True))),
        str(get_locale()),
        viewer_key(current_user),
        data_stamp(),
    )


def _session_key() -> tuple | None:
    """What the page's header shows of this session, or None when it must not be kept (a message to show)."""
    if session.get("_flashes"):
        return None
    user = current_user
    who = (user.id, user.username, user.roles, user.country_id) if user.is_authenticated else None
    # The form token is kept as rendered: it stays valid for the session (no time limit).
    return who, session.get("csrf_token"), request.full_path


BLOCKS = ("title", "head", "content", "scripts")


def _render_blocks(template_name: str, context: dict) -> dict[str, Markup]:
    """A page's own blocks rendered alone, to be put in the site's layout later (dashboards/_cached.html)."""
    template = current_app.jinja_env.get_or_select_template(template_name)
    values = dict(context)
    current_app.update_template_context(values)
    rendered = template.new_context(values)
    return {
        name: Markup("".join(template.blocks[name](rendered)))  # noqa: S704 - rendered by Jinja with autoescape
        for name in BLOCKS
        if name in template.blocks
    }


def cached_page(template_name: str, build: Callable[[], dict]) -> Response:
    """A page from the caches, or rendered from `build()`'s context, compressed once and kept."""
    key = page_key()
    personal = _session_key()
    caches = pages()
    if personal is not None and (hit := caches.personal.get((key, personal))) is not None:
        return send(hit, "text/html")
    blocks = caches.shared.get(key)
    if blocks is None:
        blocks = _render_blocks(template_name, build())
        if not images_asked():  # the page will look different once its chart images are drawn
            caches.shared.put(key, blocks)
    encoded = encode(render_template("dashboards/_cached.html", **blocks).encode())
    personal = _session_key()  # rendering may have started the session's form token
    if personal is not None and not images_asked():
        caches.personal.put((key, personal), encoded)
    return send(encoded, "text/html")


def cached_download(build: Callable[[], tuple[bytes, str]], compress: bool) -> tuple[Encoded | bytes, str]:
    """A download's body and type from the cache, or built by `build()` and kept (compressed if text)."""
    key = ("download", page_key())
    hit = pages().shared.get(key)
    if hit is None:
        body, mimetype = build()
        hit = (encode(body) if compress else body, mimetype)
        pages().shared.put(key, hit)
    return hit
