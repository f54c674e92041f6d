"""A new installation: reference data from `flask setup`, no demo data in production, commands that start at once."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from survey import create_app
from survey.accounts.models import User
from survey.assessments.models import Assessment
from survey.config import ProductionConfig, TestConfig
from survey.extensions import db
from tests.conftest import BACKENDS, database_url

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Accra-central-bank-1"  # noqa: S105 - a test password that passes the rules
PRODUCTION_SECRET = "a-production-secret-of-40-characters-xx"  # noqa: S105


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path) -> str:
    """A database URL per backend, for apps built by the test itself."""
    return database_url(request.param, tmp_path)


@pytest.fixture
def empty_schema(database) -> Iterator[None]:
    """The tables, with no reference data at all (what `flask db upgrade` leaves)."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def built(config: type, database: str, **overrides) -> Flask:
    return create_app(config, SQLALCHEMY_DATABASE_URI=database, **overrides)


def test_setup_loads_reference_data_once_and_keeps_what_an_admin_changed(database, empty_schema, tmp_path):
    import yaml

    from survey.frameworks.definition import default_framework_path
    from survey.frameworks.models import FrameworkVersion
    from survey.regions.models import Region

    app = built(ProductionConfig, database, SECRET_KEY=PRODUCTION_SECRET)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "framework: cyberready 2026.1 loaded" in first.output
    created = runner.invoke(
        args=["users", "create", "gh-coord", "--role", "coordinator", "--country", "GH", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert created.exit_code == 0, created.output
    client = app.test_client()
    assert client.get("/api/v1/countries/GH").status_code == 200
    assert "ecowas" in client.get("/api/v1/regions").get_data(as_text=True)
    data = yaml.safe_load(default_framework_path().read_text(encoding="utf-8"))
    data["pillars"][0]["indicators"][0]["guidance"] = "Guidance edited by the ministry."
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert runner.invoke(args=["framework", "load", str(edited)]).exit_code == 0
    with app.app_context():
        db.session.scalar(sa.select(Region).where(Region.code == "ecowas")).name = "ECOWAS, as we name it"
        db.session.commit()
        checksum = db.session.scalar(sa.select(FrameworkVersion.checksum))
        db.session.remove()
    again = runner.invoke(args=["setup"])
    assert again.exit_code == 0, again.output
    assert "countries: 0 added" in again.output and "left as it is" in again.output
    with app.app_context():
        assert db.session.scalar(sa.select(Region.name).where(Region.code == "ecowas")) == "ECOWAS, as we name it"
        assert db.session.scalars(sa.select(FrameworkVersion.checksum)).all() == [checksum]
        db.session.remove()
        db.engine.dispose()


def test_production_refuses_the_demo_data_variable_on_any_database(tmp_path):
    with pytest.raises(RuntimeError, match="DEMO_DATA"):
        built(ProductionConfig, f"sqlite:///{tmp_path / 'x.sqlite'}", SECRET_KEY=PRODUCTION_SECRET, DEMO_DATA=True)


def test_demo_commands_refuse_the_production_configuration(database, empty_schema):
    app = built(ProductionConfig, database, SECRET_KEY=PRODUCTION_SECRET)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    for command in (
        ["demo", "load"],
        ["demo", "synthetic", "--countries", "2", "--cycles", "1", "--i-know-this-is-not-production"],
    ):
        result = runner.invoke(args=command)
        assert result.exit_code != 0
        assert "production configuration" in result.output and "demo data" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Assessment.id))) == 0
        db.session.remove()
        db.engine.dispose()


def test_synthetic_data_needs_sqlite_or_the_explicit_flag(app):
    result = app.test_cli_runner().invoke(args=["demo", "synthetic", "--countries", "1", "--cycles", "1"])
    if db.engine.dialect.name == "sqlite":
        assert result.exit_code == 0 and "1 synthetic assessments added" in result.output
    else:
        assert result.exit_code != 0 and "--i-know-this-is-not-production" in result.output
        assert db.session.scalar(sa.select(sa.func.count(Assessment.id))) == 0


def test_production_with_in_memory_counters_logs_one_warning(tmp_path, caplog):
    database = f"sqlite:///{tmp_path / 'x.sqlite'}"
    with caplog.at_level(logging.WARNING):
        built(ProductionConfig, database, SECRET_KEY=PRODUCTION_SECRET)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "memory://" in warnings[0] and 'pip install "cyberready[redis]"' in warnings[0]
    pytest.importorskip("redis", reason="the `redis` extra is part of the `test` extra")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        built(ProductionConfig, database, SECRET_KEY=PRODUCTION_SECRET, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379")
    assert [r for r in caplog.records if r.levelno == logging.WARNING] == []


def test_a_development_start_that_migrates_keeps_the_application_log(make_app):
    """Alembic's logging set-up, run in the app's own process, must not silence the app's warnings."""
    logging.getLogger("survey")  # the app's logger exists already, as after any earlier app of the process
    app = make_app(config=None)  # the first start migrates and loads the demo data in this process
    heard: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: heard.append(record.getMessage())  # type: ignore[method-assign]
    app.logger.addHandler(handler)
    try:
        app.logger.warning("mail to gh-coordinator not sent: the server refused it")
    finally:
        app.logger.removeHandler(handler)
    assert heard == ["mail to gh-coordinator not sent: the server refused it"]


def test_users_create_announces_its_prompt_or_reads_standard_input(app):
    runner = app.test_cli_runner()
    prompted = runner.invoke(
        args=["users", "create", "gh-one", "--role", "contributor", "--country", "GH"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert "you will type it twice" in prompted.output
    piped = runner.invoke(
        args=["users", "create", "gh-two", "--role", "contributor", "--country", "GH", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert piped.exit_code == 0, piped.output
    assert "Password" not in piped.output
    assert db.session.scalar(sa.select(User).where(User.username == "gh-two")).check_password(PASSWORD)
    both = runner.invoke(
        args=["users", "set-password", "gh-two", "--password", PASSWORD, "--password-stdin"], input=f"{PASSWORD}\n"
    )
    assert both.exit_code == 2 and "not both" in both.output


def test_sign_in_page_lists_every_demo_account_with_its_role(app, client, monkeypatch):
    from survey.demo import demo_users

    monkeypatch.setitem(app.config, "DEMO_DATA", True)  # the app is shared: undone after the test
    page = client.get("/login?lang=fr").get_data(as_text=True)
    assert [name for name, *_ in demo_users() if f"<code>{name}</code>" not in page] == []
    for role in ("Contributeur", "Coordonnateur", "Validateur", "Bailleur de fonds", "Traducteur", "Administrateur"):
        assert f'<th scope="row">{role}</th>' in page


def flask_command(instance: Path, *args: str) -> subprocess.CompletedProcess:
    """`flask --app app ARGS` in development on a fresh instance folder, as a developer types it."""
    env = {**os.environ, "INSTANCE_PATH": str(instance), "CYBERREADY_ENV": "development", "DEMO_DATA": "0"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_commands_without_the_database_start_without_migrating(tmp_path):
    helped = flask_command(tmp_path, "--help")
    assert helped.returncode == 0, helped.stderr
    assert "setup" in helped.stdout and "users" in helped.stdout
    assert flask_command(tmp_path, "translate", "status").returncode == 0
    assert not (tmp_path / "cyberready.sqlite").exists()
    listed = flask_command(tmp_path, "framework", "list")  # needs the database: migrates first
    assert listed.returncode == 0, listed.stderr
    assert "cyberready 2026.1" in listed.stdout
    assert (tmp_path / "cyberready.sqlite").exists()
