"""Hostile input answered with a 4xx (never a 500), sessions that end on the server, and sign-in answers that take
the same time whether the account exists or not."""

from __future__ import annotations

import statistics
import time

import pytest
import sqlalchemy as sa

from survey.audit.models import AuditEvent
from survey.extensions import db
from tests.conftest import Auth, assessment_id_from
from tests.factories import make_user, user

SUBSTANTIVE = "legal__substantive_offences"
RIGHT_TO_LEFT_OVERRIDE = "\u202e"


@pytest.mark.parametrize(
    "query",
    [
        "before=99999999999999999999",
        "before=-1",
        "before=abc",
        "until=9999-12-31",
        "since=0001-01-01",
        "since=2026-02-30",
    ],
)
def test_audit_filters_refuse_impossible_dates_and_bounds(client, auth, demo, query):
    auth.login("admin")
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert "<form" in response.get_data(as_text=True)  # the filters are shown again, to correct


def test_audit_filters_accept_a_real_range(client, auth, demo):
    auth.login("admin")
    assert client.get("/admin/audit?since=2026-01-01&until=2026-12-31").status_code == 200
    response = client.get("/admin/audit?until=9999-12-31")
    assert "Give a date between" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/regions/ecowas/99999999999", "/api/v1/countries/GH/2147483648", "/api/v1/no-such-thing"],
)
def test_api_answers_json_for_addresses_it_does_not_know(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]["code"] == 404


def test_api_answers_json_with_allow_for_a_wrong_method(client):
    response = client.post("/api/v1/regions")
    assert response.status_code == 405
    assert response.is_json and response.get_json()["error"]["code"] == 405
    assert "GET" in response.headers["Allow"]


def test_api_answers_json_for_input_refused_before_it_reaches_the_api(client):
    response = client.get("/api/v1/regions?lang=%00")
    assert response.status_code == 400
    assert response.is_json and response.get_json()["error"]["code"] == 400


def test_pages_send_allow_on_a_wrong_method_too(client):
    response = client.put("/login")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_api_answers_json_for_its_own_failures(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/api/v1/failing")
    def failing():
        raise RuntimeError("a bug")

    response = app.test_client().get("/api/v1/failing")
    assert response.status_code == 500
    assert response.is_json and response.get_json()["error"]["code"] == 500
    assert "a bug" not in response.get_data(as_text=True)


def test_evidence_links_with_direction_overrides_are_refused(client, auth, demo):
    auth.login("gh-coordinator")
    assessment_id = assessment_id_from(client.post("/assessments/start").location)
    disguised = f"https://{RIGHT_TO_LEFT_OVERRIDE}lmth.elpmaxe//:sptth"
    response = client.post(
        f"/assessments/{assessment_id}/pillars/legal",
        data={f"{SUBSTANTIVE}-state": "3", f"{SUBSTANTIVE}-evidence_urls": disguised},
    )
    assert response.status_code == 422
    assert "invisible text-direction characters" in response.get_data(as_text=True)


def test_names_with_direction_overrides_are_refused_but_arabic_names_are_not(client, auth, demo):
    auth.login("admin")
    target = user("gh-contributor")
    form = {"roles": ["contributor"], "country": "GH", "active": "y"}
    refused = client.post(f"/admin/users/{target.id}", data={**form, "full_name": f"Kofi {RIGHT_TO_LEFT_OVERRIDE}inaM"})
    assert refused.status_code == 422
    assert "invisible text-direction characters" in refused.get_data(as_text=True)
    accepted = client.post(f"/admin/users/{target.id}", data={**form, "full_name": "سارة \u200fSmith"})
    assert accepted.status_code == 302
    db.session.refresh(target)
    assert target.full_name == "سارة \u200fSmith"


def test_names_with_direction_overrides_are_refused_on_the_command_line(app, demo):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "gh-new", "--role", "contributor", "--country", "GH"]
        + ["--name", f"Ama {RIGHT_TO_LEFT_OVERRIDE}x", "--password", "a long enough passphrase 42"]
    )
    assert result.exit_code != 0 and "text-direction" in result.output


def test_repeated_refusals_are_counted_in_one_audit_row(client, auth, demo):
    auth.login("gh-contributor")
    for _attempt in range(20):
        assert client.get("/admin/").status_code == 403
    rows = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "access.denied", AuditEvent.username == "gh-contributor")
    ).all()
    assert len(rows) == 1 and rows[0].count == 20 and rows[0].last_at is not None
    auth.logout()
    auth.login("admin")
    log = client.get("/admin/audit?username=gh-contributor").get_data(as_text=True)
    assert "20 attempts, the last at" in log


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, auth, demo):
    auth.login("gh-coordinator")
    assert client.get("/assessments/").status_code == 200
    copied = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/assessments/")
    assert response.status_code == 302 and "/login" in response.location


def test_a_copied_remember_cookie_stops_working_after_sign_out(app, client, demo):
    client.post("/login", data={"username": "gh-coordinator", "password": "demo", "remember": "y"})
    remembered = client.get_cookie("remember_token").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", remembered)
    assert thief.get("/assessments/").status_code == 302


def test_signing_out_ends_only_that_session(app, demo):
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login("gh-coordinator")
    Auth(phone).login("gh-coordinator")
    Auth(laptop).logout()
    assert laptop.get("/assessments/").status_code == 302
    assert phone.get("/assessments/").status_code == 200


def _median_answer_ms(client, usernames: tuple[str, ...], tries: int) -> dict[str, float]:
    """The median time of a failed sign-in per account name, the names taking turns (so load hits all alike)."""
    times: dict[str, list[float]] = {name: [] for name in usernames}
    for _attempt in range(tries):
        for name in usernames:
            started = time.perf_counter()
            response = client.post("/login", data={"username": name, "password": "not the password at all"})
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 401
    return {name: statistics.median(values) for name, values in times.items()}


def test_unknown_and_deactivated_accounts_answer_as_slowly_as_real_ones(app, client, demo, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", "1000 per minute")
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ADDRESS", "1000 per minute")
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")  # production's hash, not the tests' cheap one
    make_user("gh-timed", ["contributor"], "GH")
    make_user("gh-left", ["contributor"], "GH", active=False)
    names = ("gh-timed", "nobody-at-all", "gh-left")
    _median_answer_ms(client, names, 1)  # warm up: the first answers load code and hashes
    medians = _median_answer_ms(client, names, 7)
    known = medians["gh-timed"]
    # The password hash (scrypt, tens of milliseconds) dominates each answer; skipping it made an unknown
    # account answer several times faster. A generous band keeps a loaded machine from failing the test.
    for name in ("nobody-at-all", "gh-left"):
        assert 0.6 * known < medians[name] < 1.6 * known, medians


def _failed_sign_ins(client, forwarded_for: str, tries: int) -> list[int]:
    return [
        client.post(
            "/login",
            data={"username": f"someone-{n}", "password": "a wrong password"},
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code
        for n in range(tries)
    ]


def test_behind_a_proxy_the_address_limit_counts_each_client(make_app):
    app = make_app(PROXY_FIX_HOPS=1, LOGIN_FAILURES_PER_ADDRESS="3 per 15 minutes")
    client = app.test_client()
    assert _failed_sign_ins(client, "203.0.113.1", 4) == [401, 401, 401, 429]
    assert _failed_sign_ins(client, "203.0.113.2", 1) == [401]  # another client is not locked out
    # A client cannot pose as another address: only the address the proxy appended is believed.
    assert _failed_sign_ins(client, "203.0.113.2, 203.0.113.1", 1) == [429]


def test_without_the_proxy_setting_every_client_behind_it_shares_one_address(make_app):
    app = make_app(LOGIN_FAILURES_PER_ADDRESS="3 per 15 minutes")
    client = app.test_client()
    assert _failed_sign_ins(client, "203.0.113.1", 3) == [401, 401, 401]
    assert _failed_sign_ins(client, "203.0.113.2", 1) == [429]


def test_sign_ins_refused_during_a_lock_out_are_counted_in_one_row(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", "2 per 15 minutes")
    statuses = [
        client.post("/login", data={"username": "gh-target", "password": "guess number one"}).status_code
        for _attempt in range(12)
    ]
    assert statuses == [401, 401] + [429] * 10
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.detail == "locked out: gh-target")).all()
    assert len(rows) == 1 and rows[0].count == 10
