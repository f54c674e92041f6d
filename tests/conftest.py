"""Fixtures: an app per database backend, a client, signed-in users, demo data."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient

from survey import create_app
from survey.config import TestConfig
from survey.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]


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
REQUEST_CACHES = ("_login_user", "babel_locale", "babel_translations", "babel_tzinfo")


def reset_rate_limits() -> None:
    """Each test starts with no failed sign-ins counted (the limiter's storage is per process)."""
    from survey.extensions import limiter

    limiter.reset()


def forget_request_state() -> None:
    """Drop the signed-in user and locale cached in `g` by the previous test request."""
    for name in REQUEST_CACHES:
        g.pop(name, None)


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path) -> Iterator[Flask]:
    """An application on a fresh schema with countries and the shipped framework."""
    url = database_url(request.param, tmp_path)
    application = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    application.before_request(forget_request_state)
    reset_rate_limits()
    with application.app_context():
        db.drop_all()
        db.create_all()
        from survey.frameworks.services import ensure_default_framework
        from survey.regions.services import ensure_regions

        ensure_default_framework()
        ensure_regions()
        db.session.commit()
        yield application
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client."""
    return app.test_client()


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo accounts, cycles and assessments."""
    from survey.demo import load_demo

    load_demo()
    db.session.commit()


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


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
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
