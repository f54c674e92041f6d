"""Every route against every role: a new route without a declared rule and expectation fails here.

The target is Ghana's 2026 assessment, submitted and not released. POST requests carry an empty
body, so a role that is let through gets the form's validation answer (422) or the workflow's
refusal (409), never a change of state; one that is not gets 302 (sign in), 403 or 404.

EXPECTED is what each user sees, written out by hand; the rule book's table (`GRANTS`) must agree
with it: every persona whose roles lack the permission a view declares is refused at the door (403).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from survey.accounts.models import User
from survey.accounts.tokens import ApiToken, create_token
from survey.audit.services import COMMAND_LINE
from survey.demo import demo_users
from survey.extensions import db
from survey.permissions import GRANTS, Permission, can
from survey.permissions import PUBLIC as OPEN_TO_ALL
from survey.plans.models import Action
from survey.projects.models import Project
from tests import factories
from tests.conftest import Auth

PERSONAS = (
    "anonymous",
    "gh-contributor",
    "ng-contributor",
    "gh-coordinator",
    "gh-validator",
    "donor",
    "translator",
    "admin",
    "implementer",
)


def row(*statuses: int, implementer: int | None = None) -> dict[str, int]:
    """Expected statuses in PERSONAS order; the implementer, an organisation like the donor, sees what it sees."""
    assert len(statuses) == len(PERSONAS) - 1
    donor = statuses[PERSONAS.index("donor")]
    return dict(zip(PERSONAS, (*statuses, donor if implementer is None else implementer), strict=True))


PUBLIC = row(200, 200, 200, 200, 200, 200, 200, 200)
SIGNED_IN = row(302, 200, 200, 200, 200, 200, 200, 200)
# Ghana's team and admins read the unreleased assessment; others get 404 so ids do not leak.
GHANA_READERS = row(302, 200, 404, 200, 200, 404, 404, 200)
GHANA_TEAM = row(302, 200, 404, 200, 200, 403, 403, 200)
COORDINATOR_ONLY = row(302, 403, 403, 200, 403, 403, 403, 403)
COORDINATOR_OR_ADMIN = row(302, 403, 403, 200, 403, 403, 403, 200)
ADMIN_ONLY = row(302, 403, 403, 403, 403, 403, 403, 200)
ADMIN_FORM = row(302, 403, 403, 403, 403, 403, 403, 422)
VALIDATOR_FORM = row(302, 403, 403, 403, 422, 403, 403, 403)
VALIDATOR_STEP = row(302, 403, 403, 403, 409, 403, 403, 403)

EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("pages.home", "GET"): row(200, 302, 302, 302, 302, 302, 302, 302),  # signed in: to the assessments
    ("pages.health", "GET"): PUBLIC,
    ("pages.methodology", "GET"): PUBLIC,
    ("pages.framework", "GET"): PUBLIC,
    ("pages.framework_workbook", "GET"): PUBLIC,
    ("reports.questionnaire", "GET"): PUBLIC,
    ("offline.service_worker", "GET"): PUBLIC,
    ("offline.offline", "GET"): PUBLIC,
    ("accounts.login", "GET"): row(200, 302, 302, 302, 302, 302, 302, 302),
    ("accounts.login", "POST"): row(422, 302, 302, 302, 302, 302, 302, 302),
    ("accounts.set_language", "POST"): row(302, 302, 302, 302, 302, 302, 302, 302),
    ("accounts.logout", "POST"): row(302, 302, 302, 302, 302, 302, 302, 302),
    ("assessments.index", "GET"): SIGNED_IN,
    ("assessments.overview", "GET"): GHANA_READERS,
    ("assessments.pillar", "GET"): GHANA_READERS,
    ("assessments.review", "GET"): GHANA_READERS,
    ("assessments.results", "GET"): GHANA_READERS,
    ("reports.report", "GET"): GHANA_READERS,  # the results page's rule
    # Submitted: answering roles of Ghana are told it is locked; validators and admins never answer.
    ("assessments.pillar", "POST"): row(302, 409, 404, 409, 403, 404, 404, 403),
    ("assessments.start", "POST"): row(302, 302, 302, 302, 403, 403, 403, 403),
    ("assessments.confirm", "POST"): row(302, 409, 404, 409, 403, 403, 403, 403),
    ("assessments.submit", "POST"): row(302, 403, 403, 409, 403, 403, 403, 403),
    ("publication.release", "POST"): row(302, 403, 403, 422, 403, 403, 403, 403),
    ("review.validation", "GET"): GHANA_TEAM,
    ("review.history", "GET"): GHANA_TEAM,
    ("review.audit", "GET"): COORDINATOR_OR_ADMIN,
    # Workbooks: Ghana's answering roles; uploads to the submitted assessment are refused (409).
    ("workbooks.index", "GET"): row(302, 200, 404, 200, 403, 403, 403, 403),
    ("workbooks.download", "GET"): row(302, 200, 404, 200, 403, 403, 403, 403),
    ("workbooks.upload", "POST"): row(302, 422, 404, 422, 403, 403, 403, 403),
    ("workbooks.apply", "POST"): row(302, 409, 404, 409, 403, 403, 403, 403),
    ("review.comment", "POST"): row(302, 422, 404, 422, 422, 403, 403, 403),
    ("review.decide", "POST"): VALIDATOR_FORM,
    ("review.decide_all", "POST"): VALIDATOR_FORM,
    ("review.send_back", "POST"): VALIDATOR_STEP,
    # Accepting the unflagged answers changes state for the validator: it runs last.
    ("review.accept_unflagged", "POST"): row(302, 403, 403, 403, 302, 403, 403, 403),
    ("review.validate", "POST"): VALIDATOR_STEP,
    ("evidence.files", "GET"): GHANA_READERS,
    # Submitted: the answer and its files are locked for Ghana's answering roles.
    ("evidence.upload", "POST"): row(302, 409, 404, 409, 403, 403, 403, 403),
    ("evidence.download", "GET"): row(404, 404, 404, 404, 404, 404, 404, 404),  # no such file
    ("evidence.delete", "POST"): row(302, 404, 404, 404, 403, 403, 403, 403),
    ("evidence.share", "POST"): row(302, 404, 404, 404, 403, 403, 403, 403),
    # The action plan: Ghana's coordinator alone (the action is of Ghana's released 2025 plan).
    ("plans.new", "GET"): COORDINATOR_ONLY,
    ("plans.new", "POST"): row(302, 403, 403, 422, 403, 403, 403, 403),
    ("plans.edit", "GET"): COORDINATOR_ONLY,
    ("plans.edit", "POST"): row(302, 403, 403, 422, 403, 403, 403, 403),
    ("plans.delete", "POST"): row(302, 403, 403, 302, 403, 403, 403, 403),
    ("team.index", "GET"): row(302, 403, 403, 200, 403, 403, 403, 403),
    ("team.index", "POST"): row(302, 403, 403, 302, 403, 403, 403, 403),
    ("team_accounts.new", "GET"): row(302, 403, 403, 200, 403, 403, 403, 403),
    ("team_accounts.new", "POST"): row(302, 403, 403, 422, 403, 403, 403, 403),
    ("i18n.status", "GET"): row(302, 403, 403, 403, 403, 403, 200, 200),
    # Dashboards, profiles, exports and the API are open to all; the release rule decides the data.
    ("dashboards.index", "GET"): PUBLIC,
    ("dashboards.region", "GET"): PUBLIC,
    ("dashboards.panel_csv", "GET"): PUBLIC,
    ("dashboards.export", "GET"): PUBLIC,
    ("dashboards.plan_export", "GET"): PUBLIC,
    ("dashboards.needs_view", "GET"): PUBLIC,
    ("dashboards.needs_download", "GET"): PUBLIC,
    ("dashboards.country_profile", "GET"): PUBLIC,
    ("dashboards.chart_image_file", "GET"): row(404, 404, 404, 404, 404, 404, 404, 404),  # no such image
    ("api.openapi", "GET"): PUBLIC,
    ("api.regions", "GET"): PUBLIC,
    ("api.region_cycle", "GET"): PUBLIC,
    ("api.country", "GET"): PUBLIC,
    ("api.unknown", "GET"): row(404, 404, 404, 404, 404, 404, 404, 404),
    ("admin.index", "GET"): ADMIN_ONLY,
    ("admin.users", "GET"): ADMIN_ONLY,
    ("admin.audit", "GET"): ADMIN_ONLY,
    ("admin.new_user", "GET"): ADMIN_ONLY,
    ("admin.new_user", "POST"): ADMIN_FORM,
    ("admin.edit_user", "GET"): ADMIN_ONLY,
    ("admin.edit_user", "POST"): ADMIN_FORM,
    ("admin.reset_password", "POST"): ADMIN_FORM,
    ("admin.cycles", "GET"): ADMIN_ONLY,
    ("admin.cycles", "POST"): ADMIN_FORM,
    ("admin.close_cycles", "POST"): row(302, 403, 403, 403, 403, 403, 403, 302),
    # A forgotten password: open to all; the link of the test is no valid link.
    ("recovery.ask", "GET"): PUBLIC,
    ("recovery.ask", "POST"): row(422, 422, 422, 422, 422, 422, 422, 422),
    ("recovery.choose", "GET"): row(400, 400, 400, 400, 400, 400, 400, 400),
    ("recovery.choose", "POST"): row(400, 400, 400, 400, 400, 400, 400, 400),
    ("accounts.change_password", "GET"): SIGNED_IN,
    ("accounts.change_password", "POST"): row(302, 422, 422, 422, 422, 422, 422, 422),
    ("accounts.api_tokens", "GET"): SIGNED_IN,
    ("accounts.api_tokens", "POST"): row(302, 422, 422, 422, 422, 422, 422, 422),
    # The donor's token: its holder and admins revoke it, anyone else is told it does not exist.
    ("accounts.revoke_api_token", "POST"): row(302, 404, 404, 404, 404, 302, 404, 302, implementer=404),
    ("admin.api_tokens", "GET"): ADMIN_ONLY,
    ("admin.revoke_api_token", "POST"): row(302, 403, 403, 403, 403, 403, 403, 302),
    ("notifications.index", "GET"): SIGNED_IN,
    ("notifications.mark_read", "POST"): row(302, 422, 422, 422, 422, 422, 422, 422),
    ("notifications.settings", "GET"): SIGNED_IN,
    # An empty form is a valid choice (no e-mail): it changes only the user's own settings.
    ("notifications.settings", "POST"): row(302, 302, 302, 302, 302, 302, 302, 302),
    # Projects: the target is a public demo project of the donor for Ghana; only its owner and admins edit it.
    ("projects.index", "GET"): PUBLIC,
    ("projects.detail", "GET"): PUBLIC,
    ("projects.export", "GET"): PUBLIC,
    ("projects.new", "GET"): row(302, 403, 403, 403, 403, 200, 403, 200),
    ("projects.new", "POST"): row(302, 403, 403, 403, 403, 422, 403, 422),
    ("projects.edit", "GET"): row(302, 403, 403, 403, 403, 200, 403, 200, implementer=403),
    ("projects.edit", "POST"): row(302, 403, 403, 403, 403, 422, 403, 422, implementer=403),
    ("projects.confirm", "POST"): row(302, 403, 403, 422, 403, 403, 403, 403),
    ("projects.import_projects", "GET"): row(302, 403, 403, 403, 403, 200, 403, 200),
    ("projects.import_projects", "POST"): row(302, 403, 403, 403, 403, 422, 403, 422),
    ("projects.apply_import", "POST"): row(302, 403, 403, 403, 403, 409, 403, 409),  # no such preview
    ("api.projects", "GET"): PUBLIC,
}
# Requests that change the session or the team even with an empty body run last.
LAST = {
    ("team.index", "POST"),
    ("review.accept_unflagged", "POST"),
    ("plans.delete", "POST"),  # removes the action the other plan routes open
    ("admin.close_cycles", "POST"),
    ("accounts.logout", "POST"),
    ("notifications.settings", "POST"),
}


def routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every route but static files."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return sorted(found, key=lambda r: ((r[0], r[1]) in LAST, r[0] == "accounts.logout", r))


# Variables whose meaning depends on the route.
OVERRIDES = {"api.region_cycle": {"code": "ecowas"}}


def url_for_rule(endpoint: str, rule: str, values: dict[str, object]) -> str:
    """Fill a rule's variables with ids from the demo data."""
    url = rule
    for name, value in {**values, **OVERRIDES.get(endpoint, {})}.items():
        for converter in ("int:", "path:", ""):
            url = url.replace(f"<{converter}{name}>", str(value))
    assert "<" not in url, f"no demo value for a variable of {rule}"
    return url


@pytest.fixture
def target(app, demo) -> dict[str, object]:
    assessment = factories.submitted_assessment("gh-coordinator")
    create_token(factories.user("donor"), COMMAND_LINE, "donor's script")
    db.session.commit()
    return {
        "token_id": db.session.scalar(sa.select(sa.func.max(ApiToken.id))),
        "assessment_id": assessment.id,
        "pillar_code": "legal",
        "code": "legal.substantive_offences",
        "user_id": factories.user("gh-contributor").id,
        "version_id": assessment.framework_version_id,
        "region_code": "ecowas",
        "year": 2026,
        "file_id": 1,
        "action_id": db.session.scalar(sa.select(Action.id).order_by(Action.id)),
        "panel": "ranking",
        "fmt": "csv",
        "alpha2": "GH",
        "key": "0" * 32,
        "_rest": "no-such-thing",
        "token": "not-a-link",
        "project_id": db.session.scalar(
            sa.select(Project.id).where(Project.title == "Demo: Cybercrime legislation review")
        ),
    }


def test_every_view_declares_who_may_use_it(app):
    declared = {
        endpoint: getattr(view, "permission", None)
        for endpoint, view in app.view_functions.items()
        if endpoint != "static"
    }
    assert {
        endpoint
        for endpoint, permission in declared.items()
        if permission != OPEN_TO_ALL and not isinstance(permission, Permission)
    } == set()


def test_the_expectations_agree_with_the_rule_book(app):
    roles = {username: {role} for username, role, _country, _name in demo_users()}
    disagree = []
    for (endpoint, method), expected in EXPECTED.items():
        permission = app.view_functions[endpoint].permission
        if permission == OPEN_TO_ALL:
            continue
        for persona, status in expected.items():
            refused = 302 if persona == "anonymous" else 403
            holds = persona != "anonymous" and any(permission in GRANTS[role] for role in roles[persona])
            if not holds and status != refused:
                disagree.append(f"{method} {endpoint} as {persona}: expected {status}, but lacks {permission}")
    assert disagree == []


def test_a_role_missing_from_the_rule_book_is_let_into_nothing(app, target):
    newcomer = User(username="newcomer", country_id=db.session.get(User, target["user_id"]).country_id)
    newcomer.set_roles(["auditor"])  # a role someone added to the accounts but not to the rule book
    newcomer.set_password("demo")
    db.session.add(newcomer)
    db.session.commit()
    assert not any(can(newcomer, permission) for permission in Permission)
    client = app.test_client()
    assert Auth(client).login("newcomer").status_code == 302
    let_in = []
    for endpoint, method, rule in routes(app):
        if app.view_functions[endpoint].permission == OPEN_TO_ALL or endpoint == "accounts.logout":
            continue
        status = client.open(url_for_rule(endpoint, rule, target), method=method).status_code
        if status != 403:
            let_in.append(f"{method} {rule}: {status}")
    assert let_in == []


def test_every_route_against_every_role(app, target):
    clients = {}
    for persona in PERSONAS:
        clients[persona] = app.test_client()
        if persona != "anonymous":
            assert Auth(clients[persona]).login(persona).status_code == 302
    unexpected = []
    for endpoint, method, rule in routes(app):
        expected = EXPECTED.get((endpoint, method))
        assert expected is not None, f"{method} {rule} ({endpoint}) has no expectation in this test"
        url = url_for_rule(endpoint, rule, target)
        for persona, client in clients.items():
            status = client.open(url, method=method).status_code
            if status != expected[persona]:
                unexpected.append(f"{method} {url} as {persona}: {status}, expected {expected[persona]}")
    assert unexpected == [], "\n".join(unexpected)


def test_refused_attempts_are_written_to_the_audit_log(app, target):
    from survey.audit.models import AuditEvent

    outsider = app.test_client()
    Auth(outsider).login("ng-contributor")
    assert outsider.get(f"/assessments/{target['assessment_id']}/results").status_code == 404
    coordinator = app.test_client()
    Auth(coordinator).login("gh-coordinator")
    assert coordinator.post(f"/admin/users/{target['user_id']}", data={"roles": ["admin"]}).status_code == 403
    refused = db.session.execute(
        sa.select(AuditEvent.username, AuditEvent.detail).where(
            AuditEvent.outcome == "refused", AuditEvent.action == "access.denied"
        )
    ).all()
    assert ("ng-contributor", f"assessment {target['assessment_id']} of another country") in refused
    assert ("gh-coordinator", f"POST /admin/users/{target['user_id']}") in refused
    assert db.session.get(User, target["user_id"]).roles == {"contributor"}
