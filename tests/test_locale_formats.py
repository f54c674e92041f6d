"""Numbers, money and country names the way readers of each language write and sort them."""

from __future__ import annotations

import re

import pytest

from survey.i18n.locale import collation_key, sorted_countries
from survey.pages.hooks import format_change, format_number, format_score

NBSP = "[\u00a0\u202f ]"  # CLDR separates French thousands and per cents with (narrow) no-break spaces


@pytest.mark.parametrize(("language", "number", "change", "score"), [
    ("en", "12.5", "+5", "1,235"), ("fr", "12,5", "+5", "1\u202f235"),
    ("pt", "12,5", "+5", "1.235"), ("ar", "12.5", "+5", "1,235")])
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
    assert re.search(rf"\d{{1,3}}(?:{NBSP}\d{{3}})+(?:,00)?{NBSP}\S+", french)  # "12 000 000,00 GHS"
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
