"""What a process keeps between requests, and the one counter that tells every process when to look again.

`BoundedCache` is a least-recently-used mapping in the process; `kept(name)` is the application's
own one of that name (tests build several applications in one process).

With a shared store (REDIS_URL), every commit that changes a watched model (`watch`) increments
one counter there. A request reads it once (`version`), before anything it reads from the
database; what a process keeps under that version then stays true until the counter moves, so
the signed-in account and the dashboards' data stamp need no query on most requests, on any
worker or machine. Reading it costs no round trip either while it stands still: Redis tracks the
key for the process (`TrackedCounter`) and pushes a note when anyone changes it. Changes made
outside the application (psql) do not move the counter, so the version also changes every
VERSION_LIFETIME_S seconds. Without a shared store there is no counter (None): other workers may
have changed the data unseen, so callers ask the database.

Redis out of reach is no reason to fail a request: the version is then None (callers ask the
database), a shared cache is a miss, and a commit whose count cannot be written still stands (the
time limit bounds what other processes miss); this is logged at most once a minute per application.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_app_context, request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from survey.extensions import db

VERSION_KEY = "data-stamp-version"  # the name it had when it counted the dashboards' changes only
VERSION_LIFETIME_S = 60
RECHECK_S = 1.0  # the change counter is read at least this often, notes or not
WATCHED: set[type] = set()
# What a shared store that cannot be reached raises (the redis package is an optional extra).
REDIS_ERRORS: tuple[type[Exception], ...] = ()
try:
    import redis
except ImportError:  # pragma: no cover - without the extra there is no Redis to fail
    pass
else:
    REDIS_ERRORS = (redis.RedisError,)
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
        _out_of_reach(error)
        return fallback


def _out_of_reach(error: Exception) -> None:
    """Say that Redis is out of reach, at most once a minute per application."""
    last_warning = current_app.extensions.setdefault("survey.redis_warned", [float("-inf")])
    if time.monotonic() - last_warning[0] > 60:
        last_warning[0] = time.monotonic()
        current_app.logger.warning("Redis out of reach, asking the database instead: %s", error)


class TrackedCounter:
    """A counter in Redis as this process last read it, read again only once Redis says it changed.

    The counter has a connection of its own (RESP3) on which Redis tracks the key (CLIENT
    TRACKING): a change by anyone pushes an invalidation there, which the next read finds already
    arrived with a non-blocking look at the socket, instead of a round trip (some 0.2 ms of a
    worker's CPU, a third of a cached page). The process making a change returns only once Redis
    has sent the notes (`increment`), so no reader can ask another server before its note is on its
    way. Any doubt (a note, a new connection, a fork, an error) reads the counter again, and so does
    a read a second after the last one.
    """

    _all: weakref.WeakSet[TrackedCounter] = weakref.WeakSet()

    def __init__(self, url: str, key: str, options: dict[str, Any]):
        """The counter at `key` of the Redis at `url`, with the client's `options` (timeouts)."""
        self._pool = redis.ConnectionPool.from_url(url, protocol=3, **options)
        self._key = key
        self._connection: Any = None
        self._value: int | None = None  # None: read it again
        self._read_at = float("-inf")
        self._lock = threading.Lock()
        TrackedCounter._all.add(self)

    def read(self) -> int:
        """The counter's value (0 while it does not exist); raises what the Redis client raises."""
        with self._lock:
            try:
                try:
                    return self._read()
                except redis.ConnectionError:  # closed by Redis (a restart, an idle timeout): once more
                    self._drop()
                    return self._read()
            except BaseException:
                self._drop()
                raise

    def _read(self) -> int:
        connection = self._connected()
        while connection.can_read(timeout=0):  # something pushed since: the key changed
            connection.read_response(push_request=True)
            self._value = None
        # Read anyway now and then: a connection a firewall dropped in silence brings no notes.
        if self._value is None or time.monotonic() > self._read_at + RECHECK_S:
            connection.send_command("GET", self._key)
            self._value = int(connection.read_response() or 0)
            self._read_at = time.monotonic()
        return self._value

    def increment(self) -> None:
        """Add one, and return only once Redis has sent its notes to every process tracking the counter."""
        with self._lock:
            try:
                connection = self._connected()
                connection.send_command("INCR", self._key)
                connection.read_response()
                self._value = None
                # Redis writes the notes in the same pass as the answer, just after it: an answer to a
                # second command comes from a later pass, so the notes are out (measured: without
                # this, a few changes in 10,000 were not yet in the reader's socket when it looked).
                connection.send_command("PING")
                connection.read_response()  # reading past this process's own note
            except BaseException:
                self._drop()
                raise

    def _connected(self) -> Any:
        if self._connection is None:
            connection = self._pool.make_connection()  # not pooled: the one connection Redis tracks for us
            connection.register_connect_callback(self._track)  # also after the client reconnects by itself
            connection.connect()
            self._connection = connection
        return self._connection

    def _track(self, connection: Any) -> None:
        connection.send_command("CLIENT", "TRACKING", "ON")
        connection.read_response()
        self._value = None  # what was read on an earlier connection has no note coming

    def _drop(self) -> None:
        connection, self._connection, self._value = self._connection, None, None
        if connection is not None:
            connection.disconnect()

    @classmethod
    def _after_fork(cls) -> None:
        # The parent's socket and notes are the parent's: a new connection, read again.
        for counter in list(cls._all):
            counter._connection, counter._value, counter._lock = None, None, threading.Lock()


os.register_at_fork(after_in_child=TrackedCounter._after_fork)


def _counter() -> TrackedCounter:
    """The application's change counter in Redis."""
    found = current_app.extensions.get("survey.change_counter")
    if found is None:
        config = current_app.config
        prefix = config.get("CACHE_KEY_PREFIX", "")
        # Named, so that CLIENT LIST tells what the connection is for.
        options = {**config.get("CACHE_OPTIONS", {}), "client_name": f"{prefix}change-counter"}
        counter = TrackedCounter(config["CACHE_REDIS_URL"], prefix + VERSION_KEY, options)
        found = current_app.extensions.setdefault("survey.change_counter", counter)
    return found


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
        if VERSION_SEEN in request.environ:  # read by `Replay` before the app ran (None: it could not)
            g.data_version = request.environ[VERSION_SEEN]
            if (error := request.environ.get(VERSION_ERROR)) is not None:
                _out_of_reach(error)
        else:
            count = tolerant(_counter().read, fallback=None)
            g.data_version = None if count is None else _versioned(count)  # None: Redis out of reach
    return g.data_version


def _versioned(count: int) -> tuple[int, int]:
    return count, int(time.monotonic() // VERSION_LIFETIME_S)


# --- Whole responses replayed --------------------------------------------------------------------

VERSION_SEEN = "cyberready.version_seen"  # request environ keys
VERSION_ERROR = "cyberready.version_error"
REPLAYABLE = "cyberready.replayable"
# What of a request a page may depend on, besides the data (the version) and what the app knows.
REQUEST_PARTS = (
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_ACCEPT_LANGUAGE",
)


def replayable() -> None:
    """Mark this request's response as the same for the same request under the same data version."""
    request.environ[REPLAYABLE] = True


class Replay:
    """WSGI middleware giving a response marked `replayable` again, byte for byte, without running the app.

    A marked response is kept under everything the request holds that a page can depend on (address,
    cookies, accepted encodings and languages) and the change counter's version, which moves with
    every commit to a watched model: a sign-out, a role change or a release anywhere gives another
    version, so another key. Only answers that set no cookie are kept (a flashed message, a new
    form token). Without a shared store there is no version to trust, and nothing is replayed.
    """

    def __init__(self, wsgi_app: Callable, app: Flask, size: int):
        """Wrap `wsgi_app` (the app's own); keep up to `size` responses in this process."""
        self.wsgi_app, self.app, self.kept = wsgi_app, app, BoundedCache(size)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Answer from what was kept, or run the app and keep what it marked."""
        counter = self.app.extensions.get("survey.change_counter")  # made by the first request that needs it
        if environ.get("REQUEST_METHOD") != "GET" or counter is None or self.kept.size <= 0:
            return self.wsgi_app(environ, start_response)
        try:
            seen = _versioned(counter.read())
        except STORE_ERRORS as error:  # the app says it (once a minute) and asks the database, not Redis again
            environ[VERSION_SEEN], environ[VERSION_ERROR] = None, error
            return self.wsgi_app(environ, start_response)
        key = (seen, *(environ.get(name) for name in REQUEST_PARTS))
        if (hit := self.kept.get(key)) is not None:
            status, headers, body = hit
            start_response(status, list(headers))
            return [body]
        environ[VERSION_SEEN] = seen  # the page is built under the version it is kept under
        answer: list = []

        def noting(status: str, headers: list, exc_info: Any = None) -> Callable:
            answer[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, noting)
        if not environ.get(REPLAYABLE) or not answer or not answer[0].startswith("200 "):
            return body
        if any(name.lower() == "set-cookie" for name, _value in answer[1]):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self.kept.put(key, (answer[0], tuple(answer[1]), content))
        return [content]


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
        tolerant(_counter().increment, fallback=None)  # the commit stands either way
        g.pop("data_version", None)  # what this request reads next is newer than the version it read


@event.listens_for(db.session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop("watched_changed", None)
