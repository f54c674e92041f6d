"""The action plan: who may plan, what is refused, and who reads the plan on the results page, the API and exports."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from survey.assessments import services as assessments
from survey.assessments.models import Assessment, Cycle
from survey.audit.models import AuditEvent
from survey.countries.models import Country
from survey.dashboards import matching
from survey.extensions import db
from survey.plans import services
from survey.plans.models import Action
from survey.projects import services as project_services
from survey.projects.services import ProjectRef
from survey.publication.rules import Visibility
from survey.publication.services import release
from tests import factories

NEED = "legal.substantive_offences"
GOOD = {
    "indicator": NEED,
    "what": "Table the amendments to the cybercrime act",
    "lead_agency": "Ministry of Justice",
    "target_stage": "4",
    "deadline": "2027-06-30",
    "cost": "250000",
    "currency": "GHS",
    "funding": "donors",
}


def assessment_of(alpha2: str, year: int) -> Assessment:
    return db.session.scalars(
        sa.select(Assessment)
        .join(Country, Assessment.country_id == Country.id)
        .join(Cycle, Assessment.cycle_id == Cycle.id)
        .where(Country.alpha2 == alpha2, Cycle.year == year)
    ).one()


@pytest.fixture
def ghana(app, demo) -> Assessment:
    """Ghana's 2025 assessment: validated, released to donors, with the demo's five-action plan."""
    return assessment_of("GH", 2025)


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Action.id)))


def audit(action: str, outcome: str = "ok") -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.outcome == outcome)
            .order_by(AuditEvent.id)
        )
    )


def plan_new(client, assessment_id: int, lang: str = "en", **changes):
    return client.post(f"/assessments/{assessment_id}/plan/new?lang={lang}", data={**GOOD, **changes})


def test_ghana_demo_plan_answers_its_five_priority_needs_one_stage_up(ghana):
    plan = services.actions_for(ghana)
    needs = assessments.priorities(ghana, assessments.scoring_inputs(ghana))
    assert len(plan) == 5
    assert {a.indicator_code: a.target_stage for a in plan} == {n.code: n.level + 1 for n in needs}
    assert all(a.what.startswith("Demo action") for a in plan) and ghana.is_demo
    assert [a.deadline for a in plan] == sorted(a.deadline for a in plan)


def test_the_coordinator_turns_a_priority_need_into_an_action_prefilled_one_stage_up(client, auth, ghana):
    auth.login("gh-coordinator")
    results = client.get(f"/assessments/{ghana.id}/results").get_data(as_text=True)
    need = assessments.priorities(ghana, assessments.scoring_inputs(ghana))[0]
    link = f"/assessments/{ghana.id}/plan/new?code={need.code}"
    assert link in results
    form = client.get(link).get_data(as_text=True)
    assert f'<option selected value="{need.code}">' in form
    assert f'<option selected value="{need.level + 1}">' in form
    assert '<option selected value="GHS">' in form  # the country's currency first


def test_an_action_typed_the_french_way_is_stored_shown_and_audited(client, auth, ghana):
    auth.login("gh-coordinator")
    response = plan_new(client, ghana.id, lang="fr", cost="1 500 000,50", deadline="31/12/2027")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{ghana.id}/results#plan")
    action = db.session.scalars(sa.select(Action).where(Action.what == GOOD["what"])).one()
    assert (action.cost, action.currency, action.deadline) == (Decimal("1500000.50"), "GHS", date(2027, 12, 31))
    assert (action.indicator_code, action.target_stage, action.funding) == (NEED, 4, "donors")
    assert action.created_by_id == factories.user("gh-coordinator").id
    page = client.get(f"/assessments/{ghana.id}/results?lang=fr").get_data(as_text=True)
    assert GOOD["what"] in page and "Demandé aux bailleurs" in page
    event = audit("plan.add")[-1]
    assert event.new_value["cost"] == "1500000.50" and event.detail == f"action {action.id}"
    assert event.country_id == ghana.country_id and event.indicator_code == NEED
    # The history writes the action as the plan does: French dates, numbers, stage and funding names.
    history = " ".join(client.get(f"/assessments/{ghana.id}/audit?lang=fr").get_data(as_text=True).split())
    added = history[history.index("Action ajoutée au plan") :]
    assert re.search(r"Date limite\s?: 31 déc\. 2027", added), added[:600]
    assert re.search(r"Coût estimé\s?: 1\s500\s000,5", added), added[:600]
    assert re.search(r"Stade visé\s?: 4\. \w", added) and "Financement: Demandé aux bailleurs" in added
    assert NEED not in added  # the indicator by its title, not its code


def test_changing_an_action_audits_only_what_changed(client, auth, ghana):
    action = services.actions_for(ghana)[0]
    auth.login("gh-coordinator")
    form = {
        "indicator": action.indicator_code,
        "what": action.what,
        "lead_agency": "Cyber Security Authority and the Police",
        "target_stage": str(action.target_stage),
        "deadline": action.deadline.isoformat(),
        "cost": str(action.cost),
        "currency": action.currency,
        "funding": "state",
    }
    assert client.post(f"/assessments/plan/{action.id}", data=form).status_code == 302
    [event] = audit("plan.change")
    assert set(event.new_value) == {"lead_agency"}  # the funding was the state's already
    assert event.new_value["lead_agency"] == "Cyber Security Authority and the Police"
    assert event.old_value["lead_agency"] != event.new_value["lead_agency"]
    history = client.get(f"/assessments/{ghana.id}/audit").get_data(as_text=True)
    assert "Action of the plan changed" in history


def test_removing_an_action_is_audited_with_what_it_was(client, auth, ghana):
    action = services.actions_for(ghana)[0]
    what = action.what
    auth.login("gh-coordinator")
    assert client.post(f"/assessments/plan/{action.id}/delete").status_code == 302
    assert count() == 4
    [event] = audit("plan.delete")
    assert event.old_value["what"] == what


BAD = {
    "unknown indicator": {"indicator": "legal.no_such_thing"},
    "deadline long past": {"deadline": "1901-01-01"},
    "deadline absurdly far": {"deadline": "2999-12-31"},
    "deadline beyond the plan's horizon": {"deadline": "2090-01-01"},
    "deadline missing": {"deadline": ""},
    "not a date": {"deadline": "soon"},
    "negative cost": {"cost": "-5"},
    "too many digits": {"cost": "9" * 40},
    "an exponent": {"cost": "1e1000000"},
    "unknown currency": {"currency": "XXQ"},
    "cost without currency": {"currency": ""},
    "stage out of range": {"target_stage": "9"},
    "unknown funding": {"funding": "lottery"},
    "nothing to do": {"what": "  "},
    "text too long": {"what": "x" * 501},
    "agency too long": {"lead_agency": "x" * 201},
}


@pytest.mark.parametrize("changes", BAD.values(), ids=BAD.keys())
def test_bad_input_is_refused_and_nothing_is_stored(client, auth, ghana, changes):
    before, added = count(), len(audit("plan.add"))  # the demo's plan was audited as it was made
    auth.login("gh-coordinator")
    response = plan_new(client, ghana.id, **changes)
    assert response.status_code == 422
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert count() == before
    assert len(audit("plan.add")) == added
    assert len(audit("plan.edit", "refused")) == 1


def test_refusals_are_explained_in_the_reader_language(client, auth, ghana):
    auth.login("gh-coordinator")
    page = plan_new(client, ghana.id, lang="fr", cost="-5", deadline="2090-01-01").get_data(as_text=True)
    assert "Choisissez une échéance entre le 1 janvier 2025 et le 31 décembre 2040." in page
    assert "Saisissez un montant compris entre 0 et" in page


def test_changing_an_action_with_bad_input_leaves_it_as_it_was(client, auth, ghana):
    action = services.actions_for(ghana)[0]
    before = services.audit_values(action)
    auth.login("gh-coordinator")
    response = client.post(f"/assessments/plan/{action.id}", data={**GOOD, "cost": "-1"})
    assert response.status_code == 422
    db.session.expire_all()
    assert services.audit_values(db.session.get(Action, action.id)) == before


@pytest.mark.parametrize("username", ["gh-contributor", "gh-validator", "donor", "admin", "translator"])
def test_only_coordinators_may_plan(client, auth, ghana, username):
    action = services.actions_for(ghana)[0]
    auth.login(username)
    assert plan_new(client, ghana.id).status_code == 403
    assert client.post(f"/assessments/plan/{action.id}", data=GOOD).status_code == 403
    assert client.post(f"/assessments/plan/{action.id}/delete").status_code == 403
    assert count() == 5


def test_another_country_coordinator_cannot_see_or_change_the_plan(client, auth, ghana):
    action = services.actions_for(ghana)[0]
    auth.login("ng-coordinator")
    assert plan_new(client, ghana.id).status_code == 404  # released to donors, not to Nigeria's team
    assert client.post(f"/assessments/plan/{action.id}/delete").status_code == 404
    assert count() == 5


def test_another_country_coordinator_reading_public_results_still_cannot_plan(client, auth, ghana):
    release(ghana, Visibility.PUBLIC, factories.user("gh-coordinator"))
    db.session.commit()
    action = services.actions_for(ghana)[0]
    auth.login("ng-coordinator")
    assert "Action plan" in client.get(f"/assessments/{ghana.id}/results").get_data(as_text=True)
    assert plan_new(client, ghana.id).status_code == 403
    assert client.post(f"/assessments/plan/{action.id}/delete").status_code == 403
    assert count() == 5
    refusals = audit("plan.edit", "refused")  # repeated refusals of one kind share a row, counted
    assert sum(r.count for r in refusals) == 2 and refusals[0].assessment_id == ghana.id


def test_donors_read_the_plan_of_released_results_without_editing_it(client, auth, ghana):
    auth.login("donor")
    page = client.get(f"/assessments/{ghana.id}/results").get_data(as_text=True)
    assert 'id="plan"' in page
    assert all(a.what in page for a in services.actions_for(ghana))
    assert "/plan/new" not in page and "Plan an action" not in page


@pytest.fixture
def unreleased_plan(ghana) -> Assessment:
    """Ghana's 2026 assessment, submitted and not released, with one action planned by its coordinator."""
    assessment = factories.submitted_assessment("gh-coordinator")
    values = services.ActionValues(
        NEED, "Unreleased secret action", "Ministry", 4, date(2027, 1, 31), None, None, "unfunded"
    )
    services.add_action(assessment, values, factories.user("gh-coordinator"))
    db.session.commit()
    return assessment


def test_the_plan_of_unreleased_results_stays_with_the_country(client, auth, unreleased_plan):
    auth.login("gh-validator")
    assert "Unreleased secret action" in client.get(f"/assessments/{unreleased_plan.id}/results").get_data(as_text=True)
    auth.logout()
    auth.login("donor")
    assert client.get(f"/assessments/{unreleased_plan.id}/results").status_code == 404
    for fmt in ("csv", "json"):
        body = client.get(f"/dashboards/ecowas/2026/plan/export.{fmt}").get_data(as_text=True)
        assert "Unreleased secret action" not in body
    assert "Unreleased secret action" not in client.get("/dashboards/ecowas/2026/export.json").get_data(as_text=True)


@pytest.fixture
def token(app, ghana) -> str:
    result = app.test_cli_runner().invoke(args=["api-tokens", "create", "donor"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_the_api_gives_the_plan_of_results_released_to_the_reader_per_its_openapi_document(
    client, ghana, token, unreleased_plan
):
    document = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/CountryHistory", "components": document["components"]}
    donor = client.get("/api/v1/countries/GH", headers={"Authorization": f"Bearer {token}"}).get_json()
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(donor)
    [released] = donor["assessments"]  # 2026 is not released
    assert released["cycle"] == 2025
    assert [a["what"] for a in released["actions"]] == [a.what for a in services.actions_for(ghana)]
    assert {a["funding"] for a in released["actions"]} <= {"state", "donors", "unfunded"}
    assert released["actions"][2]["cost"] == 1500000.5 and released["actions"][2]["currency"] == "GHS"
    anonymous = client.get("/api/v1/countries/GH").get_json()
    assert anonymous["assessments"] == []  # released to donors only


def test_the_region_exports_carry_released_plans_and_follow_their_changes(client, auth, ghana):
    auth.login("donor")
    first = services.actions_for(ghana)[0]
    table = list(csv.reader(io.StringIO(client.get("/dashboards/ecowas/2025/plan/export.csv").get_data(as_text=True))))
    assert table[0][:3] == ["\ufeffISO code", "Country", "Cycle"]
    assert [row[7] for row in table[1:] if row[0] == "GH"] == [a.what for a in services.actions_for(ghana)]
    xlsx = client.get("/dashboards/ecowas/2025/plan/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    export = json.loads(client.get("/dashboards/ecowas/2025/export.json").get_data(as_text=True))
    [gh] = [c for c in export["countries"] if c["country"] == "GH"]
    assert len(gh["actions"]) == 5
    auth.logout()
    auth.login("gh-coordinator")
    form = {**GOOD, "indicator": first.indicator_code, "what": "Renamed after release"}
    assert client.post(f"/assessments/plan/{first.id}", data=form).status_code == 302
    auth.logout()
    auth.login("donor")
    plans = json.loads(client.get("/dashboards/ecowas/2025/plan/export.json").get_data(as_text=True))
    [gh] = [c for c in plans["countries"] if c["country"] == "GH"]
    assert "Renamed after release" in [a["what"] for a in gh["actions"]]  # the cached export was not served
    anonymous_client = client.application.test_client()
    public = anonymous_client.get("/dashboards/ecowas/2025/plan/export.csv").get_data(as_text=True)
    assert "Renamed after release" not in public  # Ghana released to donors, not to the public


def test_actions_of_an_unknown_indicator_are_refused_by_the_service_too(ghana):
    values = services.ActionValues("no.such", "x", "y", 3, date(2026, 1, 1), None, None, "unfunded")
    with pytest.raises(services.UnknownIndicator):
        services.add_action(ghana, values, factories.user("gh-coordinator"))


def test_only_actions_requested_from_donors_are_matched_with_projects():
    by_gap = {("GH", NEED): [ProjectRef(7, "Law reform")]}
    asked = Action(id=1, indicator_code=NEED, funding="donors")
    state = Action(id=2, indicator_code=NEED, funding="state")
    elsewhere = Action(id=3, indicator_code="justice.judges", funding="donors")
    no_need = Action(id=4, indicator_code=None, funding="donors")
    assert matching.covers([asked, state, elsewhere, no_need], "GH", by_gap) == {1: [ProjectRef(7, "Law reform")]}
    assert matching.covers([asked], "NG", by_gap) == {}


def _row(page: str, text: str) -> str:
    """The table row holding this text."""
    return next(row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if text in row)


def _asking_donors(page: str) -> dict[str, str]:
    """Needs view: indicator title -> members without a project whose plan asks donors for it."""
    table = re.search(r'<table class="list" id="gaps">.*?</table>', page, re.S).group(0)
    return {
        unescape(title): names
        for title, names in re.findall(r'<th scope="row">([^<]+)</th>.*?data-requested="\d+">([^<]*)<', table, re.S)
        if names != "—"
    }


def test_a_project_on_an_action_requested_from_donors_shows_beside_it_and_the_gap_leaves_the_asking_list(
    client, auth, ghana
):
    covered, still_open = [a for a in services.actions_for(ghana) if a.funding == "donors"]
    definition = ghana.framework_version.definition
    title_of = {a.id: definition.known_indicator(a.indicator_code).title for a in (covered, still_open)}
    auth.login("donor")
    asking = _asking_donors(client.get("/dashboards/ecowas/2025/needs").get_data(as_text=True))
    assert asking[title_of[covered.id]] == "Ghana" and asking[title_of[still_open.id]] == "Ghana"
    values = project_services.ProjectValues(
        title="Judicial training programme",
        implementer="Institute",
        donors=["Fund"],
        countries=["GH"],
        targets=[covered.indicator_code],
        start_date=date(2026, 1, 1),
        status="running",
    )
    project_services.create_project(values, factories.user("donor"), project_services.country_map())
    db.session.commit()
    results = client.get(f"/assessments/{ghana.id}/results").get_data(as_text=True)
    assert "A project covers this:" in _row(results, covered.what)
    assert "Judicial training programme" in _row(results, covered.what)
    assert "A project covers this:" not in _row(results, still_open.what)
    profile = client.get("/dashboards/countries/GH").get_data(as_text=True)
    assert "Judicial training programme" in _row(profile, covered.what)
    assert all(a.what in profile for a in services.actions_for(ghana))
    assert "/assessments/plan/" not in profile  # read-only: no edit links on the shared page
    asking = _asking_donors(client.get("/dashboards/ecowas/2025/needs").get_data(as_text=True))
    assert title_of[covered.id] not in asking and asking[title_of[still_open.id]] == "Ghana"


def test_the_profile_shows_the_plan_only_to_readers_of_the_results(client, auth, ghana):
    first = services.actions_for(ghana)[0]
    assert first.what not in client.get("/dashboards/countries/GH").get_data(as_text=True)  # released to donors
    auth.login("gh-coordinator")
    page = client.get("/dashboards/countries/GH").get_data(as_text=True)
    assert first.what in page and "/assessments/plan/" not in page
