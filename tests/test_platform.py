"""Configuration, migrations, first start and the language choices."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from survey import check_production_config, create_app
from survey.config import DEV_SECRET_KEY, ProductionConfig
from survey.extensions import db


def test_production_refuses_the_development_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_production_config({"SECRET_KEY": DEV_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_refuses_demo_data_on_postgresql():
    with pytest.raises(RuntimeError, match="Demo data"):
        create_app(
            ProductionConfig,
            SECRET_KEY="x" * 40,
            DEMO_DATA=True,
            SQLALCHEMY_DATABASE_URI="postgresql://u:p@localhost/db",
        )


def test_first_start_runs_migrations_and_loads_labelled_demo_data(make_app, tmp_path, monkeypatch):
    app = make_app(config=None)  # the configuration the environment names, in an instance folder in tmp_path
    assert (tmp_path / "cyberready.sqlite").exists()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # the app is shared: undone after the test
    client = app.test_client()
    assert "Demo:" in client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "gh-contributor", "password": "demo"})
    assert "Demo data" in client.get("/assessments/").get_data(as_text=True)
    with app.app_context():
        tables = sa.inspect(db.engine).get_table_names()
        assert "alembic_version" in tables
        context = MigrationContext.configure(db.engine.connect())
        assert compare_metadata(context, db.metadata) == []
        db.engine.dispose()
    second = make_app(config=None)  # a restart keeps the data and loads no second demo
    with second.app_context():
        from survey.accounts.models import User
        from survey.demo import demo_users

        assert db.session.scalar(sa.select(sa.func.count(User.id))) == len(demo_users())
        db.engine.dispose()


def test_every_un_member_is_a_country_named_by_cldr(app, client):
    from survey.countries.models import Country

    assert db.session.scalar(sa.select(sa.func.count(Country.id))) == 195
    from survey.i18n.locale import country_name

    with app.test_request_context("/?lang=fr"):
        assert country_name("SN") == "Sénégal"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-SN,fr;q=0.9,en;q=0.5", "fr"),
        ("pt-BR,pt;q=0.9", "pt"),
        ("ar", "ar"),
        ("sw,de", "en"),
        ("fr;q=0.1," * 2000, "en"),
    ],
)
def test_language_follows_accept_language_with_fallbacks(client, header, expected):
    page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert re.search(rf'<html lang="{expected}(-[A-Z]{{2}})?"', page)


def test_explicit_choice_beats_the_browser_and_is_remembered(client):
    page = client.get("/?lang=pt_BR", headers={"Accept-Language": "fr"})
    assert '<html lang="pt-PT"' in page.get_data(as_text=True)
    assert "lang=pt" in page.headers.get("Set-Cookie", "")
    assert '<html lang="pt-PT"' in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert client.get("/?lang=xx-invalid").status_code == 200


def test_arabic_pages_are_right_to_left(client):
    page = client.get("/methodology?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page


def test_saved_preference_wins_for_signed_in_users(client, auth, demo):
    auth.login("sn-contributor")
    client.post("/language", data={"lang": "fr", "next": "/assessments/"})
    page = client.get("/assessments/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr"' in page and "Sénégal" in page


def test_security_headers_and_compression(client):
    response = client.get("/methodology", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_hashed_static_assets_are_cached_forever(client):
    page = client.get("/").get_data(as_text=True)
    import re

    css = re.search(r'href="(/static/css/app.css\?v=[0-9a-f]+)"', page).group(1)
    with client.get(css) as response:
        assert "immutable" in response.headers["Cache-Control"]
