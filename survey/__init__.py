"""CyberReady: national cybercrime readiness self-assessment."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from survey.config import DEV_SECRET_KEY, Config, config_from_environment
from survey.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from survey.paths import STATIC_DIR, TEMPLATES_DIR, TRANSLATIONS_DIR, default_instance_path

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


class DatabaseInteger(IntegerConverter):
    """The `int` URL converter, limited to what a 32-bit database integer holds."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 - werkzeug's names
                 max: int | None = 2**31 - 1, signed: bool = False) -> None:
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
    if app.config["ENV_NAME"] == "production":
        check_production_config(app.config)


def check_production_config(config: dict) -> None:
    """Refuse to start production with a default secret or demo data on a real database."""
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET_KEY or len(secret) < 24:
        raise RuntimeError("Production needs SECRET_KEY set to a random value of 24+ characters.")
    if config.get("DEMO_DATA") and not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raise RuntimeError("Demo data must not be loaded into a production database.")


def register_extensions(app: Flask) -> None:
    """Bind the extensions to this application."""
    from survey.i18n.catalogs import compile_stale_catalogs
    from survey.i18n.escaping import escape_lazy_strings
    from survey.i18n.locale import install_escaping_gettext, select_locale

    escape_lazy_strings()
    compile_stale_catalogs(Path(app.config["TRANSLATIONS_DIR"]))
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=app.config["TRANSLATIONS_DIR"])
    install_escaping_gettext(app)
    csrf.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per feature."""
    import survey.api.models  # noqa: F401 - API tokens
    import survey.regions.models  # noqa: F401 - regions are read by the dashboards and the API
    from survey.accounts.views import blueprint as accounts
    from survey.admin.views import blueprint as admin
    from survey.api.views import blueprint as api
    from survey.assessments.views import blueprint as assessments
    from survey.dashboards.views import blueprint as dashboards
    from survey.i18n.views import blueprint as i18n
    from survey.pages.views import blueprint as pages
    from survey.publication.views import blueprint as publication
    from survey.review.views import blueprint as review
    from survey.team.views import blueprint as team

    for blueprint in (pages, accounts, assessments, review, publication, team, admin, i18n, dashboards, api):
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
    """Run migrations on start in development, then load demo data into an empty database."""
    if not app.config["AUTO_MIGRATE"]:
        return
    from flask_migrate import upgrade

    from survey.demo import load_demo_if_empty
    from survey.frameworks.services import ensure_default_framework
    from survey.regions.services import ensure_regions

    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        ensure_default_framework()
        ensure_regions()
        if app.config["DEMO_DATA"]:
            load_demo_if_empty()
        db.session.commit()
