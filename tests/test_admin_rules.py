"""The admin pages and the `flask` commands apply the same rules and write the same audit events."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
import yaml

from survey.accounts.models import User
from survey.admin.services import create_account
from survey.audit.models import AuditEvent
from survey.audit.services import COMMAND_LINE
from survey.extensions import db
from survey.i18n.locale import collation_key
from tests.conftest import Auth

PASSWORD = "Accra-central-bank-1"  # noqa: S105 - a test password that passes the rules


@pytest.fixture
def admin(app, client):
    """A signed-in administrator (no demo data needed)."""
    create_account("chief", {"admin"}, None, PASSWORD, COMMAND_LINE)
    db.session.commit()
    Auth(client).login("chief", PASSWORD)
    return client


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# (roles, country, password, the refusal both the page and the command show)
REFUSED_ACCOUNTS = [
    (["donor", "coordinator"], "GH", PASSWORD, "Donor and administrator accounts cannot also hold roles in a country."),
    (["coordinator"], "", PASSWORD, "Contributors, coordinators and validators need their country."),
    (["donor"], "GH", PASSWORD, "Donors and administrators are not bound to a country: leave the country empty."),
    (["contributor"], "GH", "short", "Use at least 12 characters."),
]


@pytest.mark.parametrize(("roles", "country", "password", "message"), REFUSED_ACCOUNTS)
def test_the_command_line_refuses_the_accounts_the_admin_page_refuses(app, admin, roles, country, password, message):
    page = admin.post(
        "/admin/users/new",
        data={
            "username": "gh-bank",
            "roles": roles,
            "country": country,
            "active": "y",
            "password": password,
            "confirm": password,
        },
    )
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    command = ["users", "create", "gh-bank", *(f"--role={r}" for r in roles), "--password", password]
    result = app.test_cli_runner().invoke(args=command + (["--country", country] if country else []))
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(User).where(User.username == "gh-bank")) is None
    assert [e.new_value["roles"] for e in events("user.create")] == [["admin"]]


def test_an_unknown_country_code_is_refused_on_the_command_line(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "xx-bank", "--role", "contributor", "--country", "XX", "--password", PASSWORD]
    )
    assert result.exit_code != 0 and "There is no country with the code XX." in result.output


def test_roles_changed_on_the_command_line_follow_the_edit_page_rules(app, admin):
    create_account("gh-bank", {"contributor"}, "GH", PASSWORD, COMMAND_LINE)
    db.session.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(
        args=["users", "set-roles", "gh-bank", "--role", "donor", "--role", "validator", "--country", "GH"]
    )
    assert refused.exit_code != 0
    assert "Donor and administrator accounts cannot also hold roles in a country." in refused.output
    changed = runner.invoke(args=["users", "set-roles", "gh-bank", "--role", "validator", "--country", "GH"])
    assert changed.exit_code == 0, changed.output
    user = db.session.scalar(sa.select(User).where(User.username == "gh-bank"))
    page = admin.post(
        f"/admin/users/{user.id}", data={"roles": ["coordinator", "validator"], "country": "GH", "active": "y"}
    )
    assert page.status_code == 302
    changes = [(e.username, e.old_value, e.new_value) for e in events("user.roles")]
    assert changes == [
        ("(command line)", ["contributor"], ["validator"]),
        ("chief", ["validator"], ["coordinator", "validator"]),
    ]


def test_the_cycle_command_writes_the_audit_events_of_the_cycles_page(app, admin):
    from survey.frameworks.models import FrameworkVersion

    version = db.session.scalar(sa.select(FrameworkVersion))
    assert admin.post("/admin/cycles", data={"year": "2027", "version": str(version.id)}).status_code == 302
    runner = app.test_cli_runner()
    assert runner.invoke(args=["cycles", "open", "2028"]).exit_code == 0
    assert admin.post("/admin/cycles/close").status_code == 302
    assert runner.invoke(args=["cycles", "open", "1999"]).exit_code != 0  # the page's year range too
    opened = [(e.username, e.old_value, e.new_value, e.detail) for e in events("cycle.open")]
    assert opened == [("chief", None, 2027, version.label), ("(command line)", 2027, 2028, version.label)]
    assert [(e.username, e.old_value) for e in events("cycle.close")] == [("chief", 2028)]
    assert "Cycle opened" in admin.get("/admin/audit?action=cycle.open").get_data(as_text=True)


def test_framework_loads_and_api_tokens_are_audited_once(app, tmp_path):
    from survey.frameworks.definition import default_framework_path

    runner = app.test_cli_runner()
    assert "unchanged" in runner.invoke(args=["framework", "load"]).output
    data = yaml.safe_load(default_framework_path().read_text(encoding="utf-8"))
    data["pillars"][0]["indicators"][0]["guidance"] = "Clearer guidance."
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert runner.invoke(args=["framework", "load", str(edited)]).exit_code == 0
    assert runner.invoke(args=["framework", "load", str(edited)]).exit_code == 0
    loaded = [(e.username, e.new_value, e.detail.split("; ")[-1]) for e in events("framework.load")]
    # Every command is recorded, whatever it did.
    actions = ("unchanged", "updated", "unchanged")
    assert loaded == [("(command line)", "cyberready 2026.1", f"command: {action}") for action in actions]
    create_account("donor2", {"donor"}, None, PASSWORD, COMMAND_LINE)
    db.session.commit()
    assert runner.invoke(args=["api-tokens", "create", "donor2"]).exit_code == 0
    assert runner.invoke(args=["api-tokens", "revoke", "donor2"]).exit_code == 0
    assert [e.action for e in events("api_token.create") + events("api_token.revoke")] == [
        "api_token.create",
        "api_token.revoke",
    ]
    assert events("api_token.revoke")[0].new_value == 1


def option_names(html: str) -> list[str]:
    return [name for code, name in re.findall(r'<option value="([A-Z]{2})">([^<]+)</option>', html)]


def test_french_country_menus_follow_french_collation(app, admin):
    names = option_names(admin.get("/admin/users/new?lang=fr").get_data(as_text=True))
    assert len(names) > 190
    assert names == sorted(names, key=collation_key("fr"))
    assert names.index("Égypte") < names.index("Espagne") < names.index("Zimbabwe")
    assert names.index("Îles Salomon") < names.index("Inde")
    assert option_names(admin.get("/admin/audit?lang=fr").get_data(as_text=True)) == names


def test_the_admin_index_links_every_admin_page(app, admin):
    from flask import url_for

    page = admin.get("/admin/").get_data(as_text=True)
    with app.test_request_context():
        pages = [
            url_for(rule.endpoint)
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("admin.") and "GET" in rule.methods and not rule.arguments
        ]
    assert len(pages) >= 4
    assert [p for p in pages if f'href="{p}"' not in page] == ["/admin/"]
