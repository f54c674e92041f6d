"""CyberReady: national cybercrime readiness self-assessment."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import FrameType

from flask import Flask, current_app
from werkzeug.routing import IntegerConverter

from survey.caching import Replay
from survey.commands import defer_preparation, started_for_a_command
from survey.config import DEV_SECRET_KEY, Config, config_from_environment
from survey.extensions import (
    babel,
    cache,
    compress,
    configure_sqlite,
    csrf,
    db,
    limiter,
    login_manager,
    mail,
    migrate,
    migration_lock,
)
from survey.paths import STATIC_DIR, TEMPLATES_DIR, TRANSLATIONS_DIR, default_instance_path

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


class DatabaseInteger(IntegerConverter):
    """The `int` URL converter, limited to what a 32-bit database integer holds."""

    def __init__(
        self,
        map,
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002 - werkzeug's names
        max: int | None = 2**31 - 1,
        signed: bool = False,
    ) -> None:
        """Werkzeug's converter with a default maximum."""
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI, error pages."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(STATIC_DIR),
        instance_path=os.environ.get("INSTANCE_PATH") or default_instance_path(),
    )
    # Ids and years in URLs fit a database integer: a 30-digit id is a 404, not an overflow.
    app.url_map.converters["int"] = DatabaseInteger
    load_config(app, config, overrides)
    replay_kept_responses(app)
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_request_hooks(app)
    prepare_database(app)
    return app


def load_config(app: Flask, config: type[Config] | None, overrides: dict) -> None:
    """Apply the configuration class and overrides, and check what production requires."""
    app.config.from_object(config or config_from_environment())
    app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'cyberready.sqlite'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):  # Heroku-style URLs name the old dialect
        uri = "postgresql://" + uri.removeprefix("postgres://")
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    app.config["TRANSLATIONS_DIR"] = str(app.config.get("TRANSLATIONS_DIR") or TRANSLATIONS_DIR)
    use_redis_if_given(app.config)
    if app.config["ENV_NAME"] == "production":
        check_production_config(app.config)
        if not started_for_a_command():
            check_worker_count(app.config, gunicorn_workers())
            warn_about_production_risks(app.config, app.logger)


def use_redis_if_given(config: dict) -> None:
    """With REDIS_URL, keep the page caches and (unless set apart) the sign-in counters in Redis."""
    redis_url = config.get("REDIS_URL")
    if not config.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"
    if redis_url:
        config.setdefault("CACHE_TYPE", "RedisCache")
        config.setdefault("CACHE_REDIS_URL", redis_url)
        config.setdefault("CACHE_KEY_PREFIX", f"{config['REDIS_KEY_PREFIX']}:")
        # A Redis that stops answering costs a request two seconds at most, not a hang (survey.caching).
        config.setdefault("CACHE_OPTIONS", {"socket_connect_timeout": 2, "socket_timeout": 2})
        config.setdefault("RATELIMIT_KEY_PREFIX", config["REDIS_KEY_PREFIX"])
    else:
        config.setdefault("CACHE_TYPE", "NullCache")  # pages are cached per process (survey.dashboards.cache)
        config.setdefault("CACHE_NO_NULL_WARNING", True)
    config.setdefault("CACHE_DEFAULT_TIMEOUT", 24 * 3600)  # entries of an old data stamp expire on their own


def gunicorn_workers() -> int | None:
    """Gunicorn's worker count when gunicorn is loading this app, else None.

    Gunicorn merges its command line, config file, GUNICORN_CMD_ARGS and WEB_CONCURRENCY into the
    `cfg` of its application object, which is on the call stack while it imports the app (in the
    master with --preload, in each worker otherwise).
    """
    if "gunicorn" not in sys.modules:
        return None
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if isinstance(candidate, BaseApplication) and getattr(candidate, "cfg", None) is not None:
            return int(candidate.cfg.workers)
        frame = frame.f_back
    return None


def check_worker_count(config: dict, workers: int | None) -> None:
    """Refuse several gunicorn workers that would each keep their own sign-in counters."""
    if workers is not None and workers > 1 and config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        raise RuntimeError(
            f"gunicorn starts {workers} workers but sign-in failures are counted in memory, per worker: "
            f"an attacker would get {workers} times the allowed attempts and a lock-out would not hold. "
            'Set REDIS_URL=redis://HOST:6379 (pip install "cyberready[redis]") or start one worker (--workers 1).'
        )


def check_production_config(config: dict) -> None:
    """Refuse to start production with a default secret or with demo data."""
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET_KEY or len(secret) < 24:
        raise RuntimeError("Production needs SECRET_KEY set to a random value of 24+ characters.")
    if config.get("DEMO_DATA"):
        raise RuntimeError(
            "Demo data must not be loaded into production (the demo accounts share a "
            "published password): unset DEMO_DATA."
        )


def warn_about_production_risks(config: dict, logger: logging.Logger) -> None:
    """One log line for a production start whose counters are per process."""
    # Under another server than gunicorn the worker count is not visible from here, so warn whatever it is.
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: each worker process counts failed sign-ins "
            "on its own, so with several workers the lock-out allows more attempts; set "
            'REDIS_URL=redis://HOST:6379 (pip install "cyberready[redis]").'
        )


def replay_kept_responses(app: Flask) -> None:
    """Give cached pages again without running the app, when a shared store versions the data (survey.caching)."""
    size = app.config.get("DASHBOARD_CACHE_SIZE", 256)  # 0: no page cache, nothing replayed either
    app.wsgi_app = Replay(app.wsgi_app, app, size)  # type: ignore[method-assign]


def trust_proxies(app: Flask) -> None:
    """Behind PROXY_FIX_HOPS proxies, read the client's address and scheme from their X-Forwarded headers."""
    hops = app.config.get("PROXY_FIX_HOPS") or 0
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The Host header is the proxy's to pass on (`proxy_set_header Host $host`): X-Forwarded-Host
        # is not trusted, so a proxy that leaves it through cannot let clients choose the app's address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    """Bind the extensions to this application."""
    from survey.i18n.catalogs import compile_stale_catalogs
    from survey.i18n.escaping import escape_lazy_strings
    from survey.i18n.locale import install_escaping_gettext, select_locale

    escape_lazy_strings()
    compile_stale_catalogs(Path(app.config["TRANSLATIONS_DIR"]))
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=app.config["TRANSLATIONS_DIR"])
    install_escaping_gettext(app)
    csrf.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    mail.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per feature."""
    import survey.accounts.tokens  # noqa: F401 - API tokens
    import survey.regions.models  # noqa: F401 - regions are read by the dashboards and the API
    from survey.accounts.views import blueprint as accounts
    from survey.admin.team_accounts import blueprint as team_accounts
    from survey.admin.translations import blueprint as i18n
    from survey.admin.views import blueprint as admin
    from survey.api.views import blueprint as api
    from survey.assessments.views import blueprint as assessments
    from survey.dashboards.views import blueprint as dashboards
    from survey.evidence.views import blueprint as evidence
    from survey.notifications.views import blueprint as notifications
    from survey.offline.views import blueprint as offline
    from survey.pages.views import blueprint as pages
    from survey.plans.views import blueprint as plans
    from survey.projects.views import blueprint as projects
    from survey.publication.views import blueprint as publication
    from survey.recovery.views import blueprint as recovery
    from survey.reports.views import blueprint as reports
    from survey.review.views import blueprint as review
    from survey.team.views import blueprint as team
    from survey.workbooks.views import blueprint as workbooks

    for blueprint in (
        pages,
        accounts,
        assessments,
        review,
        publication,
        team,
        team_accounts,
        evidence,
        plans,
        workbooks,
        admin,
        i18n,
        dashboards,
        reports,
        api,
        offline,
        notifications,
        recovery,
        projects,
    ):
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    """Add the CLI command groups."""
    from survey.cli import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    """Template helpers, security headers and error pages."""
    from survey.pages.hooks import register

    register(app)


def prepare_database(app: Flask) -> None:
    """In development, migrate and add the reference data (and demo data into an empty database).

    The server does it at start; a `flask` command only once it needs the database, so that
    `flask --help` or `flask translate ...` start at once.
    """
    if not app.config["AUTO_MIGRATE"]:
        return
    if started_for_a_command():
        defer_preparation(app, _migrate_and_fill)
        return
    with app.app_context():
        _migrate_and_fill()


def _migrate_and_fill() -> None:
    from flask_migrate import upgrade

    from survey.admin.services import refresh_shipped_framework, set_up_reference_data
    from survey.audit.services import SystemActor
    from survey.demo import load_demo_if_empty

    # Several workers may start together on an empty database: one migrates and fills, the others
    # wait, then find the work done.
    with migration_lock(db.engine, "start-up"):
        upgrade(directory=MIGRATIONS_DIR)
        start_up = SystemActor("(start-up)")
        set_up_reference_data(start_up)
        refresh_shipped_framework(start_up)  # never over a version loaded by `flask framework load`
        if current_app.config["DEMO_DATA"]:
            load_demo_if_empty()
        db.session.commit()
