"""Flask extensions, created unbound and initialised by the application factory."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flask import current_app, has_request_context, request
from flask_babel import Babel, Domain
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, Executable, MetaData, Result, event
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are reproducible across databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base sharing the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# db.Model is a class built at runtime from Base; type checkers see only a variable, so they get Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()


class AppDomain(Domain):
    """Flask-Babel's message domain with its catalog cache kept per application.

    Flask-Babel caches loaded catalogs on the Babel object, which every app of the process
    shares: apps reading different catalog folders (tests, TRANSLATIONS_DIR) would mix them up.
    """

    def get_translations_cache(self, ctx: object) -> dict:
        """The loaded catalogs of the current application."""
        return current_app.extensions.setdefault("babel_translations_cache", {})


babel = Babel()
babel.domain_instance = AppDomain()
csrf = CSRFProtect()
compress = Compress()
login_manager = LoginManager()
# Limits apply only where a view asks for them (sign-in); storage is memory:// unless
# REDIS_URL (or RATELIMIT_STORAGE_URI) names a shared one for several gunicorn workers.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Redis (RedisCache) when REDIS_URL is set, shared by every worker and machine; otherwise NullCache
# and the page caches stay in the process (survey.dashboards.cache).
cache = Cache()
# E-mail; `survey.notifications.delivery` sends through SMTP when MAIL_SERVER is set, else to the log.
mail = Mail()


def run_core(statement: Executable, params: dict[str, Any]) -> Result:
    """Run a Core statement built once (no ORM objects: cheaper), flushing pending changes first as ORM queries do."""
    if db.session.autoflush:
        db.session.flush()  # returns at once when nothing is pending
    return db.session.execute(statement, params)


SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(engine: Engine) -> None:
    """On SQLite: WAL, a 30 s busy timeout, and requests that change data take the write lock at BEGIN."""
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)


def _sqlite_connect(dbapi_connection, connection_record) -> None:
    # SQLAlchemy's pysqlite recipe: the driver emits no BEGIN of its own (it would begin late and
    # break SAVEPOINT); _sqlite_begin does. WAL lets pages be read while someone saves.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    dbapi_connection.execute("PRAGMA journal_mode = WAL")


def _sqlite_begin(connection) -> None:
    # In WAL mode a transaction that has read cannot wait for the write lock: if another writer
    # committed meanwhile, SQLite fails at once ("database is locked"). So a request that changes
    # data takes the lock when it begins, and writers queue for up to the busy timeout instead.
    # (Sent to the driver directly: it is transaction control, not a query worth counting.)
    writes = has_request_context() and request.method not in READ_ONLY_METHODS
    connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if writes else "BEGIN")


def _lock_id(name: str) -> int:
    """A stable signed 64-bit number for a PostgreSQL advisory lock."""
    return int.from_bytes(hashlib.sha256(f"cyberready:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def migration_lock(engine: Engine, name: str) -> Iterator[None]:
    """On PostgreSQL, hold an advisory lock named `name` (workers starting together take turns); elsewhere nothing.

    SQLite needs none: its file lock already lets one writer in at a time, within the busy timeout.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT pg_advisory_lock(%s)", (_lock_id(name),))
        connection.commit()  # hold the (session-level) lock without an open transaction
        try:
            yield
        finally:
            connection.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (_lock_id(name),))
            connection.commit()
