"""Complete open data: facts with currency and unit, evidence per indicator, the needs view's downloads."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from survey.assessments.models import Answer, Assessment, Cycle
from survey.countries.models import Country
from survey.evidence.models import EvidenceFile
from survey.extensions import db
from survey.frameworks.models import Indicator

CODE = "legal.substantive_offences"


def assessment_2026(alpha2: str) -> Assessment:
    return db.session.scalars(
        sa.select(Assessment)
        .join(Country, Assessment.country_id == Country.id)
        .join(Cycle, Assessment.cycle_id == Cycle.id)
        .where(Country.alpha2 == alpha2, Cycle.year == 2026)
    ).one()


def add_evidence(alpha2: str, link: str, files: dict[str, bool]) -> None:
    """A web link on the answer to CODE and files (name: marked public) attached to it."""
    assessment = assessment_2026(alpha2)
    indicator = db.session.scalars(
        sa.select(Indicator).where(
            Indicator.framework_version_id == assessment.framework_version_id, Indicator.code == CODE
        )
    ).one()
    answer = db.session.scalars(
        sa.select(Answer).where(Answer.assessment_id == assessment.id, Answer.indicator_id == indicator.id)
    ).one()
    answer.evidence_urls = f"{link}\nnot-a-link"
    for name, public in files.items():
        db.session.add(
            EvidenceFile(
                assessment_id=assessment.id,
                indicator_id=indicator.id,
                digest="0" * 64,
                filename=name,
                kind="pdf",
                size=10,
                scan="clean",
                is_public=public,
            )
        )
    db.session.commit()


@pytest.fixture
def evidence(app, demo) -> None:
    # Cabo Verde released its 2026 results publicly, Nigeria to donors only.
    add_evidence("CV", "https://cv.example/decree", {"cv-decree.pdf": True, "cv-internal-memo.pdf": False})
    add_evidence("NG", "https://ng.example/act", {"ng-act.pdf": True, "ng-budget-draft.pdf": False})


def by_country(body: dict) -> dict[str, dict]:
    return {c["country"]: c for c in body["countries"]}


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def column(header: list[str], fact: str, suffix: str) -> str:
    """The header of a fact's column ("Fact: <code> <title>: currency")."""
    return next(h for h in header if h.startswith(f"Fact: {fact} ") and h.endswith(suffix))


def validate(document: dict, schema_name: str, body: dict) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)


def test_public_readers_get_only_the_public_files_of_public_releases(client, evidence):
    countries = by_country(client.get("/dashboards/ecowas/2026/export.json").get_json())
    assert set(countries) == {"CV"}
    found = countries["CV"]["evidence"][CODE]
    assert found["links"] == ["https://cv.example/decree"]  # text that is not a web address is left out
    assert [(f["name"], f["public"]) for f in found["files"]] == [("cv-decree.pdf", True)]
    first_id = db.session.scalar(sa.select(sa.func.min(EvidenceFile.id)))
    assert found["files"][0]["url"].endswith(f"/assessments/evidence/{first_id}")


def test_donors_see_every_file_name_of_donor_releases_but_download_links_only_for_shared_ones(client, auth, evidence):
    auth.login("donor")
    countries = by_country(client.get("/dashboards/ecowas/2026/export.json").get_json())
    nigeria = countries["NG"]["evidence"][CODE]
    assert nigeria["links"] == ["https://ng.example/act"]
    assert [(f["name"], f["public"], f["url"]) for f in nigeria["files"]] == [
        ("ng-act.pdf", True, None),  # public, but the results are released to donors only
        ("ng-budget-draft.pdf", False, None),
    ]
    assert [f["name"] for f in countries["CV"]["evidence"][CODE]["files"]] == ["cv-decree.pdf"]
    assert "BJ" in countries and countries["BJ"]["evidence"] == {}


def test_json_export_gives_each_fact_its_type_currency_and_unit(client, auth, demo):
    auth.login("donor")
    facts = by_country(client.get("/dashboards/ecowas/2026/export.json").get_json())["NG"]["facts"]
    budget, officers = facts["resources.annual_budget"], facts["resources.unit_officers"]
    assert budget["type"] == "money" and budget["currency"] == "NGN" and isinstance(budget["value"], int | float)
    assert officers["type"] == "count" and officers["unit"] == "officers" and isinstance(officers["value"], int)
    assert facts["resources.donor_share"]["type"] == "percent"


def test_csv_export_has_fact_units_and_evidence_columns(client, auth, evidence):
    auth.login("donor")
    rows = csv_rows(client.get("/dashboards/ecowas/2026/export.csv"))
    header, nigeria = rows[0], next(r for r in rows if r[0] == "NG")
    cells = dict(zip(header, nigeria, strict=True))
    assert cells[column(header, "resources.unit_officers", ": unit")] == "officers"
    assert cells[column(header, "resources.annual_budget", ": currency")] == "NGN"
    assert cells[f"Evidence links: {CODE}"] == "https://ng.example/act"
    assert cells[f"Evidence files: {CODE}"] == "ng-act.pdf (public)\nng-budget-draft.pdf"
    cabo_verde = dict(zip(header, next(r for r in rows if r[0] == "CV"), strict=True))
    assert cabo_verde[f"Evidence files: {CODE}"].startswith("cv-decree.pdf <http://localhost/assessments/evidence/")
    assert cabo_verde["Evidence links: legal.procedural_powers"] == ""


def test_french_csv_translates_units_and_headers(client, auth, demo):
    auth.login("donor")
    header = csv_rows(client.get("/dashboards/ecowas/2026/export.csv?lang=fr"))[0]
    assert any(h.startswith("Liens de preuve : ") for h in header), header[-3:]


def test_api_carries_facts_and_evidence_per_its_openapi_document(client, app, evidence):
    runner = app.test_cli_runner()
    token = runner.invoke(args=["api-tokens", "create", "donor"]).output.strip()
    document = client.get("/api/v1/openapi.json").get_json()
    public = client.get("/api/v1/regions/ecowas/2026").get_json()
    validate(document, "RegionCycle", public)
    assert [f["name"] for f in by_country(public)["CV"]["evidence"][CODE]["files"]] == ["cv-decree.pdf"]
    donor = client.get("/api/v1/regions/ecowas/2026", headers={"Authorization": f"Bearer {token}"}).get_json()
    validate(document, "RegionCycle", donor)
    nigeria = by_country(donor)["NG"]
    assert len(nigeria["evidence"][CODE]["files"]) == 2
    assert nigeria["facts"]["resources.annual_budget"]["currency"] == "NGN"
    history = client.get("/api/v1/countries/NG", headers={"Authorization": f"Bearer {token}"}).get_json()
    validate(document, "CountryHistory", history)
    latest = history["assessments"][-1]
    assert latest["cycle"] == 2026 and latest["evidence"][CODE]["links"] == ["https://ng.example/act"]
    assert latest["facts"]["resources.unit_officers"]["unit"] == "officers"
    assert client.get("/api/v1/countries/NG").get_json()["assessments"] == []  # not released publicly
    schemas = document["components"]["schemas"]
    assert {"Fact", "IndicatorEvidence", "EvidenceFile"} <= set(schemas)
    assert {"facts", "evidence"} <= set(schemas["CountryScore"]["required"])


def test_needs_view_downloads_list_gaps_most_common_first_with_each_members_facts(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026/needs").get_data(as_text=True)
    assert "/dashboards/ecowas/2026/needs.csv" in page and "/dashboards/ecowas/2026/needs.xlsx" in page
    response = client.get("/dashboards/ecowas/2026/needs.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="cyberready-ecowas-2026-needs.csv"'
    rows = csv_rows(response)
    header, body = rows[0], rows[1:]
    assert header[:7] == [
        "Pillar",
        "Indicator code",
        "Indicator",
        "Members below Established",
        "ISO code",
        "Country",
        "Level (1-5)",
    ]
    assert body, "the demo region has gaps"
    counts = [int(r[3]) for r in body]
    assert counts == sorted(counts, reverse=True)
    assert all(int(r[6]) < 3 for r in body)
    assert {r[4] for r in body} <= {"BJ", "CI", "CV", "GM", "LR", "NG", "SL"}
    nigeria = next(dict(zip(header, r, strict=True)) for r in body if r[4] == "NG")
    assert nigeria[column(header, "resources.annual_budget", ": currency")] == "NGN"
    # The same gaps as the page, in the same order.
    first = body[0]
    assert page.index(first[2]) < page.index("Budget and staffing")


def test_needs_view_xlsx_opens_in_a_spreadsheet(client, auth, demo):
    from openpyxl import load_workbook

    auth.login("donor")
    response = client.get("/dashboards/ecowas/2026/needs.xlsx?lang=fr")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Pilier" and sheet.title.startswith("Besoins")
    assert all(isinstance(r[6], int) for r in rows[1:])


def test_public_needs_download_holds_public_releases_only(client, demo):
    rows = csv_rows(client.get("/dashboards/ecowas/2026/needs.csv"))
    assert {r[4] for r in rows[1:]} <= {"CV"}


@pytest.mark.parametrize(("url", "status"), [("needs.json", 404), ("needs.exe", 404)])
def test_needs_downloads_exist_as_csv_and_xlsx_only(client, demo, url, status):
    response = client.get(f"/dashboards/ecowas/2026/{url}")
    assert response.status_code == status
    assert "CSV and XLSX only" in response.get_data(as_text=True)


def test_sharing_a_file_after_the_release_reaches_the_cached_export(client, evidence):
    assert (
        len(by_country(client.get("/dashboards/ecowas/2026/export.json").get_json())["CV"]["evidence"][CODE]["files"])
        == 1
    )
    memo = db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.filename == "cv-internal-memo.pdf")).one()
    memo.is_public = True
    db.session.commit()
    files = by_country(client.get("/dashboards/ecowas/2026/export.json").get_json())["CV"]["evidence"][CODE]["files"]
    assert [f["name"] for f in files] == ["cv-decree.pdf", "cv-internal-memo.pdf"]
