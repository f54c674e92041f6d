"""A small per-process cache of rendered dashboard bodies, keyed by everything they depend on.

The key holds the reader's release levels and own country (what `released_condition` reads),
the language, the query parameters, and a stamp of the data: the latest change to any
assessment (releasing or withdrawing results updates `updated_at`), the number of
assessments, and the state of regions and framework versions. Any change gives a new key,
so a withdrawn release never stays on screen.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa
from flask import current_app

from survey.assessments.models import Assessment
from survey.extensions import db
from survey.frameworks.models import FrameworkVersion
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


def pages() -> BoundedCache:
    """The application's cache of dashboard pages (one per app, so tests never share one)."""
    if "dashboard_pages" not in current_app.extensions:
        size = current_app.config.get("DASHBOARD_CACHE_SIZE", 256)
        current_app.extensions["dashboard_pages"] = BoundedCache(size)
    return current_app.extensions["dashboard_pages"]


def _stamp_query() -> sa.Select:
    return sa.select(
        sa.select(sa.func.max(Assessment.updated_at)).scalar_subquery(),
        sa.select(sa.func.count(Assessment.id)).scalar_subquery(),
        sa.select(sa.func.max(Membership.id)).scalar_subquery(),
        sa.select(sa.func.count(Region.id)).scalar_subquery(),
        sa.select(sa.func.max(FrameworkVersion.loaded_at)).scalar_subquery(),
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
