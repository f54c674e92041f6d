"""The PDF country report in four languages, who may download it, and the print views."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from PIL import Image

from survey.assessments.models import Assessment, Cycle
from survey.audit.models import AuditEvent
from survey.countries.models import Country
from survey.evidence.models import EvidenceFile
from survey.extensions import db
from survey.frameworks.models import Indicator
from survey.publication.rules import Visibility
from survey.reports import pdf
from tests.factories import user
from tests.test_browser import live_server, sign_in  # noqa: F401 - a fixture

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")

# What a reader of each language finds on page 1 of Nigeria's 2026 report (demo data: released to
# donors, overall stage Established), and one pillar's name anywhere.
EXPECTED = {
    "en": ("Nigeria", "Established", "Legal framework"),
    "fr": ("Nigeria", "Établi", "Cadre juridique"),
    "pt": ("Nigéria", "Estabelecido", "Quadro jurídico"),
    "ar": ("نيجيريا", "الراسخ", "الإطار القانوني"),
}


def assessment_of(alpha2: str, year: int) -> Assessment:
    """The demo assessment of a country in a cycle."""
    return db.session.scalars(
        sa.select(Assessment).join(Country).join(Cycle).where(Country.alpha2 == alpha2, Cycle.year == year)
    ).one()


def pdf_text(pdf: bytes, first_page_only: bool = False) -> str:
    """The PDF's text as pdftotext reads it, without the bidi marks it puts around right-to-left runs."""
    pages = ["-f", "1", "-l", "1"] if first_page_only else []
    text = subprocess.run(["pdftotext", *pages, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)


def letters(text: str) -> str:
    """The text without spaces: pdftotext moves the spaces around a left-to-right run inside Arabic."""
    return re.sub(r"\s+", "", text)


def as_extracted(text: str) -> str:
    """Arabic as pdftotext reads a PDF that holds it in logical order.

    Poppler swaps the two letters of a lam-alef ligature (one glyph that the PDF maps, correctly,
    to lam then alef); every other letter comes out in logical order.
    """
    return re.sub("ل([اأإآ])", r"\1ل", text)


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_donor_reads_the_report_in_their_language(client, auth, demo, language):
    auth.login("donor")
    nigeria = assessment_of("NG", 2026)
    response = client.get(f"/assessments/{nigeria.id}/report.pdf?lang={language}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"CyberReady-NG-2026-{language}.pdf" in response.headers["Content-Disposition"]
    country, stage, pillar = (as_extracted(text) for text in EXPECTED[language])
    first_page = pdf_text(response.data, first_page_only=True)
    assert country in first_page and stage in first_page
    text = letters(pdf_text(response.data))
    assert letters(pillar) in text
    with force_locale(language):
        titles = [letters(as_extracted(gettext(p.title))) for p in nigeria.framework_version.definition.pillars]
    assert all(title in text for title in titles), [t for t in titles if t not in text]
    if language == "ar":
        assert country[::-1] not in text  # not in visual (reversed) order


def test_report_shows_the_change_since_last_cycle_and_the_methodology(client, auth, demo):
    auth.login("donor")
    nigeria = assessment_of("NG", 2026)
    text = pdf_text(client.get(f"/assessments/{nigeria.id}/report.pdf").data)
    assert "Change since 2025" in text
    assert "How scores are computed" in text and "Evidence annex" in text


def first_page_ink(pdf: bytes, folder: Path) -> float:
    """The share of dark pixels in the lower half of the first page (where the radar is)."""
    (folder / "report.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-singlefile", "-f", "1", folder / "report.pdf", folder / "page"], check=True
    )
    with Image.open(folder / "page.png") as image:
        page = image.convert("L")
    lower = page.crop((0, page.height // 2, page.width, page.height))
    return sum(lower.histogram()[:200]) / (lower.width * lower.height)


def test_radar_on_the_first_page_is_drawn(client, auth, demo, app, monkeypatch, tmp_path):
    if not shutil.which("pdftoppm") or not shutil.which("pdftocairo") or not Path("/usr/bin/chromium").exists():
        pytest.skip("needs poppler-utils and Chromium")
    auth.login("donor")
    address = f"/assessments/{assessment_of('GH', 2025).id}/report.pdf?lang=ar"
    without_charts = first_page_ink(client.get(address).data, tmp_path)  # the test configuration draws none
    monkeypatch.setitem(app.config, "CHART_IMAGES", "sync")
    monkeypatch.setenv("BROWSER_PATH", "/usr/bin/chromium")
    with_charts = first_page_ink(client.get(address).data, tmp_path)
    assert without_charts < 0.002 and with_charts > 0.01, (without_charts, with_charts)


def test_donor_cannot_download_an_unreleased_report(client, auth, demo):
    auth.login("donor")
    togo = assessment_of("TG", 2026)  # validated, kept private
    senegal = assessment_of("SN", 2026)  # a draft
    assert client.get(f"/assessments/{togo.id}/report.pdf").status_code == 404
    assert client.get(f"/assessments/{senegal.id}/report.pdf").status_code == 404
    refused = db.session.scalars(
        sa.select(AuditEvent.assessment_id).where(
            AuditEvent.username == "donor", AuditEvent.outcome == "refused", AuditEvent.action == "access.denied"
        )
    ).all()
    assert {togo.id, senegal.id} <= set(refused)  # the attempts are audited


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


@pytest.fixture
def printer(browser, live_server):  # noqa: F811 - fixtures of the browser tests
    """A browser page on the development app with demo data."""
    context = browser.new_context(base_url=live_server, locale="en-GB")
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    "path",
    ["results", "/dashboards/countries/NG", "/dashboards/ecowas/2026"],
    ids=["results", "country_profile", "regional_dashboard"],
)
def test_printed_pages_have_no_menus_and_fit_a4(printer, path):
    page = printer
    sign_in(page, "donor")
    if path == "results":
        page.goto("/assessments/")
        path = page.locator("a[href$='/results']").first.get_attribute("href")
    page.goto(path)
    page.wait_for_load_state("load")
    printed = pdf_text(page.pdf(format="A4", print_background=True))
    assert "Sign out" not in printed and "Methodology" not in printed  # the menus
    assert "Download report (PDF)" not in printed
    assert "invented demonstration data" not in " ".join(printed.split())  # the banner (projects are titled "Demo:")
    assert "Overall score" in printed or "Ranking" in printed  # the content is there
    if path.startswith("/dashboards/countries/"):
        assert "Running" in printed.split()  # a project's status is printed whole, not "Runnin g"
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less its print margins, in CSS pixels
    wide = page.evaluate(
        "() => Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 719)"
        ".map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 718, wide


def test_report_carries_the_action_plan(client, auth, demo):
    auth.login("donor")
    ghana = db.session.scalars(
        sa.select(Assessment).join(Country).where(Country.alpha2 == "GH").order_by(Assessment.id)
    ).all()
    planned = next(a for a in ghana if a.visibility in (Visibility.DONORS, Visibility.PUBLIC) and a.id)
    text = " ".join(pdf_text(client.get(f"/assessments/{planned.id}/report.pdf").data).split())
    assert "Action plan" in text and "Cyber Security Authority" in text
    assert "Demo action: draft the missing regulations" in text and "Requested from donors" in text


def test_a_server_without_pango_answers_503_and_runs_everything_else(client, auth, demo, monkeypatch):
    monkeypatch.setattr(pdf, "_layout", lambda: None)  # as on a server where WeasyPrint cannot load Pango
    auth.login("donor")
    nigeria = assessment_of("NG", 2026)
    response = client.get(f"/assessments/{nigeria.id}/report.pdf")
    assert response.status_code == 503
    assert "not available on this server" in response.get_data(as_text=True)
    assert client.get(f"/assessments/{nigeria.id}/results").status_code == 200
