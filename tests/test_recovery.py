"""A forgotten password: a link by e-mail (a real SMTP server here) that works once, for an hour, in one's language."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from survey.accounts.models import User
from survey.audit.models import AuditEvent
from survey.extensions import db
from survey.notifications.models import OutboxMessage
from tests import factories
from tests.conftest import Auth
from tests.test_notifications import send, signed_in, speaks, subject, wants_mail

NEW = "five slow boats upriver"
SENT = "If this account has an e-mail address, a link to choose a new password is on its way to it."


def ask(client, username: str):
    """Ask for a link as someone who is not signed in, and return the page shown after."""
    response = client.post("/account/recover", data={"username": username})
    assert response.status_code == 302 and response.location == "/account/recover"
    return client.get(response.location).get_data(as_text=True)


def link_in(message) -> str:
    """The path of the recovery link in an e-mail."""
    url = re.search(r"https?://\S+/account/recover/\S+", message.get_content()).group(0)
    return url[url.index("/account/recover/") :]


def choose(client, path: str, password: str = NEW, confirm: str | None = None):
    data = {"password": password, "confirm": password if confirm is None else confirm}
    return client.post(path, data=data)


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_sign_in_page_leads_to_a_link_by_mail_that_sets_a_new_password(app, client, demo, smtp):
    colleague_device = signed_in(app, "gh-contributor")
    wants_mail(colleague_device, "police@gh.example")
    speaks(colleague_device, "fr")  # the e-mail is written in the account's language

    assert 'href="/account/recover"' in client.get("/login").get_data(as_text=True)
    assert SENT in ask(client, "gh-contributor")
    send(app)
    [message] = smtp.to("police@gh.example")
    assert subject(message) == "[CyberReady] Choisissez un nouveau mot de passe"
    assert "gh-contributor" in message.get_content()
    path = link_in(message)

    page = client.get(path)
    assert page.status_code == 200 and "gh-contributor" in page.get_data(as_text=True)
    response = choose(client, path)
    assert response.status_code == 302 and response.location == "/login"
    assert colleague_device.get("/assessments/").status_code == 302  # every session of the account ended
    assert Auth(client).login("gh-contributor").status_code == 401  # the old password is gone
    assert Auth(client).login("gh-contributor", NEW).status_code == 302
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.target_user_id == factories.user("gh-contributor").id)
    ).all()
    assert {"user.password_link", "user.password"} <= set(actions)


def test_a_link_works_once(client, demo):
    wants_mail(signed_in(client.application, "gh-coordinator"), "coord@gh.example")
    ask(client, "gh-coordinator")
    path = link_in_outbox()
    assert choose(client, path).status_code == 302
    used = client.get(path)
    assert used.status_code == 400
    assert "This link does not work any more" in used.get_data(as_text=True)
    assert choose(client, path, "another fine passphrase").status_code == 400
    assert Auth(client).login("gh-coordinator", NEW).status_code == 302


def link_in_outbox() -> str:
    """The recovery link of the last e-mail written to the outbox."""
    body = outbox()[-1].body
    url = re.search(r"https?://\S+/account/recover/\S+", body).group(0)
    return url[url.index("/account/recover/") :]


def test_a_link_older_than_its_lifetime_is_refused(app, client, demo, monkeypatch):
    wants_mail(signed_in(app, "gh-validator"), "validator@gh.example")
    ask(client, "gh-validator")
    path = link_in_outbox()
    monkeypatch.setitem(app.config, "RECOVERY_LINK_MINUTES", -1)  # any link is older than that
    assert client.get(path).status_code == 400
    assert choose(client, path).status_code == 400
    assert Auth(client).login("gh-validator").status_code == 302  # unchanged


def test_a_link_stops_working_when_the_password_changes_otherwise(client, demo):
    owner = signed_in(client.application, "sn-coordinator")
    wants_mail(owner, "coord@sn.example")
    ask(client, "sn-coordinator")
    path = link_in_outbox()
    changed = owner.post("/account/password", data={"current": "demo", "password": NEW, "confirm": NEW})
    assert changed.status_code == 302
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("username", ["nobody-by-that-name", "gh-contributor2", "ng-left"])
def test_the_answer_is_the_same_whether_the_account_exists_has_an_address_or_is_deactivated(client, demo, username):
    if username == "ng-left":  # an account with an address, deactivated since
        account = factories.make_user("ng-left", ["contributor"], "NG")
        db.session.commit()
        wants_mail(signed_in(client.application, "ng-left"), "left@ng.example")
        account.active = False
        db.session.commit()
    before = len(outbox())
    assert SENT in ask(client, username)
    assert len(outbox()) == before  # no e-mail: unknown, without an address, or deactivated


def test_asking_again_and_again_is_limited_per_account(app, client, demo, monkeypatch):
    monkeypatch.setitem(app.config, "RECOVERY_LINKS_PER_ACCOUNT", "2 per hour")
    wants_mail(signed_in(app, "gh-contributor"), "police@gh.example")
    statuses = [client.post("/account/recover", data={"username": "gh-contributor"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 429, 429]
    assert len(outbox()) == 2  # the mailbox is not flooded
    assert client.post("/account/recover", data={"username": "gh-coordinator"}).status_code == 302  # others may


@pytest.mark.parametrize(
    ("password", "confirm", "reason"),
    [("short one", None, "Use at least 12 characters."), (NEW, NEW + ".", "The two passwords differ.")],
    ids=["short", "mistyped"],
)
def test_a_weak_or_mistyped_password_keeps_the_link_working(client, demo, password, confirm, reason):
    wants_mail(signed_in(client.application, "gh-coordinator"), "coord@gh.example")
    ask(client, "gh-coordinator")
    path = link_in_outbox()
    refused = choose(client, path, password, confirm)
    assert refused.status_code == 422 and reason in refused.get_data(as_text=True)
    assert choose(client, path).status_code == 302  # the link still works for a good one


def test_the_pages_speak_the_readers_language(client, demo):
    speaks(client, "ar")
    page = client.get("/account/recover").get_data(as_text=True)
    assert "<h1>نسيت كلمة المرور؟</h1>" in page
    assert "لم يعد هذا الرابط صالحاً" in client.get("/account/recover/not-a-link").get_data(as_text=True)


ACCOUNT_PASSWORD = "Accra-cyber-unit-2026"  # noqa: S105 - a test password that passes the rules


def made_by(app, maker: str, email: str):
    """Make the account gh-bank-analyst with this address as an administrator, a coordinator or a command would."""
    if maker == "command line":
        command = ["users", "create", "gh-bank-analyst", "--role=contributor", "--country=GH", f"--email={email}"]
        result = app.test_cli_runner().invoke(args=[*command, "--password", ACCOUNT_PASSWORD])
        return result.exit_code, result.output
    fields = {"username": "gh-bank-analyst", "email": email, "password": ACCOUNT_PASSWORD, "confirm": ACCOUNT_PASSWORD}
    if maker == "admin":
        page, fields = "/admin/users/new", fields | {"roles": ["contributor"], "country": "GH", "active": "y"}
    else:
        page = "/team/accounts/new"
    response = signed_in(app, "admin" if maker == "admin" else "gh-coordinator").post(page, data=fields)
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("maker", ["admin", "coordinator", "command line"])
def test_an_address_given_when_the_account_is_made_receives_the_link_from_day_one(app, client, demo, maker):
    status, _output = made_by(app, maker, "  analyst@bank.gh.example ")
    assert status in (0, 302)
    ask(client, "gh-bank-analyst")
    [message] = [m for m in outbox() if m.recipient == "analyst@bank.gh.example"]
    assert "gh-bank-analyst" in message.body
    [created] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.create")).all()[-1:]
    assert created.new_value["email"] == "analyst@bank.gh.example"


@pytest.mark.parametrize("maker", ["admin", "coordinator", "command line"])
def test_a_malformed_address_is_refused_the_same_way_everywhere(app, demo, maker):
    status, output = made_by(app, maker, "analyst at bank")
    assert status in (1, 422)
    assert "Enter an e-mail address such as name@example.org." in output
    assert db.session.scalar(sa.select(User).where(User.username == "gh-bank-analyst")) is None


def test_the_administrator_changes_an_address_and_the_audit_says_so(app, demo):
    admin = signed_in(app, "admin")
    account = factories.user("gh-validator")
    page = f"/admin/users/{account.id}"
    form = {"full_name": account.full_name, "roles": ["validator"], "country": "GH", "active": "y"}
    assert admin.post(page, data=form | {"email": "validator@gh.example", "email_shown": ""}).status_code == 302
    assert 'value="validator@gh.example"' in admin.get(page).get_data(as_text=True)
    taken_away = {"email": "", "email_shown": "validator@gh.example"}
    assert admin.post(page, data=form | taken_away).status_code == 302
    changes = [
        (e.old_value["email"], e.new_value["email"])
        for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.update"))
    ]
    assert changes == [("", "validator@gh.example"), ("validator@gh.example", "")]


def test_an_edit_of_other_fields_keeps_the_address_its_holder_gave_meanwhile(app, demo):
    admin = signed_in(app, "admin")
    account = factories.user("gh-validator")
    page = f"/admin/users/{account.id}"
    shown = admin.get(page).get_data(as_text=True)  # the administrator opens the account: no address yet
    assert 'name="email_shown" type="hidden" value=""' in shown
    wants_mail(signed_in(app, "gh-validator"), "mine@gh.example")  # its holder gives one meanwhile
    form = {"full_name": "Kofi Mensah", "roles": ["validator"], "country": "GH", "active": "y"}
    assert admin.post(page, data=form | {"email": "", "email_shown": ""}).status_code == 302
    assert factories.user("gh-validator").full_name == "Kofi Mensah"
    assert 'value="mine@gh.example"' in admin.get(page).get_data(as_text=True)  # not put back to none
