"""The validator's one-form review, what changed between submissions, and honest exclusions."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from survey.assessments.models import Answer, Assessment, Status
from survey.audit.models import AuditEvent
from survey.extensions import db
from survey.frameworks.models import Indicator
from survey.review.models import Comment
from tests.conftest import Auth, assessment_id_from

LEGAL = "legal.substantive_offences"
LEGAL_KEY = "legal__substantive_offences"
UNIT = "justice.cybercrime_unit"


def signed_in(app, username: str):
    """A separate browser signed in as this user."""
    client = app.test_client()
    assert Auth(client).login(username).status_code == 302
    return client


def answer_all_64(assessment_id: int, level: int = 3, **overrides) -> None:
    """The framework's 62 indicators and facts plus its date and choice facts: 64 answers.

    Answer every indicator, facts included, as the coordinator; `overrides` by indicator code."""
    from survey.accounts.models import User
    from survey.assessments import services
    from survey.assessments.services import AnswerValues

    assessment = db.session.get(Assessment, assessment_id)
    user = db.session.scalar(sa.select(User).where(User.username == "gh-coordinator"))
    facts = {
        "money": dict(number_value=Decimal(1000), currency="GHS"),
        "count": dict(number_value=Decimal(12)),
        "percent": dict(number_value=Decimal(40)),
        "boolean": dict(bool_value=True),
        "date": dict(date_value=date(2021, 5, 31)),
    }

    def fact(indicator) -> AnswerValues:
        if indicator.fact_type == "choice":
            return AnswerValues("value", choice_value=indicator.options[0].id)
        return AnswerValues("value", **facts[indicator.fact_type])

    for pillar in assessment.framework_version.definition.pillars:
        values = {
            i.code: AnswerValues("level", level=level, evidence_description="Gazette 2021")
            if i.is_maturity
            else fact(i)
            for i in pillar.indicators
        }
        values.update({code: value for code, value in overrides.items() if code in values})
        services.save_answers(assessment, values, user)
    db.session.commit()


def submitted_ghana(app, **overrides):
    coordinator = signed_in(app, "gh-coordinator")
    assessment_id = assessment_id_from(coordinator.post("/assessments/start").location)
    answer_all_64(assessment_id, **overrides)
    assert coordinator.post(f"/assessments/{assessment_id}/submit").status_code == 302
    return coordinator, assessment_id


def answers(assessment_id: int) -> dict[str, Answer]:
    db.session.expire_all()
    return {
        code: answer
        for answer, code in db.session.execute(
            sa.select(Answer, Indicator.code)
            .join(Indicator, Answer.indicator_id == Indicator.id)
            .where(Answer.assessment_id == assessment_id)
        )
    }


def form_state(page: str) -> dict[str, str]:
    """The hidden version and seen-decision fields of a review page, as a browser would send them."""
    fields = re.findall(r'<input[^>]*name="([^"]+-(?:version|seen))"[^>]*value="([^"]*)"', page)
    return dict(fields)


def decide(page: str, decisions: dict[str, str], comments: dict[str, str] | None = None, **extra) -> dict:
    """Form data for the review form of `page`: decisions and comments by indicator code."""
    data = form_state(page)
    for code, decision in decisions.items():
        data[f"{code.replace('.', '__')}-decision"] = decision
    for code, comment in (comments or {}).items():
        data[f"{code.replace('.', '__')}-comment"] = comment
    return {"action": "save", **data, **extra}


def test_the_validator_reviews_62_indicators_in_one_page_and_validates_with_one_submit(app, demo):
    _, assessment_id = submitted_ghana(app)
    validator = signed_in(app, "gh-validator")
    url = f"/assessments/{assessment_id}/validation"
    page = validator.get(url).get_data(as_text=True)
    assert len(re.findall(r'name="\w+-version"', page)) == 64
    # The question and the chosen level with its description, not just "3. Established".
    assert "To what extent does national law make the core attacks" in page
    assert "3. Established" in page and "A law in force covers all core offences" in page
    everything = decide(page, {code: "accepted" for code in answers(assessment_id)}, action="validate")
    response = validator.post(url, data=everything)
    assert response.status_code == 302 and response.location.endswith(f"/assessments/{assessment_id}/results")
    assert db.session.get(Assessment, assessment_id).status == Status.VALIDATED
    assert {a.review for a in answers(assessment_id).values()} == {"accepted"}
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "indicator.review", AuditEvent.assessment_id == assessment_id
            )
        )
        == 64
    )


def test_decisions_are_recorded_all_at_once_or_not_at_all(app, demo):
    _, assessment_id = submitted_ghana(app)
    validator = signed_in(app, "gh-validator")
    url = f"/assessments/{assessment_id}/validation"
    page = validator.get(url).get_data(as_text=True)
    # Returning without saying why is refused, and the other decision and comment typed come back.
    refused = validator.post(
        url, data=decide(page, {LEGAL: "returned", UNIT: "accepted"}, {UNIT: "Decree 2021 seen, thanks"})
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Say what needs fixing" in body
    assert "Decree 2021 seen, thanks" in body and 'value="accepted" checked' in body
    assert {a.review for a in answers(assessment_id).values()} == {None}
    # Validating while some indicators have no decision is refused as a whole: nothing is kept.
    partial = validator.post(url, data=decide(page, {UNIT: "accepted"}, {LEGAL: "Which article?"}, action="validate"))
    assert partial.status_code == 409 and "Nothing was recorded" in partial.get_data(as_text=True)
    assert "Which article?" in partial.get_data(as_text=True)
    assert answers(assessment_id)[UNIT].review is None
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0
    # Partial progress is fine with "Record my decisions": the rest waits for later.
    saved = validator.post(url, data=decide(page, {UNIT: "accepted"}, {LEGAL: "Which article?"}))
    assert saved.status_code == 302
    assert answers(assessment_id)[UNIT].review == "accepted" and answers(assessment_id)[LEGAL].review is None
    assert db.session.scalar(sa.select(Comment.body)) == "Which article?"


def test_a_decision_from_a_page_opened_before_another_decision_is_a_conflict_that_loses_nothing(app, demo):
    _, assessment_id = submitted_ghana(app)
    validator = signed_in(app, "gh-validator")
    url = f"/assessments/{assessment_id}/validation"
    old_tab = validator.get(url).get_data(as_text=True)
    assert validator.post(url, data=decide(old_tab, {LEGAL: "accepted"})).status_code == 302
    stale = validator.post(url, data=decide(old_tab, {LEGAL: "returned"}, {LEGAL: "Section 62 is missing"}))
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Changed after you opened this page" in body and "Section 62 is missing" in body
    assert answers(assessment_id)[LEGAL].review == "accepted"
    # The refreshed form carries the current state: submitting it again keeps the validator's choice.
    again = validator.post(url, data=decide(body, {LEGAL: "returned"}, {LEGAL: "Section 62 is missing"}))
    assert again.status_code == 302 and answers(assessment_id)[LEGAL].review == "returned"


def test_after_a_resubmission_the_validator_sees_what_changed_and_who_changed_it(app, demo):
    coordinator, assessment_id = submitted_ghana(app)
    validator = signed_in(app, "gh-validator")
    url = f"/assessments/{assessment_id}/validation"
    page = validator.get(url).get_data(as_text=True)
    choices = {code: "accepted" for code in answers(assessment_id)} | {LEGAL: "returned"}
    returned = decide(page, choices, {LEGAL: "Please link the act"}, action="send_back")
    assert validator.post(url, data=returned).status_code == 302
    assert db.session.get(Assessment, assessment_id).status == Status.RETURNED
    police = signed_in(app, "gh-contributor")
    version = answers(assessment_id)[LEGAL].version
    assert (
        police.post(
            f"/assessments/{assessment_id}/pillars/legal",
            data={
                f"{LEGAL_KEY}-state": "4",
                f"{LEGAL_KEY}-version": str(version),
                f"{LEGAL_KEY}-evidence_urls": "https://laws.example.gh/act-1038",
                f"{LEGAL_KEY}-evidence_description": "Gazette 2021",
            },
        ).status_code
        == 302
    )
    assert coordinator.post(f"/assessments/{assessment_id}/submit").status_code == 302
    changed = validator.get(f"{url}?show=changed").get_data(as_text=True)
    assert len(re.findall(r'name="[^"]+-version"', changed)) == 1  # only the changed indicator is listed
    assert "Changed since the last review by Demo contributor, Ghana" in changed
    assert "was Level: 3. Established, now Level: 4. Strategic" in changed
    assert "https://laws.example.gh/act-1038" in changed
    assert "Changed since the last review (1)" in changed


def test_filters_are_plain_links_and_an_unknown_filter_shows_everything(app, demo):
    _, assessment_id = submitted_ghana(app, **{LEGAL: _na("Covered by the Data Protection Act")})
    validator = signed_in(app, "gh-validator")
    url = f"/assessments/{assessment_id}/validation"
    flagged = validator.get(f"{url}?show=flagged").get_data(as_text=True)
    assert len(re.findall(r'name="[^"]+-version"', flagged)) == 1 and f"{url}?show=pending" in flagged
    assert len(re.findall(r'name="[^"]+-version"', validator.get(f"{url}?show=nonsense").get_data(as_text=True))) == 64


def _na(reason: str):
    from survey.assessments.services import AnswerValues

    return AnswerValues("na", comment=reason)


def test_not_applicable_and_dont_know_need_a_reason_and_nothing_typed_is_lost(client, auth, demo):
    auth.login("gh-coordinator")
    assessment_id = assessment_id_from(client.post("/assessments/start").location)
    url = f"/assessments/{assessment_id}/pillars/legal"
    refused = client.post(
        url,
        data={
            f"{LEGAL_KEY}-state": "na",
            "legal__procedural_powers-state": "dont_know",
            "legal__procedural_powers-evidence_description": "Asked the ministry",
            "legal__data_protection-state": "4",
        },
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and body.count("need a short reason") == 2
    assert "Asked the ministry" in body and 'value="na" checked' in body
    assert answers(assessment_id) == {}
    saved = client.post(
        url,
        data={
            f"{LEGAL_KEY}-state": "na",
            f"{LEGAL_KEY}-comment": "No criminal code here",
            "legal__procedural_powers-state": "dont_know",
            "legal__procedural_powers-comment": "The ministry has not answered yet",
        },
    )
    assert saved.status_code == 302 and answers(assessment_id)[LEGAL].state == "na"


def test_not_applicable_and_dont_know_are_flagged_to_the_validator_with_their_reason(app, demo):
    from survey.assessments.services import AnswerValues

    _, assessment_id = submitted_ghana(
        app,
        **{
            LEGAL: _na("Covered by the Data Protection Act"),
            UNIT: AnswerValues("dont_know", comment="The police have not replied"),
        },
    )
    validator = signed_in(app, "gh-validator")
    url = f"/assessments/{assessment_id}/validation"
    page = validator.get(f"{url}?show=flagged").get_data(as_text=True)
    assert "Reason: Covered by the Data Protection Act" in page and "Reason: The police have not replied" in page
    assert len(re.findall(r'name="[^"]+-version"', page)) == 2
    # Accepting the unflagged ones at once leaves both for a decision of their own.
    full = validator.get(url).get_data(as_text=True)
    assert validator.post(url, data=decide(full, {}, accept_unflagged="y")).status_code == 302
    left = {code for code, a in answers(assessment_id).items() if a.review is None}
    assert left == {LEGAL, UNIT}


def test_the_coordinator_continues_an_assessment_with_returned_indicators(app, demo):
    coordinator, assessment_id = submitted_ghana(app)
    validator = signed_in(app, "gh-validator")
    url = f"/assessments/{assessment_id}/validation"
    page = validator.get(url).get_data(as_text=True)
    assert (
        validator.post(
            url, data=decide(page, {LEGAL: "returned"}, {LEGAL: "Please link the act"}, action="send_back")
        ).status_code
        == 302
    )
    listing = coordinator.get("/assessments/").get_data(as_text=True)
    row = listing[listing.index(f'/assessments/{assessment_id}"') :]
    assert ">Continue<" in row.split("</tr>")[0]


def test_results_and_the_country_profile_say_how_many_indicators_each_score_rests_on(app, client, demo):
    coordinator, assessment_id = submitted_ghana(app, **{LEGAL: _na("Covered by the Data Protection Act")})
    results = coordinator.get(f"/assessments/{assessment_id}/results").get_data(as_text=True)
    assert "scored on 45 of 46 indicators" in results  # the overall score
    assert "scored on 6 of 7 indicators" in results  # the legal pillar, one indicator not applicable
    stored = db.session.get(Assessment, assessment_id)
    assert (stored.overall_scored, stored.overall_total) == (45, 46)
    profile = client.get("/dashboards/countries/CV?lang=fr").get_data(as_text=True)
    assert re.search(r"calculé sur \d+ des 46 indicateurs", profile)
