"""The PDF country report in four languages, who may download it, and the print views."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from PIL import Image

from survey.assessments.models import Assessment, Cycle
from survey.countries.models import Country
from survey.evidence.models import EvidenceFile
from survey.extensions import db
from survey.frameworks.models import Indicator
from survey.publication.rules import Visibility
from tests.factories import user

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")

# What a reader of each language must find in Nigeria's 2026 report (demo data: released to donors).
EXPECTED = {
    "en": ("Nigeria", "Established", "Legal framework", "Evidence annex"),
    "fr": ("Nigeria", "Établi", "Cadre juridique", "Annexe"),
    "pt": ("Nigéria", "Estabelecido", "Quadro jurídico", "Anexo"),
    "ar": ("نيجيريا", "راسخ", "الإطار القانوني", "ملحق"),
}


def assessment_of(alpha2: str, year: int) -> Assessment:
    """The demo assessment of a country in a cycle."""
    return db.session.scalars(
        sa.select(Assessment).join(Country).join(Cycle).where(Country.alpha2 == alpha2, Cycle.year == year)
    ).one()


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it (logical order for right-to-left scripts)."""
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_donor_reads_the_report_in_their_language(client, auth, demo, language):
    auth.login("donor")
    nigeria = assessment_of("NG", 2026)
    response = client.get(f"/assessments/{nigeria.id}/report.pdf?lang={language}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"CyberReady-NG-2026-{language}.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    for expected in EXPECTED[language]:
        assert expected in text, (language, expected)
    if language == "ar":
        assert "ةيريجين" not in text  # the country name is not reversed (visual order)


def test_report_names_stage_of_each_pillar_and_the_change_since_last_cycle(client, auth, demo):
    auth.login("donor")
    nigeria = assessment_of("NG", 2026)
    text = pdf_text(client.get(f"/assessments/{nigeria.id}/report.pdf").data)
    assert "Change since 2025" in text
    definition = nigeria.framework_version.definition
    assert all(pillar.title in text for pillar in definition.pillars)
    assert "How scores are computed" in text


def test_radar_on_the_first_page_is_drawn(client, auth, demo, app, monkeypatch):
    if not shutil.which("pdftoppm") or not shutil.which("/usr/bin/chromium"):
        pytest.skip("needs pdftoppm and Chromium")
    monkeypatch.setitem(app.config, "CHART_IMAGES", "sync")
    monkeypatch.setenv("BROWSER_PATH", "/usr/bin/chromium")
    auth.login("donor")
    ghana = assessment_of("GH", 2025)
    pdf = client.get(f"/assessments/{ghana.id}/report.pdf?lang=ar").data
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout
    page = Image.open(io.BytesIO(png)).convert("L")
    width, height = page.size
    # The radar fills the lower half of the first page: many pixels there are neither white nor near it.
    lower = page.crop((0, height // 2, width, height))
    inked = sum(1 for value in lower.getdata() if value < 200)
    assert inked > 0.02 * lower.width * lower.height


def test_donor_cannot_download_an_unreleased_report(client, auth, demo):
    auth.login("donor")
    togo = assessment_of("TG", 2026)  # validated, kept private
    senegal = assessment_of("SN", 2026)  # a draft
    assert client.get(f"/assessments/{togo.id}/report.pdf").status_code == 404
    assert client.get(f"/assessments/{senegal.id}/report.pdf").status_code == 404


def test_contributor_of_another_country_cannot_download_the_report(client, auth, demo):
    auth.login("gh-contributor")
    nigeria = assessment_of("NG", 2026)
    assert client.get(f"/assessments/{nigeria.id}/report.pdf").status_code == 404
    assert client.get(f"/assessments/{assessment_of('GH', 2025).id}/report.pdf").status_code == 200


def test_signed_out_reader_is_sent_to_sign_in(client, demo):
    response = client.get(f"/assessments/{assessment_of('CV', 2026).id}/report.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_evidence_annex_lists_links_and_only_public_files_of_a_public_release(client, auth, demo, app):
    cape_verde = assessment_of("CV", 2026)  # released publicly
    indicator = db.session.scalars(
        sa.select(Indicator).where(
            Indicator.framework_version_id == cape_verde.framework_version_id, Indicator.kind == "maturity"
        )
    ).first()
    for name, public in (("published-gazette.pdf", True), ("internal-memo.pdf", False)):
        db.session.add(
            EvidenceFile(
                assessment=cape_verde,
                indicator=indicator,
                digest="0" * 64,
                filename=name,
                kind="pdf",
                size=2048,
                scan="not_scanned",
                is_public=public,
                uploaded_by_id=user("admin").id,
            )
        )
    db.session.commit()
    auth.login("admin")  # may read every file, yet a public report names public files only
    text = pdf_text(client.get(f"/assessments/{cape_verde.id}/report.pdf").data)
    assert "published-gazette.pdf" in text and "internal-memo.pdf" not in text
    cape_verde.visibility = Visibility.DONORS
    db.session.commit()
    text = pdf_text(client.get(f"/assessments/{cape_verde.id}/report.pdf").data)
    assert "internal-memo.pdf" in text  # not a public document: the admin's report names every file


def test_report_is_generated_once_per_language_and_data(client, auth, demo, app, monkeypatch):
    import survey.reports.views as views

    auth.login("donor")
    nigeria = assessment_of("NG", 2026)
    first = client.get(f"/assessments/{nigeria.id}/report.pdf").data
    monkeypatch.setattr(views, "html_to_pdf", lambda html: pytest.fail("generated a report it had"))
    assert client.get(f"/assessments/{nigeria.id}/report.pdf").data == first


def test_results_page_links_to_the_report_for_readers(client, auth, demo):
    auth.login("donor")
    nigeria = assessment_of("NG", 2026)
    page = client.get(f"/assessments/{nigeria.id}/results").get_data(as_text=True)
    assert f'href="/assessments/{nigeria.id}/report.pdf"' in page
    profile = client.get("/dashboards/countries/NG").get_data(as_text=True)
    assert f'href="/assessments/{nigeria.id}/report.pdf"' in profile


@pytest.mark.parametrize("language", ["en", "ar"])
def test_blank_questionnaire_lists_every_question_with_blanks(client, app, language):
    page = client.get(f"/framework/questionnaire?lang={language}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'class="blank"' in html and "checkbox" in html
    if language == "en":
        assert "Legal framework" in html and "Start-up" in html


def test_framework_page_links_to_the_printable_questionnaire(client, app):
    html = client.get("/framework").get_data(as_text=True)
    assert 'href="/framework/' in html and "/questionnaire" in html


def test_print_stylesheet_hides_menus_and_fits_charts(client, app):
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert "@media print" in css
    printed = css[css.index("@media print") :]
    assert ".site-header" in printed and "display: none" in printed
