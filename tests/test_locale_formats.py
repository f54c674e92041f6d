"""Numbers, money and country names the way readers of each language write and sort them."""

from __future__ import annotations

import re

import pytest

from survey.i18n.locale import collation_key, sorted_countries
from survey.pages.hooks import format_change, format_number, format_score

NBSP = "[\u00a0\u202f ]"  # CLDR separates French thousands and per cents with (narrow) no-break spaces


@pytest.mark.parametrize(
    ("language", "number", "change", "score"),
    [
        ("en", "12.5", "+5", "1,235"),
        ("fr", "12,5", "+5", "1\u202f235"),
        ("pt", "12,5", "+5", "1\u00a0235"),  # European Portuguese groups with a space
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

    from babel import Locale

    from survey.questions import FACTS
    from survey.questions.numbers import parse_number

    assert parse_number(typed, Locale.parse(language), FACTS["money"].rule) == Decimal(number)


@pytest.mark.parametrize("typed", ["abc", "NaN", "Infinity", "1,5"])
def test_what_is_not_a_number_is_refused(typed):
    from babel import Locale

    from survey.questions import FACTS
    from survey.questions.numbers import parse_number

    with pytest.raises(ValueError):
        parse_number(typed, Locale.parse("en"), FACTS["money"].rule)


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
    page = refused.get_data(as_text=True)
    assert "n&#39;est pas un nombre que nous savons lire" in page and 'value="NaN"' in page


def test_chart_texts_are_embedded_right_to_left_for_arabic_readers():
    from survey.assessments.charts import RadarSeries, radar_figure

    figure = radar_figure(["فرق CERT/CSIRT"], [RadarSeries("2026", (50.0,))], ["البداية"], "الدرجة (0-100)", rtl=True)
    assert figure["layout"]["title"]["text"] == "\u202bالدرجة (0-100)\u202c"
    assert figure["data"][0]["theta"][0] == "\u202bفرق CERT/CSIRT\u202c"
    plain = radar_figure(["Legal"], [RadarSeries("2026", (50.0,))], ["Start-up"], "Score", rtl=False)
    assert plain["layout"]["title"]["text"] == "Score"


@pytest.mark.parametrize(
    ("language", "date", "moment"),
    [
        ("en", "22 November 2026", "22 Nov 2026, 09:30 UTC"),
        ("fr", "22 novembre 2026", "22 nov. 2026, 09:30 UTC"),
        ("pt", "22 de novembro de 2026", "22/11/2026, 09:30 UTC"),
        ("ar", "22 نوفمبر 2026", "22\u200f/11\u200f/2026، 9:30 ص UTC"),
    ],
)
def test_templates_write_dates_in_the_reader_language(app, language, date, moment):
    from datetime import UTC, datetime

    from flask import render_template_string

    when = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    with app.test_request_context(f"/?lang={language}"):
        assert render_template_string("{{ format_date(when, 'long') }}", when=when) == date
        assert render_template_string("{{ format_datetime(when) }}", when=when).startswith(moment)


def test_english_for_a_ghanaian_is_written_day_first_in_accra_time(app):
    from datetime import UTC, datetime

    from babel.dates import format_date, format_time

    from survey.i18n.formats import country_zone, format_money, formatting_locale, zone_label

    ghana = formatting_locale("en", "GH")
    moment = datetime(2026, 11, 30, 14, 42, tzinfo=UTC).astimezone(country_zone("GH"))
    assert str(ghana) == "en_GH"
    assert format_date(moment, "medium", locale=ghana) == "30 Nov 2026"
    assert zone_label(moment, ghana) == "GMT"
    assert format_time(moment, "short", locale=ghana) == "2:42\u202fpm"  # CLDR: Ghana writes 12-hour times
    assert format_money(82_000_000, "XOF", ghana) == "XOF\u00a082,000,000"
    assert format_money(38_000_000, "CVE", ghana) == "CVE\u00a038,000,000"
    lagos = datetime(2026, 11, 30, 14, 42, tzinfo=UTC).astimezone(country_zone("NG"))
    assert zone_label(lagos, formatting_locale("en", "NG")) == "WAT"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "30 Nov 2026, 14:42 UTC"), ("fr", "30 nov. 2026, 14:42 UTC"), ("pt", "30/11/2026, 14:42 UTC")],
)
def test_times_carry_their_zone_when_the_reader_has_no_country(app, language, expected):
    from datetime import UTC, datetime

    from survey.i18n.formats import format_datetime

    with app.test_request_context(f"/?lang={language}"):
        assert format_datetime(datetime(2026, 11, 30, 14, 42, tzinfo=UTC)) == expected


@pytest.mark.parametrize(
    ("language", "money"),
    [
        ("en", "XOF\u00a082,000,000"),
        ("fr", "82\u202f000\u202f000\u00a0XOF"),
        ("pt", "82\u00a0000\u00a0000,50\u00a0CVE"),
    ],
)
def test_money_is_written_with_its_iso_code_and_no_empty_cents(app, language, money):
    from decimal import Decimal

    from survey.i18n.formats import format_money

    with app.test_request_context(f"/?lang={language}"):
        amount = Decimal("82000000.50") if language == "pt" else Decimal(82_000_000)
        assert format_money(amount, "CVE" if language == "pt" else "XOF") == money


def test_portuguese_pages_name_countries_in_european_portuguese(client):
    from survey.i18n.locale import country_name

    html = client.get("/?lang=pt").get_data(as_text=True)
    assert 'lang="pt-PT"' in html
    with client.application.test_request_context("/?lang=pt"):
        assert (country_name("BJ"), country_name("KE"), country_name("CV")) == ("Benim", "Quénia", "Cabo Verde")


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "1 قضية"), (2, "2 قضيتان"), (3, "3 قضايا"), (11, "11 قضية"), (100, "100 قضية"), (181, "181 قضية")],
)
def test_arabic_counts_agree_with_their_number(app, count, text):
    from decimal import Decimal

    from survey.questions.base import StoredAnswer
    from survey.questions.registry import answer_text
    from tests.test_questions import CASES

    with app.test_request_context("/?lang=ar"):
        assert answer_text(CASES, StoredAnswer("value", {"number_value": Decimal(count)})) == text


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [("en", "1 case", "181 cases"), ("fr", "1 affaire", "181 affaires"), ("pt", "1 processo", "181 processos")],
)
def test_one_case_is_singular_in_every_language(app, language, one, many):
    from decimal import Decimal

    from survey.questions.base import StoredAnswer
    from survey.questions.registry import answer_text
    from tests.test_questions import CASES

    with app.test_request_context(f"/?lang={language}"):
        assert answer_text(CASES, StoredAnswer("value", {"number_value": Decimal(1)})) == one
        assert answer_text(CASES, StoredAnswer("value", {"number_value": Decimal(181)})) == many


def test_arabic_lists_use_the_arabic_comma_and_semicolon(app):
    from babel import Locale

    from survey.i18n.formats import join_items, list_separator

    with app.test_request_context("/?lang=ar"):
        assert list_separator() == "، "
        assert join_items(["أ", "ب"]) == "أ؛ ب"  # titles holding commas stay apart
    assert list_separator(Locale("en")) == ", "
    assert list_separator(Locale("fr")) == ", "
