"""The official's journey and the bad input it must survive."""

from __future__ import annotations

import sqlalchemy as sa

from survey.assessments.models import Answer, Assessment, Status
from survey.extensions import db
from tests.conftest import assessment_id_from
from tests.factories import answer_everything

SUBSTANTIVE = "legal__substantive_offences"


def start_ghana(client, auth) -> int:
    auth.login("gh-coordinator")
    response = client.post("/assessments/start")
    assert response.status_code == 302
    return assessment_id_from(response.location)


def stored_answers(assessment_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(Answer.id)).where(Answer.assessment_id == assessment_id))


def test_official_sees_cycles_of_their_country_and_starts_the_open_one(client, auth, demo):
    auth.login("gh-contributor")
    page = client.get("/assessments/").get_data(as_text=True)
    assert "Ghana" in page and "2025" in page and "Start the 2026 assessment" in page
    assert "Demo data" in page


def test_answers_are_saved_and_found_again_after_reload(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    url = f"/assessments/{assessment_id}/pillars/legal"
    response = client.post(
        url,
        data={
            f"{SUBSTANTIVE}-state": "4",
            f"{SUBSTANTIVE}-evidence_urls": "https://laws.example.gh/cybersecurity-act-2020",
            f"{SUBSTANTIVE}-comment": "Act 1038 in force",
            "legal__data_protection-state": "na",
            "legal__data_protection-comment": "Covered by the Data Protection Commission's own assessment",
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'value="4" checked' in page
    assert 'value="na" checked' in page
    assert "https://laws.example.gh/cybersecurity-act-2020" in page and "Act 1038 in force" in page
    overview = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert "2 of 7 answered" in overview


def test_save_and_next_goes_to_the_next_pillar(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    response = client.post(
        f"/assessments/{assessment_id}/pillars/legal", data={f"{SUBSTANTIVE}-state": "2", "save_next": "1"}
    )
    assert response.location.endswith(f"/assessments/{assessment_id}/pillars/strategy?saved=legal")


def test_unknown_level_is_refused_and_nothing_is_stored(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    response = client.post(
        f"/assessments/{assessment_id}/pillars/legal",
        data={
            f"{SUBSTANTIVE}-state": "7",
            "legal__data_protection-state": "3",
            "legal__data_protection-comment": "typed by the official",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page and "Not a valid choice" in page
    assert "typed by the official" in page
    assert stored_answers(assessment_id) == 0


def test_invalid_url_and_huge_text_are_refused_with_the_input_shown_back(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    huge = "x" * 1_000_000
    response = client.post(
        f"/assessments/{assessment_id}/pillars/legal",
        data={
            f"{SUBSTANTIVE}-state": "3",
            f"{SUBSTANTIVE}-evidence_urls": "javascript:alert(1)",
            "legal__data_protection-comment": huge,
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is not a valid web address" in page
    assert "Keep this under 5000 characters" in page
    assert "javascript:alert(1)" in page  # shown back (escaped by the template) for correction
    assert stored_answers(assessment_id) == 0


def test_fact_answers_are_validated_and_stored(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    url = f"/assessments/{assessment_id}/pillars/resources"
    bad = client.post(url, data={"resources__annual_budget-value": "2500000", "resources__donor_share-value": "140"})
    assert bad.status_code == 422
    assert "Choose the currency" in bad.get_data(as_text=True)
    assert "between 0 and 100" in bad.get_data(as_text=True)
    good = client.post(
        url,
        data={
            "resources__annual_budget-value": "2500000",
            "resources__annual_budget-currency": "GHS",
            "resources__donor_share-value": "40",
            "resources__unit_officers-dont_know": "y",
        },
    )
    assert good.status_code == 302
    results = client.get(f"/assessments/{assessment_id}/results").get_data(as_text=True)
    assert "GH₵2,500,000.00" in results or "GHS" in results
    assert "40%" in results


def test_tampered_assessment_id_and_unknown_pillar_are_not_found(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    assert client.get("/assessments/999999").status_code == 404
    assert client.get("/assessments/abc").status_code == 404
    assert client.get(f"/assessments/{assessment_id}/pillars/not_a_pillar").status_code == 404


def test_official_of_another_country_cannot_see_or_edit(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    auth.logout()
    auth.login("ng-contributor")
    assert client.get(f"/assessments/{assessment_id}").status_code == 404
    response = client.post(f"/assessments/{assessment_id}/pillars/legal", data={f"{SUBSTANTIVE}-state": "5"})
    assert response.status_code == 404
    assert stored_answers(assessment_id) == 0


def test_indicator_of_another_framework_cannot_be_saved(app, demo):
    import pytest

    from survey.accounts.models import User
    from survey.assessments import services

    assessment = db.session.scalars(sa.select(Assessment).where(Assessment.status == Status.DRAFT)).first()
    user = db.session.scalar(sa.select(User).where(User.username == "sn-coordinator"))
    with pytest.raises(services.WorkflowError):
        services.save_answers(assessment, {"other.framework_indicator": services.AnswerValues("level", level=3)}, user)


def test_incomplete_assessment_cannot_be_submitted(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    auth.logout()
    auth.login("gh-coordinator")
    response = client.post(f"/assessments/{assessment_id}/submit")
    assert response.status_code == 409
    assert "cannot be submitted yet" in response.get_data(as_text=True)
    assert db.session.get(Assessment, assessment_id).status == Status.DRAFT


def test_contributor_cannot_submit(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    answer_everything(assessment_id)
    auth.logout()
    auth.login("gh-contributor")
    assert client.post(f"/assessments/{assessment_id}/submit").status_code == 403


def test_coordinator_submits_which_locks_editing(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    answer_everything(assessment_id, level=3)
    auth.logout()
    auth.login("gh-coordinator")
    response = client.post(f"/assessments/{assessment_id}/submit")
    assert response.status_code == 302 and response.location.endswith("/results")
    results = client.get(response.location).get_data(as_text=True)
    assert "Established" in results and 'class="chart"' in results
    edit = client.post(
        f"/assessments/{assessment_id}/pillars/legal",
        data={f"{SUBSTANTIVE}-state": "5", f"{SUBSTANTIVE}-comment": "late change"},
    )
    assert edit.status_code == 409
    page = edit.get_data(as_text=True)
    assert "can no longer be changed" in page and "late change" in page
    assert client.post(f"/assessments/{assessment_id}/submit").status_code == 409
    levels = set(db.session.scalars(sa.select(Answer.level).where(Answer.assessment_id == assessment_id)))
    assert levels == {3}


def test_results_show_change_since_the_previous_cycle(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    answer_everything(assessment_id, level=5)
    page = client.get(f"/assessments/{assessment_id}/results").get_data(as_text=True)
    assert "Change since 2025" in page
    assert "Provisional" in page
    assert "Priority capacity-building needs" in page


def test_donor_reads_released_assessments_only(client, auth, demo):
    auth.login("donor")
    page = client.get("/assessments/").get_data(as_text=True)
    assert "Nigeria" in page and "Ghana" in page and "Senegal" not in page
    assert "Togo" not in page  # validated but kept private
    draft = db.session.scalars(sa.select(Assessment).where(Assessment.status == Status.DRAFT)).first()
    assert client.get(f"/assessments/{draft.id}/results").status_code == 404
    private = db.session.scalars(
        sa.select(Assessment).where(Assessment.status == Status.VALIDATED, Assessment.visibility == "private")
    ).first()
    assert client.get(f"/assessments/{private.id}/results").status_code == 404
    released = db.session.scalars(sa.select(Assessment).where(Assessment.visibility == "donors")).first()
    assert client.get(f"/assessments/{released.id}/results").status_code == 200
    assert client.post("/assessments/start").status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client, demo):
    response = client.get("/assessments/")
    assert response.status_code == 302 and "/login" in response.location


def test_wrong_password_and_unknown_user_get_the_same_answer(client, demo):
    unknown = client.post("/login", data={"username": "nobody", "password": "x"})
    wrong = client.post("/login", data={"username": "gh-contributor", "password": "x"})
    assert unknown.status_code == wrong.status_code == 401
    assert "Wrong username or password" in unknown.get_data(as_text=True)


def test_next_redirect_stays_on_this_site(client, demo):
    response = client.post("/login?next=https://evil.example/", data={"username": "donor", "password": "demo"})
    assert response.location == "/assessments/"


def test_a_request_over_the_size_limit_gets_a_translated_413_page(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    response = client.post(
        f"/assessments/{assessment_id}/pillars/legal?lang=fr", data={"legal__data_protection-comment": "x" * 3_000_000}
    )
    assert response.status_code == 413
    assert "trop volumineuses" in response.get_data(as_text=True)
