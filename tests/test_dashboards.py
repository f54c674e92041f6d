"""Regional dashboards, needs view, country profiles and open-data downloads, as readers see them."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from html import unescape
from pathlib import Path

import pytest

from survey.extensions import db
from tests.conftest import count_queries

ROOT = Path(__file__).resolve().parent.parent


def figures(page: str) -> list[dict]:
    return [json.loads(unescape(raw)) for raw in re.findall(r"data-figure='([^']+)'", page)]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def heatmap_countries(page: str) -> list[str]:
    return next(f for f in figures(page) if f["data"][0]["type"] == "heatmap")["data"][0]["y"]


def test_donor_sees_every_chart_of_ecowas_2026_with_released_members_only(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    drawn = {f["data"][0]["type"] for f in figures(page)}
    assert drawn == {"heatmap", "bar", "scatterpolar", "box", "scatter", "choropleth"}
    countries = heatmap_countries(page)
    assert {
        "Nigeria",
        "Côte d’Ivoire",
        "Cabo Verde",
        "Benin",
        "Sierra Leone",
        "Gambia",
        "Liberia",
    } == set(countries)
    # Every member is on the project coverage map (projects do not wait for results); no other panel names Togo.
    results = re.sub(r'<section class="panel" id="panel-coverage">.*?</section>', "", page, flags=re.S)
    assert "Togo" not in results and "Senegal" not in countries and "Burkina Faso" not in countries
    assert page.count("<details") == 8 and page.count("Download this data (CSV)") == 8
    assert re.search(r"Members</span><span class=\"value\">12<", page)


def test_burkina_faso_is_in_the_african_union_dashboard(client, auth, demo):
    auth.login("donor")
    assert "Burkina Faso" in heatmap_countries(client.get("/dashboards/au/2026").get_data(as_text=True))


def test_ecowas_2025_excludes_burkina_faso_after_its_withdrawal(client, auth, demo):
    auth.login("donor")
    assert "Burkina Faso" not in heatmap_countries(client.get("/dashboards/ecowas/2025").get_data(as_text=True))
    assert "Burkina Faso" in heatmap_countries(client.get("/dashboards/au/2025").get_data(as_text=True))


def test_anonymous_readers_see_public_releases_only(client, demo):
    page = client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    assert heatmap_countries(page) == ["Cabo Verde"]
    assert "only one member has released results" in page.lower()
    api_like = client.get("/dashboards/ecowas/2026/export.json").get_json()
    assert [c["country"] for c in api_like["countries"]] == ["CV"]


def test_sorting_by_a_pillar_reorders_the_heatmap(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026?sort=legal").get_data(as_text=True)
    heatmap = next(f for f in figures(page) if f["data"][0]["type"] == "heatmap")["data"][0]
    legal = [row[0] for row in heatmap["z"]]
    assert legal == sorted(legal, reverse=True)


def test_chosen_countries_join_the_radar_and_trend(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026?country=NG&country=CI").get_data(as_text=True)
    radar = next(f for f in figures(page) if f["data"][0]["type"] == "scatterpolar")
    assert [t["name"] for t in radar["data"]] == ["Regional median", "Nigeria", "Côte d’Ivoire"]
    trend = next(f for f in figures(page) if f["data"][0]["type"] == "scatter")
    nigeria = next(t for t in trend["data"] if t["name"] == "Nigeria")
    assert nigeria["x"] == [2025, 2026]


def test_small_island_states_appear_as_markers_on_the_map(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    geo = next(f for f in figures(page) if f["data"][0]["type"] == "choropleth")
    markers = next(t for t in geo["data"] if t["type"] == "scattergeo")
    assert "Cabo Verde" in markers["text"]
    assert geo["layout"]["geo"]["scope"] == "africa"


def coverage_map(page: str) -> dict[str, int]:
    section = re.search(r'id="panel-coverage".*?</section>', page, re.S).group(0)
    shaded = figures(section)[0]["data"][0]
    return dict(zip(shaded["locations"], shaded["z"], strict=True))


def test_the_coverage_map_shades_the_members_with_planned_or_running_projects(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    covered = {code: n for code, n in coverage_map(page).items() if n}
    # Ghana has no released 2026 results but three projects; the CSIRT project in Gambia is completed.
    assert covered == {"GHA": 3, "SLE": 1, "LBR": 1, "NGA": 1, "BEN": 1, "CIV": 1}
    assert len(coverage_map(page)) == 12  # every member, the uncovered ones at zero
    rows = csv_rows(client.get("/dashboards/ecowas/2026/coverage.csv"))
    assert rows[0][:3] == ["Country", "ISO code", "Planned or running projects"]
    ghana = next(r for r in rows if r[1] == "GHA")
    assert ghana[2:5] == ["3", "", ""]  # no released results: no gaps to count
    auth.logout()
    public = coverage_map(client.get("/dashboards/ecowas/2026").get_data(as_text=True))
    assert public["GHA"] == 2 and public["LBR"] == 0  # the forensic tools project is for donors only


def test_each_chart_csv_holds_exactly_its_table(client, auth, demo):
    auth.login("donor")
    ranking = csv_rows(client.get("/dashboards/ecowas/2026/ranking.csv"))
    assert ranking[0] == [
        "Rank",
        "Country",
        "Overall score",
        "Stage",
        "Indicators scored",
        "Indicators that can be scored",
    ]
    assert [r[1] for r in ranking[1:]][0] == "Cabo Verde" and len(ranking) == 8
    assert all(r[5] == "46" and 0 < int(r[4]) <= 46 for r in ranking[1:])  # scored on X of Y
    page = client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    bar = next(f for f in figures(page) if f["data"][0]["type"] == "bar")["data"][0]
    assert [float(r[2]) for r in ranking[1:]] == bar["x"]
    heatmap = csv_rows(client.get("/dashboards/ecowas/2026/heatmap.csv"))
    assert heatmap[0][:4] == ["Country", "Overall score", "Overall score: stage", "Legal framework"]


def test_charts_and_tables_are_translated(client, auth, demo):
    auth.login("donor")
    client.get("/?lang=fr")
    page = client.get("/dashboards/ecowas/2026?lang=fr").get_data(as_text=True)
    radar = next(f for f in figures(page) if f["data"][0]["type"] == "scatterpolar")
    assert "Formatif" in radar["layout"]["polar"]["radialaxis"]["ticktext"]
    assert "Bénin" in heatmap_countries(page)


def test_arabic_charts_mirror(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026?lang=ar").get_data(as_text=True)
    bar = next(f for f in figures(page) if f["data"][0]["type"] == "bar")
    assert bar["layout"]["xaxis"]["range"] == [100, 0] and bar["layout"]["yaxis"]["side"] == "right"


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/dashboards/atlantis/2026", 404, "There is no such region"),
        ("/dashboards/ecowas/2031", 404, "There is no assessment cycle for this year"),
        ("/dashboards/ecowas/2026?version=999", 400, "There is no such framework version"),
        ("/dashboards/ecowas/2026?version=abc", 400, "There is no such framework version"),
        (
            "/dashboards/ecowas/2026?sort=drop+table",
            400,
            "sorted by the overall score or by a pillar",
        ),
        (
            "/dashboards/ecowas/2026?country=NG&country=CI&country=BJ&country=LR",
            400,
            "at most three",
        ),
        (
            "/dashboards/ecowas/2026?country=TG",
            400,
            "must be members of the region with released results",
        ),
        (
            "/dashboards/ecowas/2026?country=KE",
            400,
            "must be members of the region with released results",
        ),
        ("/dashboards/ecowas/2026/export.exe", 404, "CSV, XLSX and JSON only"),
        ("/dashboards/ecowas/2026/pie.csv", 404, "no such chart"),
        (
            "/dashboards/ecowas/2026/needs?rate-GHS=abc&to=USD",
            400,
            "Exchange rates must be positive",
        ),
        (
            "/dashboards/ecowas/2026/needs?rate-GHS=-1&to=USD",
            400,
            "Exchange rates must be positive",
        ),
        ("/dashboards/ecowas/2026/needs?rate-XYZ=1&to=USD", 400, "Exchange rates must be positive"),
        ("/dashboards/ecowas/2026/needs?rate-GHS=0.1", 400, "currency to convert into"),
        ("/dashboards/countries/XX", 404, "no country with this code"),
        ("/dashboards/?region=ecowas&year=abc", 404, "no assessment cycle"),
    ],
)
def test_bad_input_gets_a_clear_message_not_a_500(client, auth, demo, url, status, message):
    auth.login("donor")
    response = client.get(url)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_a_region_without_released_members_explains_itself(client, auth, demo):
    auth.login("donor")
    response = client.get("/dashboards/pif/2026")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No member of Pacific Islands Forum has results released to you for 2026" in page
    assert "plotly" not in page.lower()


def test_region_with_one_country_has_a_median_equal_to_its_score(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/caricom/2026").get_data(as_text=True)
    assert heatmap_countries(page) == ["Jamaica"]
    assert "Only one member has released results" in page


def test_index_form_leads_to_the_dashboard(client, demo):
    assert "Economic Community of West African States" in client.get("/dashboards/").get_data(as_text=True)
    response = client.get("/dashboards/?region=ecowas&year=2026&version=")
    assert response.status_code == 302 and response.location.endswith("/dashboards/ecowas/2026")


def test_needs_view_lists_unfunded_gaps_first(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026/needs").get_data(as_text=True)
    counts = [int(n) for n in re.findall(r'data-unfunded="(\d+)"', page)]
    assert counts and counts == sorted(counts, reverse=True)
    assert "Togo" not in page


def test_needs_view_converts_money_only_with_a_rate(client, auth, demo):
    auth.login("donor")
    plain = client.get("/dashboards/ecowas/2026/needs").get_data(as_text=True)
    assert "NGN" in plain or "₦" in plain
    converted = client.get("/dashboards/ecowas/2026/needs?to=USD&rate-NGN=0.001").get_data(as_text=True)
    facts = converted.split('id="facts"')[1]
    nigeria = next(line for line in facts.split("<tr>") if "Nigeria" in line)
    assert "USD" in nigeria and "₦" not in nigeria and "NGN" not in nigeria
    benin = next(line for line in facts.split("<tr>") if "Benin" in line)
    assert "XOF" in benin and "USD" not in benin  # no rate given for XOF: its own currency


def test_country_profile_compares_with_regional_medians(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/countries/NG").get_data(as_text=True)
    assert "Country profile: Nigeria" in page
    assert "ECOWAS:" in page and "AU:" in page and "Commonwealth:" in page
    assert "Priority capacity-building needs" in page and "Strengths" in page


def test_country_profile_hides_private_and_unreleased_results(client, auth, demo):
    auth.login("donor")
    assert "has no results released to you yet" in client.get("/dashboards/countries/TG").get_data(as_text=True)
    auth.logout()
    assert "has no results released to you yet" in client.get("/dashboards/countries/NG").get_data(as_text=True)


def test_xlsx_export_opens_in_a_spreadsheet_with_translated_headers(client, auth, demo):
    from openpyxl import load_workbook

    auth.login("donor")
    response = client.get("/dashboards/ecowas/2026/export.xlsx?lang=fr")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Pays"  # headers follow the reader's language
    codes = [r[0] for r in rows[1:]]
    assert codes == sorted(["BJ", "CI", "CV", "GM", "LR", "NG", "SL"])
    assert all(isinstance(r[6], float) for r in rows[1:])


def test_exports_defuse_spreadsheet_formulas():
    from survey.dashboards.exports import to_csv

    text = to_csv(["=HYPERLINK(1)"], [["@SUM(A1)", -3.0, "+1", "plain"]])
    assert "'=HYPERLINK" in text and "'@SUM" in text and "'+1" in text and ",-3.0," in text


def test_csv_export_has_versions_release_levels_and_indicator_levels(client, auth, demo):
    auth.login("donor")
    rows = csv_rows(client.get("/dashboards/ecowas/2026/export.csv"))
    header = rows[0]
    assert header[:8] == [
        "ISO code",
        "Country",
        "Cycle",
        "Framework version",
        "Release level",
        "Demo data",
        "Overall score",
        "Overall stage",
    ]
    assert header[8:10] == ["Indicators scored", "Indicators that can be scored"]
    assert any(h.startswith("Level (1-5): legal.") for h in header)
    cv = next(r for r in rows if r[0] == "CV")
    levels = cv[header.index("Indicators that can be scored") + 1 + 8 :]  # after the pillar scores
    assert int(cv[8]) == sum(1 for v in levels if v.isdigit()) and cv[9] == "46"
    assert cv[4] == "Public" and next(r for r in rows if r[0] == "NG")[4] == "Donors"


def test_trend_keeps_framework_versions_on_separate_lines():
    from survey.dashboards.build import trend_lines
    from survey.dashboards.services import TrendPoint
    from survey.regions.definition import Period
    from survey.regions.services import RegionInfo

    region = RegionInfo("r", "R", "Region", "world", "", (Period("GH"), Period("NG")))
    points = [
        TrendPoint(2024, 1, "GH", 40),
        TrendPoint(2024, 1, "NG", 20),
        TrendPoint(2025, 2, "GH", 60),
        TrendPoint(2025, 2, "NG", 50),
    ]
    from flask import Flask
    from flask_babel import Babel

    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        lines = trend_lines(region, points, ["GH"], {1: "v1", 2: "v2"})
    assert [(name, label, [y for y, _s in series]) for name, label, _v, series in lines] == [
        ("Regional median", "v1", [2024]),
        ("Regional median", "v2", [2025]),
        ("Ghana", "v1", [2024]),
        ("Ghana", "v2", [2025]),
    ]
    assert lines[0][3] == [(2024, 30)]


def test_dashboard_runs_the_same_number_of_queries_for_small_and_large_regions(app, client, auth, demo):
    from survey.dashboards.cache import pages
    from survey.dashboards.synthetic import generate

    generate(countries=200, cycles=2, server_database_ok=True)
    db.session.commit()
    auth.login("donor")
    client.get("/dashboards/eac/2026")  # warm the framework cache

    def queries(url: str) -> int:
        db.session.expire_all()
        pages().clear()  # measure the work of building the page, not a cache hit
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    for path in ("", "/export.xlsx", "/export.csv", "/export.json", "/needs", "/needs.csv", "/heatmap.csv"):
        small, large = (
            queries(f"/dashboards/eac/2026{path}"),
            queries(f"/dashboards/commonwealth/2026{path}"),
        )
        assert small == large, path
        assert large <= 14, path  # the funding panels read the gaps and the projects: two of them
    page = client.get("/dashboards/au/2026").get_data(as_text=True)
    # 55 members less the Sahrawi Republic (not a UN state), Togo (private) and Senegal (draft)
    assert len(heatmap_countries(page)) == 52


def page_weight(client, url: str, scope: str) -> tuple[int, int]:
    """(first visit, repeat visit) bytes: gzip HTML plus gzip static assets, interactive charts and base map."""
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"
    html = gzip.decompress(response.data).decode()
    assets = re.findall(r'(?:src|href)="/static/([^"?]+)\?v=', html)
    assert "vendor/plotly-custom.min.js" not in assets  # Plotly loads when the reader explores
    on_demand = re.findall(r'data-plotly(?:-css|-locale)?="/static/([^"?]+)\?v=', html)
    assert "vendor/plotly-custom.min.js" in on_demand
    files = [*assets, *on_demand, f"vendor/topojson/{scope}_110m.json"]  # Plotly fetches the map
    static = sum(len(gzip.compress((ROOT / "static" / name).read_bytes(), 6)) for name in files)
    return len(response.data) + static, len(response.data)


@pytest.mark.parametrize(("region", "scope"), [("ecowas", "africa"), ("commonwealth", "world")])
def test_dashboard_page_weight_first_and_repeat_visit(client, auth, demo, region, scope):
    auth.login("donor")
    first, repeat = page_weight(client, f"/dashboards/{region}/2026", scope)
    assert first <= 600_000, first
    assert repeat <= 60_000, repeat  # a repeat visit: assets are immutable-cached


def test_pages_without_charts_load_no_plotly(client, demo):
    assert "plotly" not in client.get("/dashboards/").get_data(as_text=True).lower()
    assert "plotly" not in client.get("/dashboards/ecowas/2026/needs").get_data(as_text=True).lower()


def test_every_dashboard_and_api_view_declares_who_may_use_it(app):
    views = {name: view for name, view in app.view_functions.items() if name.startswith(("dashboards.", "api."))}
    assert len(views) >= 10
    assert all(getattr(view, "permission", None) == "public" for view in views.values()), views


def test_withdrawn_results_leave_the_dashboard_at_once(client, auth, demo):
    import sqlalchemy as sa

    from survey.accounts.models import User
    from survey.assessments.models import Assessment
    from survey.countries.models import Country
    from survey.publication.rules import Visibility
    from survey.publication.services import release

    auth.login("donor")
    assert "Nigeria" in heatmap_countries(client.get("/dashboards/ecowas/2026").get_data(as_text=True))
    nigeria = db.session.scalar(
        sa.select(Assessment)
        .join(Country)
        .join(Assessment.cycle)
        .where(Country.alpha2 == "NG", Assessment.cycle.has(year=2026))
    )
    release(
        nigeria,
        Visibility.PRIVATE,
        db.session.scalar(sa.select(User).where(User.username == "admin")),
    )
    db.session.commit()
    assert "Nigeria" not in heatmap_countries(client.get("/dashboards/ecowas/2026").get_data(as_text=True))


def test_cached_pages_still_show_each_reader_their_own_release_level(client, auth, demo):
    auth.login("donor")
    assert len(heatmap_countries(client.get("/dashboards/ecowas/2026").get_data(as_text=True))) == 7
    auth.logout()
    assert heatmap_countries(client.get("/dashboards/ecowas/2026").get_data(as_text=True)) == ["Cabo Verde"]


def test_synthetic_data_is_validated_released_and_marked_demo(app):
    import sqlalchemy as sa

    from survey.assessments.models import Assessment, PillarScore

    # The flag lets the same test run on PostgreSQL, a test database.
    synthetic = ["demo", "synthetic", "--countries", "3", "--cycles", "2", "--i-know-this-is-not-production"]
    result = app.test_cli_runner().invoke(args=synthetic)
    assert result.exit_code == 0, result.output
    rows = db.session.execute(
        sa.select(Assessment.status, Assessment.visibility, Assessment.is_demo, Assessment.overall_score)
    ).all()
    assert len(rows) == 6
    assert all(r.status == "validated" and r.visibility in ("public", "donors") and r.is_demo for r in rows)
    assert all(r.overall_score is not None for r in rows)
    assert db.session.scalar(sa.select(sa.func.count(PillarScore.id))) == 6 * 8
    again = app.test_cli_runner().invoke(args=synthetic)
    assert "0 synthetic assessments added" in again.output
