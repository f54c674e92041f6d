"""Per-process caches of the dashboards, needs views, profiles and exports, keyed by all they depend on.

The key holds the reader's release levels and own country (what `released_condition` reads),
the language, the query parameters, and a stamp of the data: the latest change to any
assessment (releasing or withdrawing results updates `updated_at`), the number of
assessments, the state of regions and framework versions, the evidence files (exports
name them, and a country may add or share one after its release) and the latest change to any
project. Any change gives a new key, so a withdrawn release never stays on screen.

Two levels: what a page shows (its blocks, rendered once and shared by every reader with the
same key), and the whole page of one session (its header names the reader and carries their
form token) compressed once, so a reader coming back gets it without rendering or compressing.
Both mark the response `replayable`: with Redis, the same request under the same change-counter
version then gets it from `survey.caching.Replay` without running the app at all.

Both live in the process, or in Redis (Flask-Caching) when REDIS_URL is set, so that every
worker and machine shares them; then each process also keeps what it last served in front of
Redis (a key names all its entry depends on, so a kept entry is never out of date), and the data
stamp is kept under the change counter's version (`survey.caching`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from survey.assessments.models import Assessment
from survey.caching import VERSION_LIFETIME_S, BoundedCache, kept, replayable, shared, tolerant, version, watch
from survey.compression import Encoded, encode, send
from survey.evidence.models import EvidenceFile
from survey.extensions import cache, db
from survey.frameworks.models import FrameworkVersion
from survey.images.service import images_asked
from survey.permissions import Permission, can
from survey.projects.models import Project
from survey.publication.rules import visible_levels
from survey.regions.models import Membership, Region


def _canonical(value: Any) -> Any:
    """A key as plain JSON data that is the same in every process (sets sorted, no hash-seeded order)."""
    if isinstance(value, set | frozenset):
        return sorted((_canonical(item) for item in value), key=repr)
    if isinstance(value, tuple | list):
        return [_canonical(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)  # dates and times: their repr names every field


class SharedCache:
    """The BoundedCache interface over Flask-Caching's Redis store, with the process's own copies in front.

    The copies are never out of date: a key names everything its entry depends on, the data stamp
    included, and an entry is never replaced under the same key by a different one.
    """

    def __init__(self, namespace: str, size: int):
        """Entries under `namespace` (0 disables the cache); in Redis they expire after CACHE_DEFAULT_TIMEOUT."""
        self.namespace = namespace
        self.size = size
        self.local = BoundedCache(size)

    def _key(self, key: Any) -> str:
        text = json.dumps(_canonical(key), separators=(",", ":"), ensure_ascii=False)
        return f"{self.namespace}:{hashlib.sha256(text.encode()).hexdigest()}"

    def get(self, key: Any) -> Any:
        """The cached value, from this process or else from Redis, or None."""
        if self.size <= 0:
            return None
        found = self.local.get(key)
        if found is None:
            found = tolerant(lambda: cache.get(self._key(key)), fallback=None)
            if found is not None:
                self.local.put(key, found)
        return found

    def put(self, key: Any, value: Any) -> None:
        """Store a value (Redis's own memory policy and the timeout bound the size there)."""
        if self.size > 0:
            self.local.put(key, value)
            tolerant(lambda: cache.set(self._key(key), value), fallback=None)

    def clear(self) -> None:
        """Forget everything the application keeps in Redis and this process's copies (tests)."""
        self.local.clear()
        cache.clear()


class PageCaches:
    """What pages show, shared by readers, and whole compressed pages of one session."""

    def __init__(self, size: int, in_redis: bool = False):
        """Keep up to `size` of each, in this process or in Redis."""
        self.shared: BoundedCache | SharedCache = BoundedCache(size)
        self.personal: BoundedCache | SharedCache = BoundedCache(size)
        if in_redis:
            self.shared, self.personal = SharedCache("pages", size), SharedCache("session-pages", size)

    def clear(self) -> None:
        """Forget everything (tests)."""
        self.shared.clear()
        self.personal.clear()


def pages() -> PageCaches:
    """The application's page caches (one per app, so tests never share one)."""
    if "dashboard_pages" not in current_app.extensions:
        size = current_app.config.get("DASHBOARD_CACHE_SIZE", 256)
        current_app.extensions["dashboard_pages"] = PageCaches(size, shared())
    return current_app.extensions["dashboard_pages"]


def _stamp_query() -> sa.Select:
    return sa.select(
        sa.select(sa.func.max(Assessment.updated_at)).scalar_subquery(),
        sa.select(sa.func.count(Assessment.id)).scalar_subquery(),
        sa.select(sa.func.max(Membership.id)).scalar_subquery(),
        sa.select(sa.func.count(Region.id)).scalar_subquery(),
        sa.select(sa.func.max(FrameworkVersion.loaded_at)).scalar_subquery(),
        # Which files there are and which are public (the sum of public ids changes when one is shared).
        sa.select(sa.func.count(EvidenceFile.id)).scalar_subquery(),
        sa.select(sa.func.sum(EvidenceFile.id)).where(EvidenceFile.is_public.is_(True)).scalar_subquery(),
        sa.select(sa.func.max(Project.updated_at)).scalar_subquery(),
        sa.select(sa.func.count(Project.id)).scalar_subquery(),
    )


STAMP = _stamp_query()  # built once: this runs on every dashboard request
# Every commit changing what the stamp reads moves the change counter (survey.caching).
watch(Assessment, Membership, Region, FrameworkVersion, EvidenceFile, Project)


def data_stamp() -> tuple:
    """What the dashboards' data looked like: one query, or kept under the change counter's version."""
    seen = version()
    if seen is None:
        return tuple(db.session.connection().execute(STAMP).one())  # Core: the ORM adds nothing to a row of numbers
    stamp = kept("data-stamps", 4).get(seen)
    if stamp is None:
        # Redis too: after a change, one worker of all asks the database.
        stamp = tolerant(lambda: cache.get(f"data-stamp:{seen[0]}"), fallback=None)
        if stamp is None:
            stamp = tuple(db.session.connection().execute(STAMP).one())
            tolerant(lambda: cache.set(f"data-stamp:{seen[0]}", stamp, timeout=VERSION_LIFETIME_S), fallback=None)
        kept("data-stamps", 4).put(seen, stamp)
    return stamp


def viewer_key(viewer: Any) -> tuple:
    """The parts of a viewer that decide what is released to them."""
    authenticated = bool(getattr(viewer, "is_authenticated", False))
    return (
        authenticated,
        visible_levels(viewer),
        getattr(viewer, "country_id", None) if authenticated else None,
        _own_projects_key(viewer) if authenticated else None,
    )


def _own_projects_key(viewer: Any) -> int | None:
    """The account, for a reader who also sees the donor-level projects they recorded (an implementer)."""
    sees_all = can(viewer, Permission.RELEASE_READ_DONORS) or can(viewer, Permission.PROJECT_EDIT_ALL)
    return None if sees_all or not can(viewer, Permission.PROJECT_EDIT) else viewer.id


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
        replayable()
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
        replayable()  # the same request gets the same page, until the data changes (survey.caching.Replay)
    return send(encoded, "text/html")


def cached_download(build: Callable[[], tuple[bytes, str]], compress: bool) -> tuple[Encoded | bytes, str]:
    """A download's body and type from the cache, or built by `build()` and kept (compressed if text)."""
    key = ("download", page_key())
    hit = pages().shared.get(key)
    if hit is None:
        body, mimetype = build()
        hit = (encode(body) if compress else body, mimetype)
        pages().shared.put(key, hit)
    replayable()
    return hit
