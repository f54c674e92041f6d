"""Changing one's own password: the current one proves it is the owner; every other session ends, this one goes on."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from survey.audit.models import AuditEvent
from survey.extensions import db
from tests import factories

NEW = "three quiet harbours at dawn"


def change(client, current: str = "demo", password: str = NEW, confirm: str | None = None):
    """Post the password form as a browser would."""
    data = {"current": current, "password": password, "confirm": password if confirm is None else confirm}
    return client.post("/account/password", data=data)


def errors(response) -> list[str]:
    """The messages shown next to the fields."""
    return [e.strip() for e in re.findall(r'class="error" role="alert">([^<]*)<', response.get_data(as_text=True))]


def password_events() -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.password")))


def test_every_signed_in_page_leads_to_the_password_page(client, auth, demo):
    for username in ("gh-contributor", "gh-validator", "donor", "translator", "admin"):
        auth.login(username)
        page = client.get("/dashboards/").get_data(as_text=True)
        assert re.search(r'<a class="who" href="/account/password"[^>]*>' + re.escape(username), page), username
        assert client.get("/account/password").status_code == 200
        auth.logout()
    assert client.get("/account/password").status_code == 302  # signed out: to the sign-in page


def test_the_new_password_signs_in_and_every_other_session_ends(app, client, auth, demo):
    other_device = app.test_client()
    assert other_device.post("/login", data={"username": "gh-contributor", "password": "demo"}).status_code == 302
    auth.login("gh-contributor")

    response = change(client)
    assert response.status_code == 302 and response.location == "/account/password"
    page = client.get(response.location).get_data(as_text=True)
    assert "Your password is changed. Your account is signed out everywhere else." in page
    assert client.get("/assessments/").status_code == 200  # the browser that changed it stays signed in
    assert other_device.get("/assessments/").status_code == 302  # the other one is sent to sign in

    auth.logout()
    assert auth.login("gh-contributor").status_code == 401  # the old password no longer works
    assert auth.login("gh-contributor", NEW).status_code == 302
    [event] = password_events()
    account = factories.user("gh-contributor")
    assert (event.outcome, event.user_id, event.target_user_id) == ("ok", account.id, account.id)


def test_a_browser_kept_signed_in_stays_signed_in_after_the_change(client, demo):
    data = {"username": "gh-coordinator", "password": "demo", "remember": "y"}
    assert client.post("/login", data=data).status_code == 302
    assert change(client).status_code == 302
    client.delete_cookie("session")  # the browser was closed: only the "keep me signed in" cookie is left
    assert client.get("/assessments/").status_code == 200


def test_a_wrong_current_password_changes_nothing_and_says_so(client, auth, demo):
    auth.login("gh-coordinator")
    response = change(client, current="not my password at all")
    assert response.status_code == 401
    assert errors(response) == ["This is not your current password."]
    assert 'value="three quiet' not in response.get_data(as_text=True)  # passwords are never sent back
    assert client.get("/assessments/").status_code == 200  # still signed in
    auth.logout()
    assert auth.login("gh-coordinator", NEW).status_code == 401
    assert auth.login("gh-coordinator").status_code == 302
    [event] = password_events()
    assert (event.outcome, event.detail) == ("refused", "wrong current password")


@pytest.mark.parametrize(
    ("password", "confirm", "reason"),
    [
        ("too short", None, "Use at least 12 characters."),
        ("gh-coordinator at home", None, "The password must not contain the username."),
        ("123456789012", None, "This password is too common or too simple; choose another."),
        (NEW, NEW + "!", "The two passwords differ."),
    ],
    ids=["short", "username", "common", "mistyped"],
)
def test_a_weak_or_mistyped_new_password_is_refused_with_the_reason(client, auth, demo, password, confirm, reason):
    auth.login("gh-coordinator")
    response = change(client, password=password, confirm=confirm)
    assert response.status_code == 422
    assert reason in errors(response)
    auth.logout()
    assert auth.login("gh-coordinator").status_code == 302  # unchanged
    assert password_events() == []


def test_the_page_speaks_the_readers_language(client, auth, demo):
    auth.login("sn-coordinator")
    client.post("/language", data={"lang": "fr"})
    page = client.get("/account/password").get_data(as_text=True)
    assert "<h1>Modifier votre mot de passe</h1>" in page
    assert errors(change(client, current="pas le bon")) == ["Ce n’est pas votre mot de passe actuel."]
    client.post("/language", data={"lang": "ar"})
    assert errors(change(client, current="ليست هي")) == ["هذه ليست كلمة المرور الحالية."]


def test_guessing_the_current_password_is_stopped_after_a_few_tries(app, client, auth, demo, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", "3 per 15 minutes")
    auth.login("gh-validator")
    statuses = [change(client, current=f"guess number {n}").status_code for n in range(6)]
    assert statuses == [401, 401, 401, 429, 429, 429]
    locked = change(client)  # the right one, during the lock-out
    assert locked.status_code == 429
    assert "Too many wrong passwords. Wait 15 minutes" in locked.get_data(as_text=True)
    auth.logout()
    assert auth.login("gh-validator").status_code == 302  # the password is unchanged
    [refusals] = password_events()  # three wrong guesses and four tries while locked out, counted in one row
    assert (refusals.outcome, refusals.detail, refusals.count) == ("refused", "wrong current password", 7)


def test_the_page_asks_for_an_e_mail_address_until_one_is_given(client, auth, demo):
    hint = "a link to choose a new one can only reach you by e-mail"
    auth.login("gh-contributor")
    assert hint in client.get("/account/password").get_data(as_text=True)
    given = client.post("/notifications/settings", data={"email": "police@gh.example", "email_enabled": "y"})
    assert given.status_code == 302
    assert hint not in client.get("/account/password").get_data(as_text=True)
    assert "also receives the link to choose a new password" in client.get("/notifications/settings").get_data(
        as_text=True
    )
