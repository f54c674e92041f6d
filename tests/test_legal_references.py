"""The framework cites instruments to the article, and names countries as they ask to be named."""

from __future__ import annotations

import re

import pytest

from survey.frameworks.definition import default_framework_path, load_document, parse_framework
from survey.i18n.locale import sorted_countries
from survey.regions.definition import members_in, read_regions_file


@pytest.fixture(scope="module")
def definition():
    return parse_framework(load_document(default_framework_path()))


def test_every_treaty_reference_names_an_article_part_or_named_provision(definition):
    vague = [
        (indicator.code, ref.instrument, ref.provision)
        for indicator in definition.all_indicators()
        for ref in indicator.references
        if ref.instrument in {"budapest", "budapest_p2", "un_convention", "malabo"}
        and not ref.provision.startswith(("Art", "Chapter", "Provisions on"))
    ]
    assert vague == []
    un = {
        i.code: r.provision
        for i in definition.all_indicators()
        for r in i.references
        if r.instrument == "un_convention"
    }
    assert un["cooperation.contact_point_247"] == "Art 41 (24/7 network)"
    assert un["legal.treaty_status"] == "Arts 64-65 (signature; entry into force)"
    assert not [p for p in un.values() if p.startswith("Provisions on")]  # the UN text is numbered: cite it


def test_the_added_instruments_are_cited_by_the_indicators_that_reflect_them(definition):
    cited = definition.citations()
    assert [i.code for i, _ in cited["commonwealth_evidence_law"]] == ["legal.electronic_evidence"]
    assert "cooperation.mla_central_authority" in [i.code for i, _ in cited["ecowas_mla"]]
    assert [i.code for i, _ in cited["ecowas_extradition"]] == ["legal.treaty_status"]


def test_treaty_guidance_states_when_the_un_convention_enters_into_force(definition):
    guidance = definition.known_indicator("legal.treaty_status").guidance
    assert "Hanoi on 25 October 2025" in guidance
    assert "ninetieth day after the fortieth instrument" in guidance


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            ["Legal instruments referred to", "Commonwealth Model Law on Electronic Evidence", "Art 41 (24/7 network)"],
        ),
        (
            "fr",
            [
                "Instruments juridiques cités",
                "Loi type du Commonwealth sur la preuve électronique",
                "Art. 41 (réseau 24/7)",
            ],
        ),
        (
            "pt",
            [
                "Instrumentos jurídicos referidos",
                "Convenção A/P1/8/94 da CEDEAO relativa à Extradição",
                "Art. 41 (rede 24/7)",
            ],
        ),
        ("ar", ["الصكوك القانونية المشار إليها", "بشأن تسليم المجرمين", "المادة 41 (شبكة 24/7)"]),
    ],
)
def test_framework_page_lists_instruments_with_the_citing_indicators(client, lang, expected):
    html = client.get(f"/framework?lang={lang}").get_data(as_text=True)
    for text in expected:
        assert text in html
    assert 'href="#cooperation.contact_point_247"' in html  # each citation leads to its indicator


@pytest.mark.parametrize(
    ("lang", "name"), [("en", "Cabo Verde"), ("fr", "Cabo Verde"), ("pt", "Cabo Verde"), ("ar", "كابو فيردي")]
)
def test_cabo_verde_is_named_as_the_country_asks(lang, name):
    assert sorted_countries(["CV"], lang) == [("CV", name)]


def test_zimbabwe_counts_in_the_commonwealth_only_before_its_2003_exit():
    regions, _stamp = read_regions_file()
    commonwealth = {r.code: r for r in regions}
    for code in ("commonwealth", "commonwealth-africa"):
        assert "ZW" in members_in(commonwealth[code].periods, 2002)
        assert "ZW" not in members_in(commonwealth[code].periods, 2004)
        assert "ZW" not in members_in(commonwealth[code].periods, 2026)


def test_arabic_pages_separate_cited_instruments_with_the_arabic_semicolon(client):
    html = client.get("/framework?lang=ar").get_data(as_text=True)
    refs = re.findall(r'<p class="refs">(.*?)</p>', html)
    assert refs and all("; " not in line for line in refs)
    assert any("؛ " in line for line in refs)
