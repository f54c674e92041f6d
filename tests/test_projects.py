"""Capacity-building projects: who records and edits them, imports with a preview, gaps against funding."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from survey.audit.models import AuditEvent
from survey.countries.models import Country
from survey.extensions import db
from survey.i18n.locale import country_name
from survey.projects import services
from survey.projects.models import Project, ProjectCountry, ProjectTarget
from tests import factories

HEADER = "title,implementer,donors,countries,targets,start_date,end_date,budget,currency,status\n"


def project_id(title: str) -> int:
    found = db.session.scalar(sa.select(Project.id).where(Project.title == title))
    assert found is not None
    return found


def form(**changes) -> dict:
    data = {
        "title": "Prosecutor training",
        "implementer": "Training Institute",
        "donors": "Fund A\nFund B",
        "countries": ["GH", "NG"],
        "targets": ["justice.prosecutors"],
        "start_date": "2026-03-01",
        "end_date": "2026-12-31",
        "budget": "250000",
        "currency": "EUR",
        "status": "running",
        "visibility": "public",
        "link": "https://example.org/training",
        "contact": "training@example.org",
    }
    data.update(changes)
    return data


def upload(client, body: bytes, filename: str = "projects.csv"):
    return client.post(
        "/projects/import",
        data={"file": (io.BytesIO(body), filename)},
        content_type="multipart/form-data",
    )


def test_an_implementer_records_a_project_and_the_change_is_audited(client, auth, demo):
    auth.login("implementer")
    response = client.post("/projects/new", data=form())
    assert response.status_code == 302
    project = db.session.get(Project, project_id("Prosecutor training"))
    assert project.donors == ["Fund A", "Fund B"]
    assert sorted(b.country.alpha2 for b in project.beneficiaries) == ["GH", "NG"]
    assert project.owner.username == "implementer"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Prosecutor training" in page and "Training Institute" in page
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "project.create", AuditEvent.detail == f"project {project.id}")
    )
    assert event.username == "implementer" and event.new_value["title"] == "Prosecutor training"


def test_an_implementer_editing_another_accounts_project_is_refused_and_audited(client, auth, demo):
    target = project_id("Demo: Cybercrime legislation review")  # the donor's
    auth.login("implementer")
    assert client.get(f"/projects/{target}/edit").status_code == 403
    assert client.post(f"/projects/{target}/edit", data=form(title="Taken over")).status_code == 403
    assert db.session.get(Project, target).title == "Demo: Cybercrime legislation review"
    refused = db.session.scalars(
        sa.select(AuditEvent.detail).where(AuditEvent.outcome == "refused", AuditEvent.username == "implementer")
    ).all()
    assert f"project {target} of another account" in refused


def test_the_owner_edits_and_an_admin_edits_any_project(client, auth, demo):
    target = project_id("Demo: Cybercrime legislation review")
    auth.login("donor")
    assert client.post(f"/projects/{target}/edit", data=form(title="Renamed by its donor")).status_code == 302
    auth.logout()
    auth.login("admin")
    assert client.post(f"/projects/{target}/edit", data=form(title="Renamed by an admin")).status_code == 302
    changes = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "project.update").order_by(AuditEvent.id)
    ).all()
    assert [(e.username, e.new_value["title"]) for e in changes] == [
        ("donor", "Renamed by its donor"),
        ("admin", "Renamed by an admin"),
    ]
    assert changes[0].old_value["title"] == "Demo: Cybercrime legislation review"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"countries": ["XX"]}, "is not a valid choice"),
        ({"targets": ["legal.no_such_indicator"]}, "is not a valid choice"),
        ({"end_date": "2025-01-01"}, "cannot end before it starts"),
        ({"budget": "-5"}, "never negative"),
        ({"link": "javascript:alert(1)"}, "http:// or https://"),
        ({"link": "https://example.org/\u202egnp.exe"}, "invisible characters"),
    ],
)
def test_a_bad_project_is_refused_with_a_message_and_nothing_stored(client, auth, demo, changes, message):
    auth.login("donor")
    before = db.session.scalar(sa.select(sa.func.count(Project.id)))
    response = client.post("/projects/new", data=form(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == before


def test_ghanas_coordinator_confirms_a_project_for_ghana_only(client, auth, demo):
    target = project_id("Demo: Cybercrime legislation review")  # Ghana and Sierra Leone
    auth.login("gh-coordinator")
    response = client.post(f"/projects/{target}/confirm", data={"decision": "yes", "note": "Known to the ministry"})
    assert response.status_code == 302
    project = db.session.get(Project, target)
    confirmed = {b.country.alpha2: (b.confirmed, b.note) for b in project.beneficiaries}
    assert confirmed == {"GH": (True, "Known to the ministry"), "SL": (False, "")}
    assert db.session.scalar(sa.select(AuditEvent.username).where(AuditEvent.action == "project.confirm")) == (
        "gh-coordinator"
    )
    auth.logout()
    auth.login("ng-coordinator")
    assert client.post(f"/projects/{target}/confirm", data={"decision": "yes"}).status_code == 403


def test_donor_level_projects_are_hidden_from_the_public_and_the_api(client, auth, demo):
    hidden = project_id("Demo: Forensic tools for police units")
    assert client.get(f"/projects/{hidden}").status_code == 404
    titles = {p["title"] for p in client.get("/api/v1/projects").get_json()["projects"]}
    assert "Demo: Forensic tools for police units" not in titles and "Demo: Digital forensics laboratory" in titles
    auth.login("donor")
    assert client.get(f"/projects/{hidden}").status_code == 200


def test_the_api_lists_projects_as_its_openapi_document_describes(client, demo):
    from tests.test_api import validate

    document = client.get("/api/v1/openapi.json").get_json()
    body = client.get("/api/v1/projects?country=gh").get_json()
    validate(document, "ProjectList", body)
    assert body["projects"] and all("GH" in {c["country"] for c in p["countries"]} for p in body["projects"])
    assert client.get("/api/v1/projects?country=XX").status_code == 404


def test_an_import_is_previewed_and_applied_only_when_confirmed(client, auth, demo):
    auth.login("donor")
    rows = "".join(
        f"Imported {n},Institute,Fund {n % 3};Fund X,GH;SL,legal.procedural_powers,2026-01-01,,1000,USD,running\n"
        for n in range(30)
    )
    preview = upload(client, (HEADER + rows).encode())
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Imported 29" in page
    assert db.session.scalar(sa.select(sa.func.count(Project.id)).where(Project.title.like("Imported %"))) == 0
    token = page.split('name="token" value="')[1].split('"')[0]
    applied = client.post("/projects/import/apply", data={"token": token, "filename": "projects.csv", "apply": ""})
    assert applied.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Project.id)).where(Project.title.like("Imported %"))) == 30
    assert client.get("/dashboards/countries/SL").get_data(as_text=True).count("Imported ") >= 30


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = ["Good", "Institute", "Fund", "GH", "legal", "2026-01-01", "2026-06-30", 10, "USD", "planned"]


@pytest.mark.parametrize(
    ("body", "filename", "message"),
    [
        (HEADER + "A,I,F,XX,legal,2026-01-01,,,,planned\n", "p.csv", "no country with the code XX"),
        (HEADER + "A,I,F,GH,legal.nothing,2026-01-01,,,,planned\n", "p.csv", "no pillar or indicator"),
        (HEADER + "A,I,F,GH,legal,2026-05-01,2026-01-01,,,planned\n", "p.csv", "cannot end before it starts"),
        (HEADER + "A,I,F,GH,legal,2026-01-01,,-100,USD,planned\n", "p.csv", "never negative"),
        (HEADER + "A,I,F,GH,legal,2026-01-01,,,,planned\n" * 2, "p.csv", "repeats row 2"),
        (HEADER + "=HYPERLINK(1),I,F,GH,legal,2026-01-01,,,,planned\n", "p.csv", "formula"),
        (HEADER + "A,I,F,GH,legal,2026-01-01,,,,planned\n" * 10_000, "p.csv", "more than 2,000 projects"),
        (_xlsx([HEADER.strip().split(","), ["=1+1", *GOOD[1:]]]), "p.xlsx", "formula"),
        (_xlsx([HEADER.strip().split(",")] + [GOOD] * 2), "p.xlsx", "repeats row 2"),
        (b"PK\x03\x04not really a zip", "p.xlsx", "damaged"),
        (b"title;implementer\nA;B\n", "p.csv", "these are missing"),
    ],
    ids=[
        "unknown-country",
        "unknown-indicator",
        "end-before-start",
        "negative-budget",
        "duplicated-rows",
        "csv-formula",
        "10000-rows",
        "xlsx-formula",
        "xlsx-duplicated-rows",
        "damaged-xlsx",
        "missing-columns",
    ],
)
def test_a_bad_import_is_refused_with_per_row_errors_and_nothing_stored(client, auth, demo, body, filename, message):
    auth.login("implementer")
    before = db.session.scalar(sa.select(sa.func.count(Project.id)))
    response = upload(client, body.encode() if isinstance(body, str) else body, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == before


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked(client, auth, demo, monkeypatch):
    from survey.projects import imports

    monkeypatch.setattr(imports, "MAX_UNZIPPED", 1000)
    auth.login("implementer")
    response = upload(client, _xlsx([HEADER.strip().split(","), GOOD]), "p.xlsx")
    assert response.status_code == 422
    assert "too large once unpacked" in response.get_data(as_text=True)


def test_the_row_limit_is_configurable(app, client, auth, demo, monkeypatch):
    monkeypatch.setitem(app.config, "PROJECT_IMPORT_MAX_ROWS", 1)
    auth.login("implementer")
    body = HEADER + "A,I,F,GH,legal,2026-01-01,,,,planned\nB,I,F,GH,legal,2026-01-01,,,,planned\n"
    assert upload(client, body.encode()).status_code == 422


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_projects_export_in_three_formats_and_the_csv_imports_back(client, auth, demo, fmt):
    response = client.get(f"/projects/export.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert {p["title"] for p in response.get_json()["projects"]} >= {"Demo: Digital forensics laboratory"}
    if fmt != "csv":
        return
    auth.login("implementer")
    body = response.get_data().replace(b"Demo: ", b"Again: ")
    preview = upload(client, body)
    assert preview.status_code == 200 and "Again: Digital forensics laboratory" in preview.get_data(as_text=True)


def _gap_rows(page: str) -> list[tuple[str, int]]:
    table = re.search(r'<table class="list" id="gaps">.*?</table>', page, re.S).group(0)
    return [
        (title, int(unfunded))
        for title, unfunded in re.findall(r'<th scope="row">([^<]+)</th>.*?data-unfunded="(\d+)"', table, re.S)
    ]


def test_the_needs_view_lists_unfunded_gaps_first_and_a_new_project_moves_its_gap_down(client, auth, demo):
    auth.login("donor")
    rows = _gap_rows(client.get("/dashboards/ecowas/2026/needs").get_data(as_text=True))
    assert [u for _t, u in rows] == sorted((u for _t, u in rows), reverse=True)
    first_title, first_unfunded = rows[0]
    assert first_unfunded > 0
    definition = services.latest_definition()
    code = next(i.code for i in definition.all_indicators() if i.title == first_title)
    page = client.get("/dashboards/ecowas/2026/needs").get_data(as_text=True)
    below = re.search(rf"<th scope=\"row\">{re.escape(first_title)}</th>.*?data-unfunded=\"\d+\">([^<]*)<", page, re.S)
    names = {name.strip() for name in below.group(1).split(",")}
    codes = {alpha2 for alpha2 in ("BJ", "CI", "CV", "GM", "LR", "NG", "SL") if country_name(alpha2) in names}
    values = services.ProjectValues(
        title="Funds the first gap",
        implementer="Institute",
        donors=["Fund"],
        countries=sorted(codes),
        targets=[code],
        start_date=date(2026, 1, 1),
        status="running",
    )
    services.create_project(values, factories.user("donor"), services.country_map())
    db.session.commit()
    page = client.get("/dashboards/ecowas/2026/needs").get_data(as_text=True)
    after = _gap_rows(page)
    assert (first_title, 0) in after
    assert [u for _t, u in after] == sorted((u for _t, u in after), reverse=True)
    assert "Funds the first gap" in page


def _project(id_: int, donors: list[str], countries: list[str], targets: list[str], start: date, end: date | None):
    project = Project(id=id_, title=f"P{id_}", donors=donors, start_date=start, end_date=end)
    project.beneficiaries = [ProjectCountry(country=Country(alpha2=c)) for c in countries]
    project.target_rows = [ProjectTarget(code=t) for t in targets]
    return project


def test_overlapping_projects_of_different_donors_are_flagged_as_possible_duplication(app, demo):
    definition = services.latest_definition()
    a = _project(1, ["Fund A"], ["GH"], ["justice"], date(2026, 1, 1), date(2026, 12, 31))
    b = _project(2, ["Fund B"], ["GH", "NG"], ["justice.digital_forensics"], date(2026, 6, 1), None)
    same_donor = _project(3, ["fund a"], ["GH"], ["justice.digital_forensics"], date(2026, 1, 1), None)
    later = _project(4, ["Fund C"], ["GH"], ["justice.digital_forensics"], date(2027, 1, 1), None)
    elsewhere = _project(5, ["Fund D"], ["SN"], ["justice.digital_forensics"], date(2026, 1, 1), None)
    found = services.overlaps([a, b, same_donor, later, elsewhere], definition)
    assert [(o.other.id, o.country, o.codes) for o in found[1]] == [(2, "GH", ("justice.digital_forensics",))]
    assert {o.other.id for o in found[2]} == {1, 3, 4}  # b runs on with no end: it meets the later project
    assert 5 not in found


def test_the_demo_duplication_shows_on_the_project_and_the_profile(client, auth, demo):
    auth.login("donor")
    lab = project_id("Demo: Digital forensics laboratory")
    page = client.get(f"/projects/{lab}").get_data(as_text=True)
    assert "Possible duplication" in page and "Demo: Forensic tools for police units" in page
    profile = client.get("/dashboards/countries/GH").get_data(as_text=True)
    assert "Demo: Digital forensics laboratory" in profile and "Possible duplication" in profile


def test_the_regional_dashboard_draws_funded_and_unfunded_gaps_and_coverage(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    assert 'id="panel-funding"' in page and 'id="panel-coverage"' in page
    csv_text = client.get("/dashboards/ecowas/2026/funding.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert rows[0] == ["Pillar", "Gaps without a project", "Gaps with a planned or running project"]
    legal = next(r for r in rows if r[0] == "Legal framework")
    assert int(legal[1]) > 0 and int(legal[2]) > 0  # the demo's legislation review in Sierra Leone funds some
    coverage = client.get("/dashboards/ecowas/2026/coverage.csv").get_data(as_text=True)
    assert "Planned or running projects" in coverage


def test_an_implementers_donor_level_project_never_reaches_another_implementer_through_the_cache(client, auth, demo):
    factories.make_user("implementer-2", ["implementer"])
    db.session.commit()
    auth.login("implementer")
    assert client.post("/projects/new", data=form(visibility="donors", countries=["GH"])).status_code == 302
    assert "Prosecutor training" in client.get("/dashboards/countries/GH").get_data(as_text=True)
    auth.logout()
    auth.login("implementer-2")
    assert "Prosecutor training" not in client.get("/dashboards/countries/GH").get_data(as_text=True)
