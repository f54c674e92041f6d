"""Question types as officials, donors and the API meet them: saved, shown back, exported, scored once."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import date, datetime

import sqlalchemy as sa

from survey.assessments.models import Answer, Assessment, Cycle
from survey.countries.models import Country
from survey.extensions import db
from survey.frameworks.models import Indicator
from tests.conftest import assessment_id_from

SPACE = "[\u00a0\u202f ]"  # French groups and units are set off by (narrow) no-break spaces
LAW_DATE = "legal__cybercrime_law_in_force-value"
BUDAPEST = "legal__budapest_status-value"
BUDGET = "resources__annual_budget"


def start_ghana(client, auth) -> int:
    auth.login("gh-coordinator")
    return assessment_id_from(client.post("/assessments/start").location)


def senegal_draft(client, auth) -> str:
    auth.login("sn-coordinator")
    listing = client.get("/assessments/").get_data(as_text=True)
    return re.search(r'href="(/assessments/\d+)"', listing).group(1)


def stored(assessment_id: int, code: str) -> Answer | None:
    return db.session.scalar(
        sa.select(Answer)
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id == assessment_id, Indicator.code == code)
    )


def checked(page: str, name: str, value: str) -> bool:
    tags = re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    return any(f'value="{value}"' in tag and " checked" in tag for tag in tags)


def test_a_date_and_a_choice_are_answered_on_the_pillar_page_and_shown_on_the_results(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    url = f"/assessments/{assessment_id}/pillars/legal"
    response = client.post(url, data={LAW_DATE: "2021-05-31", BUDAPEST: "party"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'type="date"' in page and 'value="2021-05-31"' in page
    assert checked(page, BUDAPEST, "party") and not checked(page, BUDAPEST, "none")
    assert "Saved as: 31 May 2021" in page
    english = client.get(f"/assessments/{assessment_id}/results").get_data(as_text=True)
    assert "31 May 2021" in english and "Party (ratified or acceded)" in english
    french = client.get(f"/assessments/{assessment_id}/results?lang=fr").get_data(as_text=True)
    assert "31 mai 2021" in french and "Partie (ratification ou adhésion)" in french
    answer = stored(assessment_id, "legal.cybercrime_law_in_force")
    assert answer.date_value == date(2021, 5, 31) and answer.state == "value"
    assert stored(assessment_id, "legal.budapest_status").choice_value == "party"
    history = client.get(f"/assessments/{assessment_id}/indicators/legal.budapest_status/history?lang=fr")
    assert "Partie (ratification ou adhésion)" in history.get_data(as_text=True)
    audit = client.get(f"/assessments/{assessment_id}/audit?lang=en").get_data(as_text=True)
    assert "Date: 2021-05-31" in audit and "Choice: Party (ratified or acceded)" in audit


def test_a_date_typed_the_french_way_is_read_and_a_wrong_one_is_kept_for_correction(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    url = f"/assessments/{assessment_id}/pillars/legal?lang=fr"
    assert client.post(url, data={LAW_DATE: "31/05/2021"}).status_code == 302
    assert stored(assessment_id, "legal.cybercrime_law_in_force").date_value == date(2021, 5, 31)
    refused = client.post(url, data={LAW_DATE: "31/02/2021", BUDAPEST: "maybe"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "n&#39;est pas une date que nous savons lire" in page and 'value="31/02/2021"' in page
    assert "Ce choix n&#39;est pas valide." in page
    assert stored(assessment_id, "legal.budapest_status") is None


def test_amounts_are_typed_as_text_in_the_reader_locale_and_shown_back(client, auth, demo):
    overview = senegal_draft(client, auth)
    pillar = f"{overview}/pillars/resources"
    page = client.get(pillar + "?lang=fr").get_data(as_text=True)
    assert 'type="number"' not in page
    amount = re.search(rf'<input[^>]*name="{BUDGET}-value"[^>]*>', page).group(0)
    assert 'inputmode="decimal"' in amount and 'type="text"' in amount
    staff = re.search(r'<input[^>]*name="resources__unit_officers-value"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' in staff and 'type="text"' in staff
    currency = re.search(rf'<select[^>]*name="{BUDGET}-currency"[^>]*>(.*?)</select>', page, re.S).group(1)
    first = re.search(r"<option([^>]*)>", currency).group(1)
    assert 'value="XOF"' in first and "selected" in first  # Senegal's own currency, preselected
    assert currency.count("<option") < 200 and 'value="SLL"' not in currency
    saved = client.post(pillar + "?lang=fr", data={f"{BUDGET}-value": "1 500 000,75", f"{BUDGET}-currency": "XOF"})
    assert saved.status_code == 302
    shown = client.get(pillar + "?lang=fr").get_data(as_text=True)
    assert re.search(rf"Enregistré comme{SPACE}: 1{SPACE}500{SPACE}000,75{SPACE}XOF", shown)
    assert f'name="{BUDGET}-value"' in shown and 'value="1500000,75"' in shown
    assessment_id = int(overview.rsplit("/", 1)[1])
    assert str(stored(assessment_id, "resources.annual_budget").number_value) == "1500000.75"


def test_portuguese_and_english_grouping_give_the_same_amount(client, auth, demo):
    overview = senegal_draft(client, auth)
    assessment_id = int(overview.rsplit("/", 1)[1])
    for version, (language, typed, amount) in enumerate(
        (("pt", "1.500.000,75", "1500000.75"), ("en", "2,500,000.5", "2500000.50"))
    ):
        response = client.post(
            f"{overview}/pillars/resources?lang={language}",
            data={f"{BUDGET}-value": typed, f"{BUDGET}-currency": "XOF", f"{BUDGET}-version": str(version)},
        )
        assert response.status_code == 302
        db.session.expire_all()
        assert str(stored(assessment_id, "resources.annual_budget").number_value) == amount


def test_an_ambiguous_amount_is_refused_with_both_readings_and_the_typed_text_kept(client, auth, demo):
    overview = senegal_draft(client, auth)
    response = client.post(
        f"{overview}/pillars/resources?lang=fr", data={f"{BUDGET}-value": "1.500", f"{BUDGET}-currency": "XOF"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(rf"peut se lire de deux façons{SPACE}: écrivez 1{SPACE}500 ou 1,5", page)
    assert 'value="1.500"' in page
    assert stored(int(overview.rsplit("/", 1)[1]), "resources.annual_budget") is None


def test_huge_numbers_get_a_422_at_once_never_a_500(client, auth, demo):
    overview = senegal_draft(client, auth)
    for typed in ("1e1000000", "9" * 309, "1e400000"):
        start = time.perf_counter()
        response = client.post(f"{overview}/pillars/justice", data={"justice__trained_prosecutors-value": typed})
        assert response.status_code == 422 and time.perf_counter() - start < 2
        assert f'value="{typed}"' in response.get_data(as_text=True)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_exports_carry_dates_choices_and_amounts_with_their_currency(client, auth, demo):
    from openpyxl import load_workbook

    auth.login("donor")
    rows = csv_rows(client.get("/dashboards/ecowas/2026/export.csv"))
    header = rows[0]
    when = header.index("Fact: legal.cybercrime_law_in_force Date the cybercrime law entered into force")
    status = header.index("Fact: legal.budapest_status Status under the Budapest Convention")
    budget = header.index("Fact: resources.annual_budget Annual cybercrime budget")
    assert header[budget + 1].endswith(": currency")
    nigeria = next(r for r in rows if r[0] == "NG")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", nigeria[when])
    assert nigeria[status] in {
        "Party (ratified or acceded)",
        "Signed, not yet ratified",
        "Invited to accede",
        "Not a party, not invited",
    }
    assert float(nigeria[budget]) > 0 and nigeria[budget + 1] == "NGN"
    french = csv_rows(client.get("/dashboards/ecowas/2026/export.csv?lang=fr"))
    assert any(h.startswith("Donnée factuelle\u00a0: legal.budapest_status Statut") for h in french[0])
    body = client.get("/dashboards/ecowas/2026/export.json").get_json()
    facts = next(c for c in body["countries"] if c["country"] == "NG")["facts"]
    assert facts["legal.budapest_status"]["value"] in {"party", "signatory", "invited", "none"}
    assert date.fromisoformat(facts["legal.cybercrime_law_in_force"]["value"])
    assert facts["resources.annual_budget"]["currency"] == "NGN"
    sheet = load_workbook(io.BytesIO(client.get("/dashboards/ecowas/2026/export.xlsx").data)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert isinstance(cells[1][when], datetime) and isinstance(cells[1][budget], int | float)


def test_a_percentage_reads_the_same_on_the_results_page_and_in_the_needs_view(client, auth, demo):
    auth.login("donor")
    needs = client.get("/dashboards/ecowas/2026/needs?lang=fr").get_data(as_text=True)
    facts = needs.split('id="facts"')[1].split("</table>")[0]
    titles = re.findall(r'<th scope="col">([^<]*)</th>', facts)[1:]  # after "Country"
    share = titles.index("Part du budget financée par les bailleurs de fonds")
    nigeria = next(line for line in facts.split("<tr>") if "Nigeria" in line)
    in_needs = re.findall(r"<td>([^<]*)</td>", nigeria)[share]
    assert re.fullmatch(rf"\d+(,\d+)?{SPACE}%", in_needs)  # "24 %", not "24%"
    results = client.get(f"/assessments/{nigeria_2026().id}/results?lang=fr").get_data(as_text=True)
    row = re.search(r"Part du budget financée par les bailleurs de fonds</th><td>([^<]*)</td>", results).group(1)
    assert row == in_needs


def nigeria_2026() -> Assessment:
    return db.session.scalar(
        sa.select(Assessment)
        .join(Country, Assessment.country_id == Country.id)
        .join(Cycle, Assessment.cycle_id == Cycle.id)
        .where(Country.alpha2 == "NG", Cycle.year == 2026)
    )


def test_results_page_dashboards_and_api_show_the_scores_stored_at_submission(app, client, auth, demo):
    token = app.test_cli_runner().invoke(args=["api-tokens", "create", "donor"]).output.strip()
    assessment = nigeria_2026()
    stored_score = assessment.overall_score
    # Answers changed behind the workflow's back: scoring on read would now say 100.
    db.session.execute(
        sa.update(Answer).where(Answer.assessment_id == assessment.id, Answer.state == "level").values(level=5)
    )
    db.session.commit()
    api = client.get("/api/v1/countries/NG", headers={"Authorization": f"Bearer {token}"}).get_json()
    from_api = next(a for a in api["assessments"] if a["cycle"] == 2026)
    auth.login("donor")
    exported = client.get("/dashboards/ecowas/2026/export.json").get_json()
    from_export = next(c for c in exported["countries"] if c["country"] == "NG")
    assert from_api["overall_score"] == from_export["overall_score"] == stored_score
    assert from_api["pillars"] == from_export["pillars"]
    results = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    headline = re.search(r'Overall score</span>\s*<span class="value">([^<]*)<', results).group(1)
    assert headline == f"{round(stored_score):,}" != "100"
    table = results.split('id="pillar-table"')[1].split("</table>")[0]
    shown = [score.strip() for score in re.findall(r'<th scope="row">[^<]*</th>\s*<td>([^<]*)<', table)]
    assert shown == ["—" if p["score"] is None else f"{round(p['score']):,}" for p in from_export["pillars"].values()]
