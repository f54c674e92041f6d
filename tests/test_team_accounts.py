"""Coordinators create contributor accounts for their own country, and nothing more."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from survey.accounts.models import User
from survey.audit.models import AuditEvent
from survey.extensions import db
from tests.conftest import Auth

PASSWORD = "Accra-cyber-unit-2026"  # noqa: S105 - a test password that passes the rules
NEW = {"username": "gh-police-analyst", "full_name": "Ama Owusu", "agency": "Ghana Police Service"}


def account(username: str = "gh-police-analyst") -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username))


def create(client, **extra):
    return client.post("/team/accounts/new", data={**NEW, "password": PASSWORD, "confirm": PASSWORD, **extra})


def test_a_coordinator_creates_a_contributor_of_their_country_who_can_then_sign_in(app, demo, client):
    auth = Auth(client)
    auth.login("gh-coordinator")
    assert "Create a contributor account" in client.get("/team/").get_data(as_text=True)
    response = create(client)
    assert response.status_code == 302 and response.location.endswith("/team/")
    team_page = client.get("/team/").get_data(as_text=True)
    assert "Account gh-police-analyst created" in team_page and "Ghana Police Service" in team_page
    user = account()
    assert user.roles == {"contributor"} and user.country.alpha2 == "GH" and user.agency == "Ghana Police Service"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.create")).one()
    assert event.username == "gh-coordinator" and event.target_user_id == user.id and event.outcome == "ok"
    assert event.country_id == user.country_id and event.new_value["roles"] == ["contributor"]
    auth.logout()
    assert auth.login("gh-police-analyst", PASSWORD).status_code == 302
    assert client.get("/assessments/").status_code == 200


@pytest.mark.parametrize(
    "forged",
    [
        {"roles": ["coordinator"]},
        {"roles": ["contributor", "validator"]},
        {"roles": ["admin"]},
        {"country": "NG"},
        {"country": "XX"},
        {"roles": ["contributor"], "country": "NG"},
    ],
)
def test_a_forged_role_or_country_is_refused_and_nothing_is_created(app, demo, client, forged):
    Auth(client).login("gh-coordinator")
    assert create(client, **forged).status_code == 403
    assert account() is None
    refused = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.create", AuditEvent.outcome == "refused")
    ).one()
    assert refused.username == "gh-coordinator"


def test_the_role_and_country_the_page_implies_may_be_stated(app, demo, client):
    Auth(client).login("gh-coordinator")
    assert create(client, roles=["contributor"], country="gh").status_code == 302
    assert account().roles == {"contributor"}


def test_the_admin_rules_on_names_and_passwords_hold_for_coordinators_too(app, demo, client):
    Auth(client).login("gh-coordinator")
    taken = create(client, username="gh-contributor")
    assert taken.status_code == 422 and "This username is taken." in taken.get_data(as_text=True)
    weak = client.post("/team/accounts/new", data={**NEW, "password": "short", "confirm": "short"})
    assert weak.status_code == 422 and account() is None


@pytest.mark.parametrize("username", ["gh-contributor", "gh-validator", "donor", "admin"])
def test_only_coordinators_reach_the_page(app, demo, client, username):
    Auth(client).login(username)
    assert client.get("/team/accounts/new").status_code == 403
    assert create(client).status_code == 403
    assert account() is None
