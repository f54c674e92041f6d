"""Carrying last cycle forward: a new assessment starts from the validated answers, each to confirm or change."""

from __future__ import annotations

import copy
import io
import re
from dataclasses import replace

import openpyxl
import pytest
import sqlalchemy as sa
import yaml

from survey.assessments import carry, services
from survey.assessments.cycles import open_cycle
from survey.assessments.models import Answer, Assessment, Cycle, Status
from survey.audit.models import AuditEvent
from survey.audit.services import COMMAND_LINE
from survey.countries.services import country_by_code
from survey.evidence.models import EvidenceFile
from survey.extensions import db
from survey.frameworks.definition import parse_framework
from survey.frameworks.models import FrameworkVersion, Indicator
from survey.frameworks.services import default_framework_path, load_framework
from tests.browsing import pillar_form_fields
from tests.conftest import assessment_id_from
from tests.factories import user
from tests.test_workbooks import apply, row_of, save, upload

SUBSTANTIVE = "legal.substantive_offences"


def validated(country: str, year: int) -> Assessment:
    return db.session.scalar(
        sa.select(Assessment)
        .join(Assessment.cycle)
        .where(
            Assessment.country_id == country_by_code(country).id,
            Cycle.year == year,
            Assessment.status == Status.VALIDATED,
        )
    )


def answers(assessment_id: int) -> dict[str, Answer]:
    db.session.expire_all()
    return services.answers_by_code(db.session.get(Assessment, assessment_id))


def start(client, auth, username: str, carry_over: bool = True):
    auth.login(username)
    return client.post("/assessments/start", data={"carry": "1"} if carry_over else {})


def start_ghana_from_2025(client, auth) -> int:
    response = start(client, auth, "gh-coordinator")
    assert response.status_code == 302
    return assessment_id_from(response.location)


def pillar_progress(client, assessment_id: int, pillar: str = "legal") -> tuple[str, str]:
    page = client.get(f"/assessments/{assessment_id}/pillars/{pillar}").get_data(as_text=True)
    bar = re.search(r'<progress id="progress-pillar" max="(\d+)" value="(\d+)">', page)
    return bar.group(2), bar.group(1)


def test_coordinator_starts_from_last_cycles_validated_answers_marked_to_confirm(app, client, auth, demo):
    last = validated("GH", 2025)
    before = {code: (a.state, a.level, a.comment) for code, a in services.answers_by_code(last).items() if a.state}
    auth.login("gh-coordinator")
    page = client.get("/assessments/").get_data(as_text=True)
    assert "Start from the answers of the validated 2025 assessment" in page

    response = client.post("/assessments/start", data={"carry": "1"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"{len(before)} answers were carried over from 2025: confirm or change each one." in page
    assert "wait to be confirmed or changed" in page
    assessment_id = assessment_id_from(response.request.path)
    now = answers(assessment_id)
    assert {code: (a.state, a.level, a.comment) for code, a in now.items()} == before
    assert all(a.to_confirm and a.carried_from_id for a in now.values())

    # Carried answers count as unanswered: nothing confirmed yet.
    assert pillar_progress(client, assessment_id) == ("0", "7")
    assert services.score(db.session.get(Assessment, assessment_id)).answered == 0
    pillar = client.get(f"/assessments/{assessment_id}/pillars/legal").get_data(as_text=True)
    assert pillar.count("Carried over: confirm or change") == len([c for c in before if c.startswith("legal.")])
    assert f'name="legal__substantive_offences-state" value="{before[SUBSTANTIVE][1]}" checked' in pillar
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "assessment.carry"))
    assert event.detail == f"carried {len(before)} answers from 2025"
    assert event.assessment_id == assessment_id and event.username == "gh-coordinator"


def test_confirm_one_confirm_a_pillar_and_change_one_then_submit(app, client, auth, demo):
    assessment_id = start_ghana_from_2025(client, auth)
    assessment = db.session.get(Assessment, assessment_id)
    url = f"/assessments/{assessment_id}/pillars/legal"
    response = client.post(f"{url}/confirm", data={"code": SUBSTANTIVE})
    assert response.status_code == 302
    assert not answers(assessment_id)[SUBSTANTIVE].to_confirm
    assert pillar_progress(client, assessment_id) == ("1", "7")
    confirmed = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "answer.confirm"))
    assert confirmed.indicator_code == SUBSTANTIVE

    # Saving the carried values unchanged confirms nothing; changing one confirms it.
    legal = assessment.framework_version.definition.pillar("legal")
    data_protection = "legal.data_protection"
    kept = answers(assessment_id)[data_protection]
    same = services.AnswerValues(**{field: getattr(kept, field) for field in services.FIELDS})
    assert services.save_answers(assessment, {data_protection: same}, user("gh-coordinator")) == 0
    assert answers(assessment_id)[data_protection].to_confirm
    level = 1 if kept.level != 1 else 2
    posted = dict(pillar_form_fields(client.get(url).get_data(as_text=True)))
    assert posted["legal__data_protection-version"] == str(kept.version)
    assert client.post(url, data=posted).status_code == 302  # the page as shown: nothing changes
    assert answers(assessment_id)[data_protection].to_confirm
    assert client.post(url, data={**posted, "legal__data_protection-state": str(level)}).status_code == 302
    changed = answers(assessment_id)[data_protection]
    assert (changed.level, changed.to_confirm) == (level, False)

    client.post(f"{url}/confirm", data={"all": "1"})
    assert not any(
        answers(assessment_id)[i.code].to_confirm for i in legal.indicators if i.code in answers(assessment_id)
    )
    assert pillar_progress(client, assessment_id) == ("7", "7")

    # Submission waits for every carried answer.
    refused = client.post(f"/assessments/{assessment_id}/submit")
    assert refused.status_code == 409 and "every indicator needs an answer" in refused.get_data(as_text=True)
    for pillar in assessment.framework_version.definition.pillars:
        client.post(f"/assessments/{assessment_id}/pillars/{pillar.code}/confirm", data={"all": "1"})
    assert client.post(f"/assessments/{assessment_id}/submit").status_code == 302

    # The validator sees which answers are unchanged since last cycle.
    auth.logout()
    auth.login("gh-validator")
    page = client.get(f"/assessments/{assessment_id}/validation").get_data(as_text=True)
    unchanged = carry.unchanged_since_carry(assessment)
    assert SUBSTANTIVE in unchanged and data_protection not in unchanged
    assert f"{len(unchanged)} answers are unchanged since last cycle’s validated assessment." in page
    item = page[page.index('id="r-legal.data_protection"') :]
    assert "Unchanged since last cycle" not in item[: item.index("</h3>")]
    item = page[page.index(f'id="r-{SUBSTANTIVE}"') :]
    assert "Unchanged since last cycle" in item[: item.index("</h3>")]


def test_a_carried_fact_must_be_confirmed_before_submission(app, client, auth, demo):
    assessment_id = start_ghana_from_2025(client, auth)
    assessment = db.session.get(Assessment, assessment_id)
    definition = assessment.framework_version.definition
    for pillar in definition.pillars:
        codes = [i.code for i in pillar.maturity_indicators]
        carry.confirm(assessment, user("gh-coordinator"), codes)
    db.session.commit()
    pending = services.unconfirmed_codes(assessment)
    assert pending and all(not definition.known_indicator(code).is_maturity for code in pending)
    response = client.post(f"/assessments/{assessment_id}/submit")
    assert response.status_code == 409
    assert "confirm or change every answer carried over from last cycle" in response.get_data(as_text=True)


def test_the_2027_assessment_starts_from_2026s_validated_answers(app, client, auth, demo):
    open_cycle(2027, db.session.get(FrameworkVersion, validated("NG", 2026).framework_version_id), COMMAND_LINE)
    db.session.commit()
    source = validated("NG", 2026)
    auth.login("ng-coordinator")
    assert "validated 2026 assessment" in client.get("/assessments/").get_data(as_text=True)
    assessment_id = assessment_id_from(client.post("/assessments/start", data={"carry": "1"}).location)
    assert db.session.get(Assessment, assessment_id).cycle.year == 2027
    carried = answers(assessment_id)
    assert {a.carried_from_id for a in carried.values()} <= {a.id for a in services.answers_by_code(source).values()}
    assert carried[SUBSTANTIVE].level == services.answers_by_code(source)[SUBSTANTIVE].level


def new_version(tmp_path) -> FrameworkVersion:
    """Version 2027.1 of the framework: one indicator's levels reworded, one renamed, the rest unchanged."""
    data = yaml.safe_load(default_framework_path().read_text(encoding="utf-8"))
    data["version"] = "2027.1"
    legal = data["pillars"][0]["indicators"]
    substantive = next(i for i in legal if i["id"] == SUBSTANTIVE)
    substantive["levels"][3] = substantive["levels"][3] + " (now with a court ruling)"
    renamed = next(i for i in legal if i["id"] == "legal.data_protection")
    renamed["id"] = "legal.personal_data"
    path = tmp_path / "framework-2027.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_framework(path).version


def test_a_new_framework_version_carries_only_indicators_whose_identity_is_unchanged(app, client, auth, demo, tmp_path):
    version = new_version(tmp_path)
    open_cycle(2027, version, COMMAND_LINE)
    db.session.commit()
    source = services.answers_by_code(validated("NG", 2026))
    assessment_id = assessment_id_from(start(client, auth, "ng-coordinator").location)
    carried = answers(assessment_id)
    assert SUBSTANTIVE not in carried  # its levels changed: an old level would not mean the same
    assert "legal.personal_data" not in carried and "legal.data_protection" not in carried
    kept = [code for code in source if code not in (SUBSTANTIVE, "legal.data_protection") and source[code].state]
    assert kept and all(carried[code].level == source[code].level for code in kept)
    assert all(
        db.session.get(Indicator, carried[code].indicator_id).framework_version_id == version.id for code in kept
    )


def test_identity_is_code_kind_levels_fact_type_and_options():
    definition = parse_framework(yaml.safe_load(default_framework_path().read_text(encoding="utf-8")))
    indicator = definition.known_indicator(SUBSTANTIVE)
    assert carry.same_identity(indicator, copy.deepcopy(indicator))
    assert not carry.same_identity(indicator, replace(indicator, levels={**indicator.levels, 2: "Other"}))
    assert carry.same_identity(indicator, replace(indicator, guidance="Clearer guidance"))
    choice = next(i for i in definition.all_indicators() if i.options)
    assert not carry.same_identity(choice, replace(choice, options=choice.options[:-1]))


def test_not_offered_when_no_validated_assessment_exists(app, client, auth, demo):
    open_cycle(2027, db.session.scalar(sa.select(FrameworkVersion)), COMMAND_LINE)
    db.session.commit()
    auth.login("sn-coordinator")  # Senegal has a 2026 draft, nothing validated
    page = client.get("/assessments/").get_data(as_text=True)
    assert "Start the 2027 assessment" in page and "Start from the answers" not in page
    response = client.post("/assessments/start", data={"carry": "1"}, follow_redirects=True)
    assert "There is no validated assessment of an earlier cycle to start from." in response.get_data(as_text=True)
    assert answers(assessment_id_from(response.request.path)) == {}


def test_contributors_cannot_carry_answers_forward(app, client, auth, demo):
    auth.login("gh-contributor")
    page = client.get("/assessments/").get_data(as_text=True)
    assert "Start the 2026 assessment" in page and "Start from the answers" not in page
    assert client.post("/assessments/start", data={"carry": "1"}).status_code == 403
    refusal = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "assessment.carry"))
    assert refusal.outcome == "refused" and refusal.username == "gh-contributor"
    assessment_id = assessment_id_from(client.post("/assessments/start").location)
    assert "Pre-fill from 2025" not in client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert answers(assessment_id) == {}


def test_coordinator_can_still_prefill_a_draft_a_contributor_started(app, client, auth, demo):
    auth.login("gh-contributor")
    assessment_id = assessment_id_from(client.post("/assessments/start").location)
    client.post(f"/assessments/{assessment_id}/pillars/legal", data={"legal__substantive_offences-state": "5"})
    auth.logout()
    auth.login("gh-coordinator")
    assert "Pre-fill from 2025" in client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    client.post("/assessments/start", data={"carry": "1"})
    now = answers(assessment_id)
    assert (now[SUBSTANTIVE].level, now[SUBSTANTIVE].to_confirm) == (5, False)  # the colleague's answer stays
    assert sum(a.to_confirm for a in now.values()) > 10
    assert "Pre-fill from 2025" not in client.get(f"/assessments/{assessment_id}").get_data(as_text=True)


def test_evidence_files_come_along_without_copying_their_bytes(app, client, auth, demo):
    last = validated("GH", 2025)
    indicator_id = services.answers_by_code(last)[SUBSTANTIVE].indicator_id
    db.session.add(
        EvidenceFile(
            assessment_id=last.id,
            indicator_id=indicator_id,
            digest="ab" * 32,
            filename="cybercrime-act.pdf",
            kind="pdf",
            size=1234,
            scan="clean",
        )
    )
    db.session.commit()
    assessment_id = start_ghana_from_2025(client, auth)
    files = db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.assessment_id == assessment_id)).all()
    assert [(f.filename, f.digest, f.is_public) for f in files] == [("cybercrime-act.pdf", "ab" * 32, False)]


def test_workbook_marks_carried_answers_and_an_unchanged_upload_confirms_nothing(app, client, auth, demo):
    assessment_id = start_ghana_from_2025(client, auth)
    assessment = db.session.get(Assessment, assessment_id)
    data = client.get(f"/assessments/{assessment_id}/workbook/download").data
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet, row = row_of(book, SUBSTANTIVE)
    assert sheet.cell(row, 16).value == "Carried over: confirm or change"
    assert any("Carried over: confirm or change" in str(c.value) for c in book.worksheets[0]["A"])

    preview = upload(client, assessment, data).get_data(as_text=True)
    assert 'name="keep"' not in preview  # nothing to apply
    assert answers(assessment_id)[SUBSTANTIVE].to_confirm

    level = answers(assessment_id)[SUBSTANTIVE].level
    sheet.cell(row, 10, 1 if level != 1 else 2)
    preview = upload(client, assessment, save(book)).get_data(as_text=True)
    assert apply(client, assessment, preview).status_code == 302
    changed = answers(assessment_id)[SUBSTANTIVE]
    assert (changed.level, changed.to_confirm) == (1 if level != 1 else 2, False)
    assert sum(a.to_confirm for a in answers(assessment_id).values()) > 10


@pytest.mark.parametrize("lang", ["fr"])
def test_audit_trail_names_the_carry_in_the_readers_language(app, client, auth, demo, lang):
    assessment_id = start_ghana_from_2025(client, auth)
    page = client.get(f"/assessments/{assessment_id}/audit?lang={lang}").get_data(as_text=True)
    assert "Réponses reprises du cycle précédent" in page


def test_saving_pillars_of_carried_answers_as_shown_confirms_nothing(app, client, auth, demo):
    assessment_id = start_ghana_from_2025(client, auth)
    waiting = sum(a.to_confirm for a in answers(assessment_id).values())
    for pillar in db.session.get(Assessment, assessment_id).framework_version.definition.pillars:
        url = f"/assessments/{assessment_id}/pillars/{pillar.code}"
        shown = dict(pillar_form_fields(client.get(url).get_data(as_text=True)))
        assert client.post(url, data=shown).status_code == 302
    assert sum(a.to_confirm for a in answers(assessment_id).values()) == waiting
    changed = sa.select(AuditEvent).where(
        AuditEvent.action == "answer.update", AuditEvent.assessment_id == assessment_id
    )
    assert db.session.scalar(changed) is None
