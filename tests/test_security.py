"""Security settings a reviewer checks against OWASP ASVS level 2."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_migrate import upgrade

from survey.config import Config, ProductionConfig
from survey.extensions import db


def test_state_changing_requests_need_the_csrf_token(make_app):
    app = make_app(config=Config)  # the real configuration: CSRF on, demo data
    client = app.test_client()
    forged = client.post("/login", data={"username": "gh-coordinator", "password": "demo"})
    assert forged.status_code == 400
    assert "could not be understood" in forged.get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    signed_in = client.post(
        "/login", data={"username": "gh-coordinator", "password": "demo", "csrf_token": token.group(1)}
    )
    assert signed_in.status_code == 302
    assert client.post("/assessments/start").status_code == 400  # no token: nothing started
    with app.app_context():
        db.engine.dispose()


def test_session_cookies_are_http_only_same_site_and_secure_in_production(client, demo):
    response = client.post("/login", data={"username": "gh-coordinator", "password": "demo"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE


def test_strict_content_security_policy_and_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"


def test_no_inline_script_or_style_in_any_template():
    from pathlib import Path

    templates = sorted((Path(__file__).resolve().parent.parent / "templates").rglob("*.html"))
    assert len(templates) > 20  # the scan reads the app's templates wherever pytest runs from
    for template in templates:
        text = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.S)  # not comments
        assert " style=" not in text and "<style" not in text, template
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert not re.search(r"\son[a-z]+=", text), template  # no inline event handlers


def test_next_redirects_stay_on_this_site(client, demo):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(f"/login?next={target}", data={"username": "gh-coordinator", "password": "demo"})
        assert response.location == "/assessments/", target
        client.post("/logout")


def test_upgrading_an_existing_database_keeps_accounts_and_renames_officers(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = make_app(config=Config, SQLALCHEMY_DATABASE_URI=url, AUTO_MIGRATE=False, DEMO_DATA=False)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="6327e779d57d")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    'INSERT INTO "user" (username, full_name, password_hash, role, active, created_at) VALUES '
                    "('old-officer', '', 'x', 'officer', 1, '2026-01-01'),"
                    " ('old-admin', '', 'x', 'admin', 1, '2026-01-01')"
                )
            )
        upgrade(directory=app.extensions["migrate"].directory)
        rows = db.session.execute(
            sa.text(
                'SELECT u.username, r.role, u.session_token FROM user_role r JOIN "user" u ON u.id = r.user_id '
                "ORDER BY u.username"
            )
        ).all()
        assert [(name, role) for name, role, _ in rows] == [("old-admin", "admin"), ("old-officer", "contributor")]
        assert all(len(token) == 32 for _, _, token in rows)
        db.engine.dispose()


def test_command_line_creates_resets_and_deactivates_accounts(app, demo):
    from survey.accounts.models import User
    from survey.audit.models import AuditEvent

    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=["users", "create", "gh-bank", "--role", "contributor", "--country", "GH", "--password", "short"]
    )
    assert weak.exit_code != 0 and "at least 12 characters" in weak.output
    made = runner.invoke(
        args=[
            "users",
            "create",
            "gh-bank",
            "--role",
            "contributor",
            "--role",
            "validator",
            "--country",
            "GH",
            "--password",
            "Accra-central-bank-1",
        ]
    )
    assert made.exit_code == 0, made.output
    user = db.session.scalar(sa.select(User).where(User.username == "gh-bank"))
    assert user.roles == {"contributor", "validator"}
    assert runner.invoke(args=["users", "set-password", "gh-bank", "--password", "Kumasi-market-2026"]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", "gh-bank"]).exit_code == 0
    db.session.expire_all()
    assert not user.active
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.target_user_id == user.id)).all()
    assert sorted(actions) == ["user.create", "user.password", "user.update"]


def test_admin_opens_and_closes_cycles(app, demo):
    admin = app.test_client()
    from tests.conftest import Auth

    Auth(admin).login("admin")
    from survey.assessments import services

    version_id = services.current_cycle().framework_version_id
    bad = admin.post("/admin/cycles", data={"year": "1999", "version": str(version_id)})
    assert bad.status_code == 422 and 'value="1999"' in bad.get_data(as_text=True)
    assert admin.post("/admin/cycles", data={"year": "2027", "version": str(version_id)}).status_code == 302
    assert services.current_cycle().year == 2027
    assert admin.post("/admin/cycles/close").status_code == 302
    assert services.current_cycle() is None
    assert "Cycle opened" in admin.get("/admin/audit").get_data(as_text=True)


def test_nul_characters_are_refused_not_stored(client, auth, demo):
    assert client.post("/login", data={"username": "gh-\x00coordinator", "password": "demo"}).status_code == 400
    auth.login("gh-coordinator")
    assert client.get("/assessments/1/indicators/legal.x\x00/history").status_code == 400
    assert client.get("/admin/audit?username=a\x00").status_code == 400


def test_huge_ids_and_years_in_urls_are_not_found(client, auth, demo):
    auth.login("donor")
    assert client.get("/assessments/99999999999999999999").status_code == 404
    assert client.get("/dashboards/ecowas/99999999999999999999").status_code == 404
    assert client.get("/dashboards/ecowas/2026?version=9223372036854775808").status_code == 400
    assert client.get("/dashboards/ecowas/2026?version=²").status_code == 400
