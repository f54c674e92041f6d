"""API tokens users manage on their account page: created once, used by the API, revoked, expired, audited."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from survey.accounts.tokens import ApiToken, hash_token, today
from survey.audit.models import AuditEvent
from survey.extensions import db

PAGE = "/account/tokens"


def create(client, name: str = "dashboard sync", expires: str = "") -> tuple[int, str | None]:
    """POST the form; the status and the secret shown once (if any)."""
    response = client.post(PAGE, data={"name": name, "expires_on": expires})
    found = re.search(r'<code dir="ltr" class="secret">(cr_[A-Za-z0-9_-]+)</code>', response.get_data(as_text=True))
    return response.status_code, found.group(1) if found else None


def api(client, secret: str):
    return client.get("/api/v1/regions/ecowas/2026", headers={"Authorization": f"Bearer {secret}"})


def token_row(name: str) -> ApiToken:
    return db.session.scalars(sa.select(ApiToken).where(ApiToken.name == name)).one()


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_a_donor_creates_a_token_sees_it_once_and_reads_donor_data_with_it(client, auth, demo):
    auth.login("donor")
    status, secret = create(client, "ECOWAS sync", (date.today() + timedelta(days=30)).isoformat())
    assert status == 201 and secret
    stored = token_row("ECOWAS sync")
    assert stored.token_hash == hash_token(secret) and secret not in stored.token_hash
    page = client.get(PAGE).get_data(as_text=True)
    assert "ECOWAS sync" in page and secret not in page  # shown once only
    assert "Never" in page
    auth.logout()
    body = api(client, secret).get_json()
    assert {c["country"] for c in body["countries"]} >= {"NG", "CV"}  # donor-level releases
    assert [(e.username, e.detail) for e in events("api_token.create")] == [("donor", "ECOWAS sync")]


def test_last_use_is_shown_with_the_zone_and_written_at_most_once_a_minute(client, auth, demo):
    auth.login("gh-coordinator")
    _status, secret = create(client)
    assert api(client, secret).status_code == 200
    first = token_row("dashboard sync").last_used_at
    assert first is not None
    assert api(client, secret).status_code == 200
    db.session.expire_all()
    assert token_row("dashboard sync").last_used_at == first  # a second request within the minute writes nothing
    token_row("dashboard sync").last_used_at = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()
    api(client, secret)
    db.session.expire_all()
    used = token_row("dashboard sync").last_used_at
    assert used.replace(tzinfo=used.tzinfo or UTC) > datetime.now(UTC) - timedelta(minutes=1)
    page = client.get(PAGE).get_data(as_text=True)
    assert re.search(r"\d{1,2}:\d{2}\s?[ap]m GMT</td>", page)  # Ghana's readers see Accra time, labelled


@pytest.mark.parametrize(
    ("name", "expires", "message"),
    [
        ("", "", "Give the token a name."),
        ("   ", "", "Give the token a name."),
        ("x" * 81, "", "at most 80 characters"),
        ("old", "2001-01-01", "The expiry date is in the past"),
        ("garbled", "31/02/2027", "Not a valid date value"),
    ],
)
def test_bad_token_requests_are_refused_with_a_message_and_nothing_stored(client, auth, demo, name, expires, message):
    auth.login("donor")
    response = client.post(PAGE, data={"name": name, "expires_on": expires})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
    assert events("api_token.create") == []


def test_a_token_expiring_today_works_until_the_day_is_over(client, auth, demo):
    auth.login("donor")
    _status, secret = create(client, "today", today().isoformat())
    assert api(client, secret).status_code == 200
    token_row("today").expires_on = today() - timedelta(days=1)
    db.session.commit()
    response = api(client, secret)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == 401
    assert "Expired" in client.get(PAGE).get_data(as_text=True)


def test_a_revoked_token_gets_a_json_401_and_the_revocation_is_audited(client, auth, demo):
    auth.login("donor")
    _status, secret = create(client, "laptop")
    token = token_row("laptop")
    response = client.post(f"/account/tokens/{token.id}/revoke", follow_redirects=True)
    assert "is revoked" in response.get_data(as_text=True)
    refused = api(client, secret)
    assert refused.status_code == 401 and refused.is_json
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert [(e.username, e.detail) for e in events("api_token.revoke")] == [("donor", "laptop")]
    # Revoking it again changes and records nothing.
    client.post(f"/account/tokens/{token.id}/revoke")
    assert len(events("api_token.revoke")) == 1


def test_nobody_but_its_holder_and_admins_can_revoke_a_token(client, auth, demo):
    auth.login("donor")
    _status, secret = create(client, "donor's")
    token_id = token_row("donor's").id
    auth.logout()
    auth.login("gh-coordinator")
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404  # as if there were none
    assert "donor&#39;s" not in client.get(PAGE).get_data(as_text=True)
    assert client.get("/admin/tokens").status_code == 403
    assert client.post(f"/admin/tokens/{token_id}/revoke").status_code == 403
    assert api(client, secret).status_code == 200
    assert events("access.denied")[-1].username == "gh-coordinator"
    auth.logout()
    auth.login("admin")
    page = client.get("/admin/tokens").get_data(as_text=True)
    assert "donor&#39;s" in page and ">donor<" in page
    assert client.post(f"/admin/tokens/{token_id}/revoke").status_code == 302
    assert api(client, secret).status_code == 401
    assert [e.username for e in events("api_token.revoke")] == ["admin"]


def test_a_deactivated_accounts_tokens_stop_working(client, auth, demo):
    auth.login("donor")
    _status, secret = create(client)
    db.session.scalars(sa.select(ApiToken)).one().user.active = False
    db.session.commit()
    assert api(client, secret).status_code == 401


def test_an_account_has_at_most_twenty_working_tokens(client, auth, demo):
    auth.login("donor")
    for n in range(20):
        assert create(client, f"script {n}")[0] == 201
    status, secret = create(client, "one too many")
    assert status == 422 and secret is None
    client.post(f"/account/tokens/{token_row('script 0').id}/revoke")
    assert create(client, "one too many")[0] == 201


def test_the_command_line_still_creates_named_tokens_with_an_expiry(app, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api-tokens", "create", "donor", "--name", "nightly", "--expires", "2099-12-31"])
    assert result.exit_code == 0, result.output
    assert token_row("nightly").expires_on == date(2099, 12, 31)
    past = runner.invoke(args=["api-tokens", "create", "donor", "--expires", "2001-01-01"])
    assert past.exit_code != 0 and "in the past" in past.output
    assert runner.invoke(args=["api-tokens", "revoke", "donor"]).exit_code == 0
    db.session.expire_all()
    assert token_row("nightly").revoked
