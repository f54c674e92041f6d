"""Numbers, money and country names the way readers of each language write and sort them."""

from __future__ import annotations

import re

import pytest

from survey.i18n.locale import collation_key, sorted_countries
from survey.pages.hooks import format_change, format_number, format_score

NBSP = (
    "[\u00a0\u202f ]"  # CLDR separates French thousands and per cents with (narrow) no-break spaces
)


@pytest.mark.parametrize(
    ("language", "number", "change", "score"),
    [
        ("en", "12.5", "+5", "1,235"),
        ("fr", "12,5", "+5", "1\u202f235"),
        ("pt", "12,5", "+5", "1.235"),
        ("ar", "12.5", "+5", "1,235"),
    ],
)
def test_numbers_follow_the_reader_locale(app, language, number, change, score):
    with app.test_request_context(f"/?lang={language}"):
        assert format_number(12.5) == number
        assert format_change(4.6) == change
        assert format_change(-3.2) == "-3"
        assert format_score(1234.6) == score


def test_methodology_page_writes_stage_bounds_with_a_french_decimal_comma(client):
    html = client.get("/methodology?lang=fr").get_data(as_text=True)
    assert "de 12,5 à moins de 37,5" in html
    assert "12.5" not in html


def test_results_show_percentages_and_money_in_the_reader_locale(client, auth, demo):
    auth.login("admin")
    page = client.get("/assessments/?lang=fr").get_data(as_text=True)
    results = re.search(r'href="(/assessments/\d+/results)"', page).group(1)
    french = client.get(results + "?lang=fr").get_data(as_text=True)
    assert re.search(rf"\d{NBSP}%", french)  # "75 %" rather than "75%"
    assert re.search(
        rf"\d{{1,3}}(?:{NBSP}\d{{3}})+(?:,00)?{NBSP}\S+", french
    )  # "12 000 000,00 GHS"
    assert not re.search(r"\d%", french)  # the donor share too: "24 %", not "24%"
    english = client.get(results + "?lang=en").get_data(as_text=True)
    assert re.search(r"\d{1,3}(?:,\d{3})+", english) and re.search(r"\d%", english)


def test_french_collation_puts_accented_names_among_their_letter():
    names = ["Zimbabwe", "Érythrée", "Égypte", "Équateur", "Estonie", "Afrique du Sud"]
    ordered = sorted(names, key=collation_key("fr"))
    assert ordered == ["Afrique du Sud", "Égypte", "Équateur", "Érythrée", "Estonie", "Zimbabwe"]


def test_countries_are_named_and_sorted_in_the_reader_language():
    french = [name for _code, name in sorted_countries(["ZW", "EG", "ER", "EC", "DE"], "fr")]
    assert french == ["Allemagne", "Égypte", "Équateur", "Érythrée", "Zimbabwe"]
    arabic = [code for code, _name in sorted_countries(["EG", "DE", "ZW"], "ar")]
    assert arabic == ["DE", "ZW", "EG"]  # ألمانيا، زيمبابوي، مصر


def test_administrator_sees_countries_in_alphabetical_order_of_the_language(client, auth, demo):
    auth.login("admin")
    html = client.get("/assessments/?lang=fr").get_data(as_text=True)
    latest = html.split("<tbody>")[1].split("2025")[0]  # the 2026 rows come first
    countries = re.findall(r"<td>([^<\d][^<]*)</td>", latest)
    countries = [c for c in countries if c.strip() and "Demo" not in c]
    assert countries == sorted(countries, key=collation_key("fr"))
    assert len(countries) > 5


def results_page(client, auth, language: str) -> str:
    auth.login("admin")
    listing = client.get(f"/assessments/?lang={language}").get_data(as_text=True)
    path = re.search(r'href="(/assessments/\d+/results)"', listing).group(1)
    return client.get(f"{path}?lang={language}").get_data(as_text=True)


def radar(html: str) -> dict:
    import html as html_lib
    import json

    return json.loads(html_lib.unescape(re.search(r"data-figure='([^']*)'", html).group(1)))


def test_chart_texts_and_numbers_are_in_the_reader_language(client, auth, demo):
    html = results_page(client, auth, "pt")
    figure = radar(html)
    assert figure["layout"]["title"]["text"] == "Pontuação por pilar (0-100)"
    assert "Quadro jurídico" in figure["data"][0]["theta"]
    assert figure["layout"]["polar"]["radialaxis"]["ticktext"][0] == "Inicial"
    assert all("." not in t for t in figure["data"][0]["text"] if t)  # "58,3", not "58.3"
    assert 'data-locale="pt-PT"' in html  # the name the vendored Plotly locale registers


def test_radar_runs_counterclockwise_for_right_to_left_readers(client, auth, demo):
    arabic = radar(results_page(client, auth, "ar"))
    assert arabic["layout"]["polar"]["angularaxis"]["direction"] == "counterclockwise"
    english = radar(results_page(client, auth, "en"))
    assert english["layout"]["polar"]["angularaxis"]["direction"] == "clockwise"


@pytest.mark.parametrize(
    ("code", "direction"),
    [("ar", "rtl"), ("fa", "rtl"), ("ps", "rtl"), ("ckb", "rtl"), ("sw", "ltr"), ("fr", "ltr")],
)
def test_text_direction_comes_from_cldr_for_any_language(code, direction):
    from babel import Locale

    from survey.i18n.locale import direction_of

    assert direction_of(Locale.parse(code)) == direction


@pytest.mark.parametrize(
    ("language", "typed", "number"),
    [
        ("fr", "1 234,5", "1234.5"),
        ("fr", "12\u202f000", "12000"),
        ("fr", "1234.5", "1234.5"),
        ("pt", "1.234,5", "1234.5"),
        ("en", "1,234.5", "1234.5"),
        ("ar", "١٢٣٤٫٥", "1234.5"),
    ],
)
def test_numbers_are_read_as_the_reader_types_them(language, typed, number):
    from decimal import Decimal

    from survey.i18n.forms import parse_number

    assert parse_number(typed, language) == Decimal(number)


@pytest.mark.parametrize("typed", ["abc", "NaN", "Infinity", "1,5"])
def test_what_is_not_a_number_is_refused(typed):
    from survey.i18n.forms import parse_number

    with pytest.raises(ValueError):
        parse_number(typed, "en")


def test_french_official_saves_a_count_written_with_a_space(client, auth, demo):
    auth.login("sn-coordinator")
    listing = client.get("/assessments/?lang=fr").get_data(as_text=True)
    overview = re.search(r'href="(/assessments/\d+)"', listing).group(1)
    pillar = f"{overview}/pillars/justice?lang=fr"
    saved = client.post(pillar, data={"justice__trained_prosecutors-value": "1 234"})
    assert saved.status_code == 302
    assert 'value="1234"' in client.get(pillar).get_data(as_text=True)
    refused = client.post(pillar, data={"justice__trained_prosecutors-value": "NaN"})
    assert refused.status_code == 422
    assert "Ce n&#39;est pas un nombre entier valide." in refused.get_data(as_text=True)


def test_chart_texts_are_embedded_right_to_left_for_arabic_readers():
    from survey.assessments.charts import RadarSeries, radar_figure

    figure = radar_figure(
        ["فرق CERT/CSIRT"], [RadarSeries("2026", (50.0,))], ["البداية"], "الدرجة (0-100)", rtl=True
    )
    assert figure["layout"]["title"]["text"] == "\u202bالدرجة (0-100)\u202c"
    assert figure["data"][0]["theta"][0] == "\u202bفرق CERT/CSIRT\u202c"
    plain = radar_figure(
        ["Legal"], [RadarSeries("2026", (50.0,))], ["Start-up"], "Score", rtl=False
    )
    assert plain["layout"]["title"]["text"] == "Score"


@pytest.mark.parametrize(("language", "date", "moment"), [
    ("en", "November 22, 2026", "Nov 22, 2026"), ("fr", "22 novembre 2026", "22 nov. 2026"),
    ("pt", "22 de novembro de 2026", "22 de nov. de 2026"),
    ("ar", "22 نوفمبر 2026", "22\u200f/11\u200f/2026")])
def test_templates_write_dates_in_the_reader_language(app, language, date, moment):
    from datetime import UTC, datetime

    from flask import render_template_string

    when = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    with app.test_request_context(f"/?lang={language}"):
        assert render_template_string("{{ format_date(when, 'long') }}", when=when) == date
        assert render_template_string("{{ format_datetime(when) }}", when=when).startswith(moment)
