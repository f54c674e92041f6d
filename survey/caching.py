"""What a process keeps between requests, and the one counter that tells every process when to look again.

`BoundedCache` is a least-recently-used mapping in the process; `kept(name)` is the application's
own one of that name (tests build several applications in one process).

With a shared store (REDIS_URL), every commit that changes a watched model (`watch`) increments
one counter there. A request reads it once (`version`), before anything it reads from the
database; what a process keeps under that version then stays true until the counter moves, so
the signed-in account and the dashboards' data stamp need no query on most requests, on any
worker or machine. Changes made outside the application (psql) do not move the counter, so the
version also changes every VERSION_LIFETIME_S seconds. Without a shared store there is no
counter (None): other workers may have changed the data unseen, so callers ask the database.

Redis out of reach is no reason to fail a request: the version is then None (callers ask the
database), a shared cache is a miss, and a commit whose count cannot be written still stands (the
time limit bounds what other processes miss); this is logged at most once a minute per application.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from survey.extensions import cache, db

VERSION_KEY = "data-stamp-version"  # the name it had when it counted the dashboards' changes only
VERSION_LIFETIME_S = 60
WATCHED: set[type] = set()
# What a shared store that cannot be reached raises (the redis package is an optional extra).
REDIS_ERRORS: tuple[type[Exception], ...] = ()
try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - without the extra there is no Redis to fail
    pass
else:
    REDIS_ERRORS = (RedisError,)
STORE_ERRORS: tuple[type[Exception], ...] = (OSError, *REDIS_ERRORS)
T = TypeVar("T")


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


def kept(name: str, size: int) -> BoundedCache:
    """The current application's BoundedCache of this name, made with `size` entries on first use."""
    found = current_app.extensions.get(f"survey.kept.{name}")
    if found is None:
        found = current_app.extensions.setdefault(f"survey.kept.{name}", BoundedCache(size))
    return found


def tolerant(call: Callable[[], T], fallback: T) -> T:
    """The shared store's answer, or `fallback` (and a warning, once a minute) when it cannot be reached."""
    try:
        return call()
    except STORE_ERRORS as error:
        last_warning = current_app.extensions.setdefault("survey.redis_warned", [float("-inf")])
        if time.monotonic() - last_warning[0] > 60:
            last_warning[0] = time.monotonic()
            current_app.logger.warning("Redis out of reach, asking the database instead: %s", error)
        return fallback


def shared() -> bool:
    """Whether the caches live in Redis, shared by every worker and machine."""
    return current_app.config.get("CACHE_TYPE") == "RedisCache"


def watch(*models: type) -> None:
    """Count commits that change these models (what some cache was built from)."""
    WATCHED.update(models)


def version() -> tuple[int, int] | None:
    """The version of the watched data for this request (read once, first), or None without a shared store."""
    if not shared():
        return None
    if "data_version" not in g:
        count = tolerant(lambda: cache.get(VERSION_KEY), fallback=False)
        bucket = int(time.monotonic() // VERSION_LIFETIME_S)
        g.data_version = None if count is False else (int(count or 0), bucket)  # None: Redis out of reach
    return g.data_version


def _watched(item: object) -> bool:
    return isinstance(item, tuple(WATCHED))


@event.listens_for(db.session, "before_flush")
def _note_changes(session: Session, flush_context: Any, instances: Any) -> None:
    if any(_watched(item) for item in (*session.new, *session.dirty, *session.deleted)):
        session.info["watched_changed"] = True


@event.listens_for(db.session, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and issubclass(mapper.class_, tuple(WATCHED)):
        state.session.info["watched_changed"] = True


@event.listens_for(db.session, "after_commit")
def _count_changes(session: Session) -> None:
    if session.info.pop("watched_changed", False) and has_app_context() and shared():
        tolerant(lambda: cache.cache.inc(VERSION_KEY), fallback=None)  # the commit stands either way
        g.pop("data_version", None)  # what this request reads next is newer than the version it read


@event.listens_for(db.session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop("watched_changed", None)
