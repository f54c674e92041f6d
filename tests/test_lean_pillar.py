"""The lean pillar page (text rendered once, values filled per request) is the straightforward page, byte for byte."""

from __future__ import annotations

import difflib
import re

import pytest
import sqlalchemy as sa

from survey.assessments.models import Answer, Assessment, Cycle
from survey.evidence.models import EvidenceFile
from survey.extensions import db
from survey.frameworks.models import Indicator
from tests import factories
from tests.conftest import assessment_id_from

PILLARS = ("legal", "strategy", "csirt", "justice", "reporting", "cooperation", "awareness", "resources")
TOKEN = re.compile(r'(name="csrf_token"[^>]*value|data-csrf)="[^"]*"')


def page(client, app, monkeypatch, lean: bool, url: str, data: dict | None = None, lang: str = "en"):
    """The page's status and HTML (its CSRF token left out: it is signed anew on every request)."""
    monkeypatch.setitem(app.config, "LEAN_PILLAR_PAGES", lean)
    headers = {"Accept-Language": lang}
    response = client.post(url, data=data, headers=headers) if data is not None else client.get(url, headers=headers)
    return response.status_code, TOKEN.sub(r'\1="…"', response.get_data(as_text=True))


def assert_same(client, app, monkeypatch, url: str, data: dict | None = None, lang: str = "en") -> str:
    """Both renderings of the page are the same; returns the lean one."""
    plain = page(client, app, monkeypatch, False, url, data, lang)
    lean = page(client, app, monkeypatch, True, url, data, lang)
    changes = "".join(difflib.unified_diff(plain[1].splitlines(True), lean[1].splitlines(True), n=1))
    assert lean[0] == plain[0]
    assert not changes, changes
    return lean[1]


@pytest.fixture
def draft(client, auth, demo) -> int:
    """Ghana's draft started from last cycle: carried answers, some confirmed or changed, files and comments."""
    auth.login("gh-coordinator")
    response = client.post("/assessments/start", data={"carry": "1"})
    assessment_id = assessment_id_from(response.location)
    base = f"/assessments/{assessment_id}/pillars"
    client.post(
        f"{base}/justice",
        data={
            "justice__cybercrime_unit-state": "4",
            "justice__cybercrime_unit-evidence_urls": "https://example.org/unit?a=1&b=<2>",
            "justice__cybercrime_unit-comment": 'Decree "2021-3" & annex',
            "justice__trained_prosecutors-value": "1500",
            "justice__forensic_lab-value": "yes",
            "justice__cases_investigated-dont_know": "y",
            "justice__cases_investigated-comment": "Not published.",
        },
    )
    client.post(
        f"{base}/resources",
        data={"resources__annual_budget-value": "1500000.75", "resources__annual_budget-currency": "GHS"},
    )
    client.post(f"{base}/legal", data={"legal__cybercrime_law_in_force-value": "2020-12-29"})
    client.post(
        f"/assessments/{assessment_id}/indicators/justice.forensic_lab/comments", data={"body": "Which lab <b>?"}
    )
    assessment = db.session.get(Assessment, assessment_id)
    indicator_id = db.session.scalar(
        sa.select(Indicator.id).where(
            Indicator.framework_version_id == assessment.framework_version_id, Indicator.code == "justice.convictions"
        )
    )
    db.session.add(
        EvidenceFile(
            assessment_id=assessment_id,
            indicator_id=indicator_id,
            digest="ab" * 32,
            filename="judgments & rulings.pdf",
            kind="pdf",
            size=1234,
            scan="clean",
        )
    )
    db.session.commit()
    client.get("/assessments/")  # shows (and so drops) the messages of the saves above
    return assessment_id


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_pillar_of_a_draft_with_answers_reads_the_same(client, app, monkeypatch, draft, lang):
    for code in PILLARS:
        html = assert_same(client, app, monkeypatch, f"/assessments/{draft}/pillars/{code}", lang=lang)
        assert "<fieldset" in html
    justice = assert_same(client, app, monkeypatch, f"/assessments/{draft}/pillars/justice", lang=lang)
    assert "judgments &amp; rulings.pdf" in justice and "Which lab &lt;b&gt;?" in justice
    assert 'value="4" checked' in justice


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_carried_answers_and_refused_saves_read_the_same(client, app, monkeypatch, draft, lang):
    url = f"/assessments/{draft}/pillars/legal"
    html = assert_same(client, app, monkeypatch, url, lang=lang)
    assert 'form="confirm-carried"' in html
    typed = {
        "legal__substantive_offences-state": "na",  # no reason given: an error
        "legal__substantive_offences-evidence_urls": "ftp://nowhere",
        "legal__cybercrime_law_in_force-value": "31/31/2020",
        "legal__cybercrime_law_in_force-dont_know": "y",
    }
    html = assert_same(client, app, monkeypatch, url, typed, lang=lang)
    assert "has-errors" in html and 'value="31/31/2020"' in html


def test_a_conflicting_save_and_a_read_only_page_read_the_same(client, app, auth, monkeypatch, draft):
    url = f"/assessments/{draft}/pillars/justice"
    db.session.execute(sa.update(Answer).where(Answer.assessment_id == draft).values(version=Answer.version + 1))
    db.session.commit()
    stale = {"justice__cybercrime_unit-state": "2", "justice__cybercrime_unit-version": "1"}
    html = assert_same(client, app, monkeypatch, url, stale)
    assert "has-conflict" in html
    auth.logout()
    auth.login("donor")
    listing = client.get("/assessments/").get_data(as_text=True)
    released = re.search(r"/assessments/(\d+)/results", listing).group(1)
    html = assert_same(client, app, monkeypatch, f"/assessments/{released}/pillars/resources", lang="ar")
    assert " disabled>" in html


def test_unanswered_questions_kept_from_one_draft_link_to_the_next_draft(client, app, auth, monkeypatch, demo):
    # The lean page keeps an unanswered question's markup per country: the next draft's page
    # must name its own assessment in every link, never the one first shown.
    first = factories.start_assessment("gh-coordinator")
    second = Assessment(
        country_id=first.country_id,
        cycle=Cycle(year=2030, framework_version_id=first.framework_version_id),
        framework_version_id=first.framework_version_id,
    )
    db.session.add(second)
    db.session.commit()
    auth.login("gh-coordinator")
    assert_same(client, app, monkeypatch, f"/assessments/{first.id}/pillars/justice")
    html = assert_same(client, app, monkeypatch, f"/assessments/{second.id}/pillars/justice")
    assert f"/assessments/{second.id}/indicators/" in html
    assert f"/assessments/{first.id}/" not in html
