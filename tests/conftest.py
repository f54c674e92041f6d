"""Fixtures: an app per database backend, a client, signed-in users, demo data.

The schema, countries, framework and regions, and (for tests that ask for `demo`) the demo data
are built once per test session and backend. Each test runs inside one outer transaction that
is rolled back at its end; the session joins it with SAVEPOINTs, so a request's
`db.session.commit()` stays inside the test. Tests whose commits other connections must see (a
server in a thread, a subprocess, concurrent sessions) use `committed_app`; tests that need an
application of their own (other catalogs, the development configuration) use `make_app`.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask, g
from flask.testing import FlaskClient

from survey import create_app
from survey.config import Config, TestConfig
from survey.extensions import db
from tests.browsing import CHROMIUM_FLAGS

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]
# "empty": countries, the shipped framework and the regions; "demo": the demo data as well.
DATASETS = ("empty", "demo")
# Parallel runs (pytest-xdist) each get PostgreSQL schemas of their own.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

# A commit inside a test releases a SAVEPOINT of the test's transaction instead of committing it.
db.session.session_factory.configure(join_transaction_mode="create_savepoint")


def database_url(backend: str, tmp_path) -> str:
    """The URL for a backend; PostgreSQL runs when TEST_DATABASE_URL is set (always in CI)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the suite on PostgreSQL: set TEST_DATABASE_URL")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (set by .ci/run)")
    return PG_URL


# The fixture keeps an app context open so tests can query the database; Flask then reuses it
# (and its `g`) for every test request, so per-request caches must be dropped by hand.
REQUEST_CACHES = ("_login_user", "babel_locale", "babel_translations", "babel_tzinfo", "data_version")


def reset_rate_limits() -> None:
    """Each test starts with no failed sign-ins counted, in memory (the limiter's storage is per process)."""
    from survey.extensions import limiter

    in_memory_rate_limits()
    limiter.reset()


def forget_request_state() -> None:
    """Drop the signed-in user and locale cached in `g` by the previous test request."""
    for name in REQUEST_CACHES:
        g.pop(name, None)


def forget_page_cache(app: Flask) -> None:
    """Drop the dashboard pages an earlier test cached: its data was rolled back."""
    app.extensions.pop("dashboard_pages", None)


def fill(dataset: str) -> None:
    """Countries, the shipped framework and the regions, and the demo data for "demo"."""
    from survey.demo import load_demo
    from survey.frameworks.services import ensure_default_framework
    from survey.regions.services import ensure_regions

    ensure_default_framework()
    ensure_regions()
    if dataset == "demo":
        load_demo()
    db.session.commit()


def in_schema(schema: str) -> dict:
    """Engine options that put every table of a PostgreSQL connection in this schema."""
    return {**TestConfig.SQLALCHEMY_ENGINE_OPTIONS, "connect_args": {"options": f"-csearch_path={schema}"}}


def recreate_schema(schema: str, drop_only: bool = False) -> None:
    """An empty PostgreSQL schema of this name (or none at all)."""
    engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        if not drop_only:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()


def postgresql_app(schema: str, dataset: str, **overrides) -> Flask:
    """An application on a new PostgreSQL schema holding a data set."""
    recreate_schema(schema)
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=PG_URL,
        SQLALCHEMY_ENGINE_OPTIONS=in_schema(schema),
        TEST_SCHEMA=schema,
        **overrides,
    )
    with app.app_context():
        db.create_all()
        fill(dataset)
    return app


def close(app: Flask) -> None:
    """Close the application's sessions and connections."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class SqliteFiles:
    """SQLite databases of each data set, built once per session and copied for every use."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, dataset: str) -> Path:
        """The pristine file of a data set (never opened by a test).

        "development" is what the first start of the development app leaves: migrated, with demo data.
        """
        path = self.folder / f"{dataset}.sqlite"
        if path.exists():
            return path
        if dataset == "development":
            close(create_app(Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}"))
            return path
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
        with app.app_context():
            db.create_all()
            fill(dataset)
        close(app)
        return path

    def copy(self, dataset: str, target: Path) -> str:
        """The URL of a fresh copy of a data set."""
        shutil.copyfile(self.path(dataset), target)
        return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def sqlite_files(tmp_path_factory) -> SqliteFiles:
    """The session's prebuilt SQLite databases."""
    return SqliteFiles(tmp_path_factory.mktemp("databases"))


class Databases:
    """The applications of one backend, one per data set, built on first use."""

    def __init__(self, backend: str, files: SqliteFiles, folder: Path):
        self.backend, self.files, self.folder = backend, files, folder
        self.apps: dict[str, Flask] = {}

    def app(self, dataset: str) -> Flask:
        """The application on this data set."""
        if dataset not in self.apps:
            self.apps[dataset] = self._build(dataset)
        return self.apps[dataset]

    def _build(self, dataset: str) -> Flask:
        if self.backend == "sqlite":
            url = self.files.copy(dataset, self.folder / f"{dataset}.sqlite")
            # The app lets SQLAlchemy, not pysqlite, begin transactions (survey.extensions.configure_sqlite),
            # so the tests' SAVEPOINTs nest inside the outer transaction.
            app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, TEST_DATASET=dataset)
        else:
            app = postgresql_app(f"test_{dataset}_{WORKER}", dataset, TEST_DATASET=dataset)
        app.before_request(forget_request_state)
        return app

    def close(self) -> None:
        """Close every connection and drop the PostgreSQL schemas."""
        for app in self.apps.values():
            close(app)
            if app.config.get("TEST_SCHEMA"):
                recreate_schema(app.config["TEST_SCHEMA"], drop_only=True)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    """The database backend: every test that uses the database runs on SQLite and on PostgreSQL."""
    if request.param == "postgresql":
        database_url("postgresql", None)  # skips (or fails in CI) without TEST_DATABASE_URL
    return request.param


@pytest.fixture(scope="session")
def databases(backend, sqlite_files, tmp_path_factory) -> Iterator[Databases]:
    """The session's databases on this backend."""
    registry = Databases(backend, sqlite_files, tmp_path_factory.mktemp(backend))
    yield registry
    registry.close()


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in one transaction of its own, rolled back at the end; sessions nest SAVEPOINTs in it.

    Inside a test (already in such a transaction) the block runs in a SAVEPOINT that is rolled back.
    """
    engines = cast(dict, db.engines)
    engine = engines[None]
    if isinstance(engine, sa.Connection):
        db.session.remove()
        savepoint = engine.begin_nested()
        try:
            yield
        finally:
            db.session.remove()
            if savepoint.is_active:
                savepoint.rollback()
        return
    connection = engine.connect()
    transaction = connection.begin()
    engines[None] = connection  # Flask-SQLAlchemy's sessions bind to what this names
    try:
        yield
    finally:
        db.session.remove()
        engines[None] = engine
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture
def app(request, databases) -> Iterator[Flask]:
    """An application with countries, the shipped framework and regions; what the test writes is rolled back.

    A test that also asks for `demo` gets the database holding the demo data.
    """
    application = databases.app("demo" if "demo" in request.fixturenames else "empty")
    reset_rate_limits()
    forget_page_cache(application)
    with application.app_context(), rolled_back():
        yield application


@pytest.fixture
def demo() -> None:
    """The demo accounts, cycles and assessments: `app` (or `committed_app`) then holds them."""


@pytest.fixture
def committed_app(request, backend, sqlite_files, tmp_path) -> Iterator[Flask]:
    """An application whose commits are real, for a server in a thread, a subprocess or concurrent sessions.

    Slower than `app`: its database is built for the test and dropped after it. Tests using it are
    marked `committed`.
    """
    dataset = "demo" if "demo" in request.fixturenames else "empty"
    if backend == "sqlite":
        url = sqlite_files.copy(dataset, tmp_path / "committed.sqlite")
        application = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    else:
        application = postgresql_app(f"test_committed_{WORKER}", dataset)
    application.before_request(forget_request_state)
    reset_rate_limits()
    with application.app_context():
        yield application
    close(application)
    if application.config.get("TEST_SCHEMA"):
        recreate_schema(application.config["TEST_SCHEMA"], drop_only=True)


def pytest_collection_modifyitems(items) -> None:
    """Mark the tests that commit for real, so they can be selected or left out."""
    for item in items:
        if "committed_app" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.committed)


@pytest.fixture
def make_app(tmp_path, monkeypatch, sqlite_files) -> Iterator[Callable[..., Flask]]:
    """Builds applications of their own, on SQLite files of their own, with real commits.

    `make_app(translations)` reads the catalogs of that folder. With the test configuration the
    database holds `data` ("empty": countries, framework, regions; "demo"; None: no tables).
    `config=Config` or `config=None` starts as a developer's app does, in an instance folder in
    `tmp_path`: the first start migrates and loads the demo data, unless `restart=True` finds the
    database a first start left. Overrides go to `create_app`.
    """
    apps: list[Flask] = []

    def build(
        translations: Path | None = None,
        *,
        config=TestConfig,
        data: str | None = "empty",
        restart: bool = False,
        **overrides,
    ) -> Flask:
        if translations is not None:
            overrides["TRANSLATIONS_DIR"] = str(translations)
        if config is None or config.AUTO_MIGRATE:
            monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
            monkeypatch.delenv("DATABASE_URL", raising=False)
            if restart:
                sqlite_files.copy("development", tmp_path / "cyberready.sqlite")
        elif "SQLALCHEMY_DATABASE_URI" not in overrides:
            target = tmp_path / f"app{len(apps)}.sqlite"
            overrides["SQLALCHEMY_DATABASE_URI"] = sqlite_files.copy(data, target) if data else f"sqlite:///{target}"
        application = create_app(config, **overrides)
        apps.append(application)
        return application

    yield build
    for application in apps:
        close(application)
    if apps:
        in_memory_rate_limits()


def in_memory_rate_limits() -> None:
    """Put the process's rate limits back on in-memory counters, as the suite's other apps expect.

    Flask-Limiter keeps one storage for the process, the one of the app built last: an app built
    with Redis (or with a Redis out of reach) would otherwise count, or fail, for the tests after it.
    """
    from survey.extensions import limiter

    probe = Flask("rate-limits")
    probe.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter.init_app(probe)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client."""
    return app.test_client()


class Auth:
    """Signs the test client in and out."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, username: str, password: str = "demo"):
        """Sign in and return the response."""
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        """Sign out."""
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    """Sign-in helper."""
    return Auth(client)


# Statements of the test's transaction handling, not of the code under test.
TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not TRANSACTION_CONTROL.match(statement):
            statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def assessment_id_from(location: str) -> int:
    """The assessment id in a redirect location."""
    return int(re.search(r"/assessments/(\d+)", location).group(1))


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """Debian's Chromium, which CI must have; elsewhere the browser tests are skipped without it."""
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser tests: install Debian's chromium (see .ci/run)")
    pytest.skip("browser tests need Chromium (Debian package 'chromium')")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test process, shared by the browser tests (a start costs a second or two).

    Each test opens contexts of its own (cookies, storage, viewport) and closes them.
    """
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


# A real SMTP server for the tests that send e-mail.


class Inbox:
    """What an SMTP server received; it answers "try again later" while `failing`."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.failing = False
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.failing:
            return "451 4.3.0 Mailbox busy, try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch) -> Iterator[Inbox]:
    """A real SMTP server in this process, and the app set to send through it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    yield inbox
    controller.stop()
