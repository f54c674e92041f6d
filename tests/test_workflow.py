"""One national response from many agencies: assignment, conflicts, review, validation, release, audit."""

from __future__ import annotations

import sqlalchemy as sa

from survey.assessments.models import Answer, Assessment, Status
from survey.audit.models import AuditEvent
from survey.extensions import db
from survey.frameworks.models import Indicator
from tests.conftest import Auth, assessment_id_from
from tests.test_assessments import answer_everything

LEGAL = "legal__substantive_offences"
LEGAL_CODE = "legal.substantive_offences"


def signed_in(app, username: str):
    """A separate browser signed in as this user."""
    client = app.test_client()
    assert Auth(client).login(username).status_code == 302
    return client


def start_ghana(app):
    coordinator = signed_in(app, "gh-coordinator")
    return coordinator, assessment_id_from(coordinator.post("/assessments/start").location)


def answer(assessment_id: int, code: str) -> Answer:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Answer)
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id == assessment_id, Indicator.code == code)
    )


def refusals(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == "refused"))
    )


def test_coordinator_assigns_pillars_and_contributors_answer_only_theirs(app, demo):
    coordinator, assessment_id = start_ghana(app)
    page = coordinator.get("/team/").get_data(as_text=True)
    assert "gh-contributor2" in page and "Pillars assigned to contributors" in page
    from survey.accounts.models import User

    contributor = db.session.scalar(sa.select(User).where(User.username == "gh-contributor"))
    other = db.session.scalar(sa.select(User).where(User.username == "gh-contributor2"))
    response = coordinator.post(
        "/team/", data={f"user_{contributor.id}": ["legal", "awareness"], f"user_{other.id}": ["strategy"]}
    )
    assert response.status_code == 302
    police = signed_in(app, "gh-contributor")
    assert (
        police.post(
            f"/assessments/{assessment_id}/pillars/awareness", data={"awareness__public_campaigns-state": "2"}
        ).status_code
        == 302
    )
    refused = police.post(f"/assessments/{assessment_id}/pillars/justice", data={"justice__cybercrime_unit-state": "4"})
    assert refused.status_code == 403
    assert "not assigned to you" in refused.get_data(as_text=True)
    assert answer(assessment_id, "justice.cybercrime_unit") is None
    assert refusals("answer.update")
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "assignment.update"))
    log = signed_in(app, "admin").get("/admin/audit?action=assignment.update&lang=fr").get_data(as_text=True)
    # Pillars by their title, in the reader's language.
    assert "Sensibilisation, compétences et prévention; Cadre juridique" in log


def test_forged_assignment_choices_are_refused(app, demo):
    coordinator, _ = start_ghana(app)
    from survey.accounts.models import User

    contributor = db.session.scalar(sa.select(User).where(User.username == "gh-contributor"))
    response = coordinator.post("/team/", data={f"user_{contributor.id}": ["no-such-pillar"]})
    assert response.status_code == 422
    assert "Nothing was saved" in response.get_data(as_text=True)


def test_stale_save_is_refused_shows_both_versions_and_keeps_what_was_typed(app, demo):
    coordinator, assessment_id = start_ghana(app)
    police = signed_in(app, "gh-contributor")  # assigned the legal pillar in the demo
    url = f"/assessments/{assessment_id}/pillars/legal"
    form = police.get(url).get_data(as_text=True)
    assert 'name="legal__substantive_offences-version" type="hidden" value="0"' in form
    # The coordinator saves first, from the same starting point...
    assert (
        coordinator.post(
            url, data={f"{LEGAL}-state": "3", f"{LEGAL}-version": "0", f"{LEGAL}-comment": "Act 1038 s. 62"}
        ).status_code
        == 302
    )
    # ...then the contributor saves the form loaded before.
    stale = police.post(
        url, data={f"{LEGAL}-state": "5", f"{LEGAL}-version": "0", f"{LEGAL}-comment": "Our unit's view"}
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "nothing was saved" in page and "Saved meanwhile by" in page and "Act 1038 s. 62" in page
    assert 'value="5" checked' in page and "Our unit&#39;s view" in page  # theirs is kept
    assert answer(assessment_id, LEGAL_CODE).level == 3
    # Saving again from the refreshed form keeps the contributor's answer on purpose.
    assert 'name="legal__substantive_offences-version" type="hidden" value="1"' in page
    again = police.post(
        url, data={f"{LEGAL}-state": "5", f"{LEGAL}-version": "1", f"{LEGAL}-comment": "Our unit's view"}
    )
    assert again.status_code == 302
    stored = answer(assessment_id, LEGAL_CODE)
    assert stored.level == 5 and stored.version == 2


def test_same_values_from_a_stale_form_are_not_a_conflict(app, demo):
    coordinator, assessment_id = start_ghana(app)
    url = f"/assessments/{assessment_id}/pillars/legal"
    coordinator.post(url, data={f"{LEGAL}-state": "3", f"{LEGAL}-version": "0"})
    assert coordinator.post(url, data={f"{LEGAL}-state": "3", f"{LEGAL}-version": "0"}).status_code == 302


def submitted_ghana(app):
    coordinator, assessment_id = start_ghana(app)
    answer_everything(assessment_id, level=3)
    assert coordinator.post(f"/assessments/{assessment_id}/submit").status_code == 302
    return coordinator, assessment_id


def test_review_return_fix_validate_release_and_the_audit_tells_the_story(app, demo):
    coordinator, assessment_id = submitted_ghana(app)
    validator = signed_in(app, "gh-validator")
    review = f"/assessments/{assessment_id}/validation"
    page = validator.get(review).get_data(as_text=True)
    assert "Established or higher without evidence" in page
    for code in (LEGAL_CODE, "justice.cybercrime_unit"):
        response = validator.post(
            f"{review}/{code}", data={"decision": "returned", "comment": f"Please add the evidence for {code}"}
        )
        assert response.status_code == 302
    # Validating with open returns is refused and written down.
    refused = validator.post(f"/assessments/{assessment_id}/validate")
    assert refused.status_code == 409 and "must be accepted" in refused.get_data(as_text=True)
    assert refusals("assessment.status")
    assert validator.post(f"/assessments/{assessment_id}/send-back").status_code == 302
    assert db.session.get(Assessment, assessment_id).status == Status.RETURNED
    # The team sees the thread, fixes the returned indicator, cannot touch the accepted ones.
    police = signed_in(app, "gh-contributor")
    legal = police.get(f"/assessments/{assessment_id}/pillars/legal").get_data(as_text=True)
    assert f"Please add the evidence for {LEGAL_CODE}" in legal and "Returned by the validator" in legal
    version = answer(assessment_id, LEGAL_CODE).version
    fixed = police.post(
        f"/assessments/{assessment_id}/pillars/legal",
        data={
            f"{LEGAL}-state": "3",
            f"{LEGAL}-version": str(version),
            f"{LEGAL}-evidence_urls": "https://laws.example.gh/act-1038",
        },
    )
    assert fixed.status_code == 302
    assert answer(assessment_id, LEGAL_CODE).evidence_urls == "https://laws.example.gh/act-1038"
    locked = police.post(
        f"/assessments/{assessment_id}/pillars/legal",
        data={"legal__procedural_powers-state": "5", "legal__procedural_powers-version": "1"},
    )
    assert answer(assessment_id, "legal.procedural_powers").level == 3  # accepted: unchanged
    assert locked.status_code in (302, 409)
    coordinator.post(
        f"/assessments/{assessment_id}/pillars/justice",
        data={
            "justice__cybercrime_unit-state": "3",
            "justice__cybercrime_unit-version": "1",
            "justice__cybercrime_unit-evidence_description": "Unit created by decree 2021",
        },
    )
    assert coordinator.post(f"/assessments/{assessment_id}/submit").status_code == 302
    # The validator accepts the unflagged answers at once, then the flagged ones one by one.
    assert validator.post(f"/assessments/{assessment_id}/accept-unflagged").status_code == 302
    pending = db.session.scalars(
        sa.select(Indicator.code)
        .join(Answer, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id == assessment_id, Answer.review.is_(None))
    ).all()
    assert LEGAL_CODE not in pending and "justice.cybercrime_unit" not in pending  # they now have evidence
    assert "legal.procedural_powers" in pending  # level 3, no evidence: flagged, needs a decision
    for code in pending:
        assert validator.post(f"{review}/{code}", data={"decision": "accepted"}).status_code == 302
    assert validator.post(f"/assessments/{assessment_id}/validate").status_code == 302
    assert db.session.get(Assessment, assessment_id).status == Status.VALIDATED
    # Validated data is locked, even for a stale form.
    stale = coordinator.post(f"/assessments/{assessment_id}/pillars/legal", data={f"{LEGAL}-state": "1"})
    assert stale.status_code == 409 and answer(assessment_id, LEGAL_CODE).level == 3
    # Not released yet: the donor does not see Ghana 2026.
    donor = signed_in(app, "donor")
    assert donor.get(f"/assessments/{assessment_id}/results").status_code == 404
    assert coordinator.post(f"/assessments/{assessment_id}/release", data={"visibility": "donors"}).status_code == 302
    assert donor.get(f"/assessments/{assessment_id}/results").status_code == 200
    assert signed_in(app, "ng-coordinator").get(f"/assessments/{assessment_id}/results").status_code == 404
    # Withdrawn again: gone for the donor.
    coordinator.post(f"/assessments/{assessment_id}/release", data={"visibility": "private"})
    assert donor.get(f"/assessments/{assessment_id}/results").status_code == 404
    story = coordinator.get(f"/assessments/{assessment_id}/audit").get_data(as_text=True)
    for step in (
        "Answer changed",
        "Indicator reviewed",
        "Status changed",
        "Release level changed",
        "Refused",
        "Returned for changes",
        "Validated",
        "Donors and regional bodies",
    ):
        assert step in story
    history = coordinator.get(f"/assessments/{assessment_id}/indicators/{LEGAL_CODE}/history").get_data(as_text=True)
    assert "https://laws.example.gh/act-1038" in history and "gh-contributor" in history


def test_submitter_cannot_review_their_own_submission_when_a_colleague_can(app, demo):
    from survey.accounts.models import Role, User

    coordinator_user = db.session.scalar(sa.select(User).where(User.username == "gh-coordinator"))
    coordinator_user.set_roles([Role.COORDINATOR, Role.VALIDATOR])
    db.session.commit()
    coordinator, assessment_id = submitted_ghana(app)
    response = coordinator.post(f"/assessments/{assessment_id}/validation/{LEGAL_CODE}", data={"decision": "accepted"})
    assert response.status_code == 403
    assert answer(assessment_id, LEGAL_CODE).review is None
    assert refusals("assessment.review")


def test_returning_needs_a_comment_and_validators_of_other_countries_are_kept_out(app, demo):
    _, assessment_id = submitted_ghana(app)
    validator = signed_in(app, "gh-validator")
    response = validator.post(f"/assessments/{assessment_id}/validation/{LEGAL_CODE}", data={"decision": "returned"})
    assert response.status_code == 422 and "Say what needs fixing" in response.get_data(as_text=True)
    assert answer(assessment_id, LEGAL_CODE).review is None
    outsider = signed_in(app, "ng-validator")
    assert (
        outsider.post(
            f"/assessments/{assessment_id}/validation/{LEGAL_CODE}", data={"decision": "accepted"}
        ).status_code
        == 404
    )
    assert answer(assessment_id, LEGAL_CODE).review is None


def test_comment_threads_are_for_the_team_only(app, demo):
    coordinator, assessment_id = start_ghana(app)
    url = f"/assessments/{assessment_id}/indicators/{LEGAL_CODE}/comments"
    assert coordinator.post(url, data={"body": "Who has the gazette copy?"}).status_code == 302
    police = signed_in(app, "gh-contributor")
    pillar = police.get(f"/assessments/{assessment_id}/pillars/legal").get_data(as_text=True)
    assert "Who has the gazette copy?" in pillar
    too_long = police.post(url, data={"body": "x" * 2500})
    assert too_long.status_code == 422 and "x" * 2500 in too_long.get_data(as_text=True)  # nothing lost
    assert signed_in(app, "ng-contributor").post(url, data={"body": "hello"}).status_code == 404


def test_repeated_failed_sign_ins_lock_the_account_name_without_revealing_it(app, client, demo):
    for _ in range(5):
        assert client.post("/login", data={"username": "gh-coordinator", "password": "wrong"}).status_code == 401
    locked = client.post("/login", data={"username": "gh-coordinator", "password": "demo"})
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert "Too many failed sign-ins" in page and 'value="gh-coordinator"' in page
    # An unknown name behaves exactly the same, so lock-outs do not reveal which accounts exist.
    for _ in range(5):
        client.post("/login", data={"username": "nobody-here", "password": "wrong"})
    assert client.post("/login", data={"username": "nobody-here", "password": "x"}).status_code == 429
    # Another account from the same address can still sign in.
    assert client.post("/login", data={"username": "gh-validator", "password": "demo"}).status_code == 302
    assert refusals("user.login_failed")


def test_a_password_reset_ends_the_other_sessions(app, demo):
    from survey.accounts.models import User

    contributor = signed_in(app, "gh-contributor")
    assert contributor.get("/assessments/").status_code == 200
    admin = signed_in(app, "admin")
    user = db.session.scalar(sa.select(User).where(User.username == "gh-contributor"))
    weak = admin.post(f"/admin/users/{user.id}/password", data={"password": "short", "confirm": "short"})
    assert weak.status_code == 422 and "at least 12 characters" in weak.get_data(as_text=True)
    response = admin.post(
        f"/admin/users/{user.id}/password", data={"password": "Volta-river-2026!", "confirm": "Volta-river-2026!"}
    )
    assert response.status_code == 302
    assert contributor.get("/assessments/").status_code == 302  # signed out: back to the sign-in page
    assert Auth(app.test_client()).login("gh-contributor", "Volta-river-2026!").status_code == 302


def test_admin_manages_accounts_within_the_role_rules(app, demo):
    admin = signed_in(app, "admin")
    bad = admin.post(
        "/admin/users/new",
        data={
            "username": "gh-bank",
            "roles": ["contributor"],
            "country": "",
            "password": "Accra-central-bank-1",
            "confirm": "Accra-central-bank-1",
            "active": "y",
        },
    )
    assert bad.status_code == 422 and "need their country" in bad.get_data(as_text=True)
    assert 'value="gh-bank"' in bad.get_data(as_text=True)  # what was typed is kept
    mixed = admin.post(
        "/admin/users/new",
        data={
            "username": "gh-donor",
            "roles": ["donor", "coordinator"],
            "country": "GH",
            "password": "Accra-central-bank-1",
            "confirm": "Accra-central-bank-1",
            "active": "y",
        },
    )
    assert mixed.status_code == 422
    good = admin.post(
        "/admin/users/new",
        data={
            "username": "gh-bank",
            "roles": ["contributor"],
            "country": "GH",
            "full_name": "Bank of Ghana",
            "password": "Accra-central-bank-1",
            "confirm": "Accra-central-bank-1",
            "active": "y",
        },
    )
    assert good.status_code == 302
    from survey.accounts.models import User

    user = db.session.scalar(sa.select(User).where(User.username == "gh-bank"))
    assert user.roles == {"contributor"} and user.country.alpha2 == "GH"
    assert admin.post(f"/admin/users/{user.id}", data={"roles": ["contributor"], "country": "GH"}).status_code == 302
    assert Auth(app.test_client()).login("gh-bank", "Accra-central-bank-1").status_code == 401  # deactivated
    log = admin.get("/admin/audit?action=user.create").get_data(as_text=True)
    assert "<td>Account created" in log and "<td>Account changed" not in log
    assert admin.get("/admin/audit?action=bogus").status_code == 400
    coordinator = signed_in(app, "gh-coordinator")
    forged = coordinator.post(f"/admin/users/{user.id}", data={"roles": ["admin"], "country": ""})
    assert forged.status_code == 403
    db.session.expire_all()
    assert user.roles == {"contributor"}
