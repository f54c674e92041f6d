"""People hear about the workflow's steps in the app and by e-mail, in their own language, and a
mail server that is down never breaks a page: its messages wait and are sent later."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from survey.accounts.models import User
from survey.assessments.models import Cycle
from survey.extensions import db
from survey.models import utcnow
from survey.notifications.delivery import deliver_due
from survey.notifications.models import Notification, OutboxMessage
from tests.conftest import Auth, assessment_id_from, free_port
from tests.test_assessments import answer_everything

LEGAL_CODE = "legal.substantive_offences"


def subject(message: email.message.EmailMessage) -> str:
    return str(message["Subject"]).strip()  # a long encoded subject is folded onto a second line


def in_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite returns naive UTC times


def signed_in(app, username: str):
    client = app.test_client()
    assert Auth(client).login(username).status_code == 302
    return client


def user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def wants_mail(client, address: str, **extra) -> None:
    """The signed-in user gives an e-mail address on their settings page."""
    response = client.post("/notifications/settings", data={"email": address, "email_enabled": "y", **extra})
    assert response.status_code == 302


def speaks(client, language: str) -> None:
    assert client.post("/language", data={"lang": language, "next": "/"}).status_code == 302


def send(app) -> str:
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def test_each_step_reaches_the_right_people_by_mail_in_their_language(app, demo, smtp):
    coordinator, validator = signed_in(app, "gh-coordinator"), signed_in(app, "gh-validator")
    contributor, donor = signed_in(app, "gh-contributor"), signed_in(app, "donor")
    for client, address, language in (
        (validator, "validator@gh.example", "fr"),
        (coordinator, "coordinator@gh.example", "pt"),
        (contributor, "police@gh.example", "ar"),
        (donor, "donor@example.org", "en"),
    ):
        speaks(client, language)
        wants_mail(client, address, **({"regions": ["ecowas"]} if client is donor else {}))

    assessment_id = assessment_id_from(coordinator.post("/assessments/start").location)
    answer_everything(assessment_id, level=2)
    assert coordinator.post(f"/assessments/{assessment_id}/submit").status_code == 302
    send(app)
    [submitted] = smtp.to("validator@gh.example")
    assert subject(submitted) == "[CyberReady] Ghana : l'évaluation 2026 attend sa validation"
    assert f"/assessments/{assessment_id}/validation" in submitted.get_content()
    assert smtp.to("coordinator@gh.example") == []  # the submitter is not told of their own step

    review = f"/assessments/{assessment_id}/validation"
    assert (
        validator.post(f"{review}/{LEGAL_CODE}", data={"decision": "returned", "comment": "Cite the act"}).status_code
        == 302
    )
    assert validator.post(f"/assessments/{assessment_id}/send-back").status_code == 302
    send(app)
    [returned] = smtp.to("coordinator@gh.example")
    assert subject(returned) == "[CyberReady] Gana: foram devolvidos indicadores da avaliação de 2026"
    assert "devolveu 1 indicador" in returned.get_content()
    [returned_ar] = smtp.to("police@gh.example")
    assert "غانا" in subject(returned_ar)

    assert coordinator.post(f"/assessments/{assessment_id}/submit").status_code == 302
    send(app)
    resubmitted = smtp.to("validator@gh.example")[-1]
    assert subject(resubmitted) == "[CyberReady] Ghana : l'évaluation 2026 a été soumise de nouveau"

    assert validator.post(f"/assessments/{assessment_id}/accept-unflagged").status_code == 302
    assert validator.post(f"/assessments/{assessment_id}/validate").status_code == 302
    send(app)
    validated = smtp.to("coordinator@gh.example")[-1]
    assert subject(validated) == "[CyberReady] Gana: a avaliação de 2026 foi validada"

    assert smtp.to("donor@example.org") == []
    assert coordinator.post(f"/assessments/{assessment_id}/release", data={"visibility": "donors"}).status_code == 302
    send(app)
    [released] = smtp.to("donor@example.org")
    assert subject(released) == "[CyberReady] Ghana released its 2026 results"
    assert "Donors and regional bodies" in released.get_content()
    assert len(smtp.messages) == 6


def unread(client) -> int:
    """The unread count the header menu shows (0 when it shows none)."""
    found = re.search(r'aria-label="(\d+) unread"', client.get("/notifications/").get_data(as_text=True))
    return int(found.group(1)) if found else 0


def test_unread_count_in_the_menu_and_marking_read(app, demo):
    coordinator = signed_in(app, "gh-coordinator")
    validator = signed_in(app, "gh-validator")
    before = unread(validator)
    assessment_id = assessment_id_from(coordinator.post("/assessments/start").location)
    answer_everything(assessment_id, level=2)
    coordinator.post(f"/assessments/{assessment_id}/submit")
    assert unread(validator) == before + 1
    page = validator.get("/notifications/").get_data(as_text=True)
    assert "Ghana: the 2026 assessment awaits validation" in page
    assert f'href="/assessments/{assessment_id}/validation"' in page
    newest = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user("gh-validator").id).order_by(Notification.id.desc())
    ).first()
    # Nobody marks another user's notification read.
    assert coordinator.post("/notifications/read", data={"notification": newest.id}).status_code == 302
    assert unread(validator) == before + 1
    assert validator.post("/notifications/read", data={"notification": newest.id}).status_code == 302
    assert unread(validator) == before
    assert validator.post("/notifications/read", data={}).status_code == 422
    assert validator.post("/notifications/read", data={"all": "1"}).status_code == 302
    assert unread(validator) == 0


@pytest.mark.parametrize("outage", ["refused", "busy"])
def test_a_failing_mail_server_breaks_no_request_and_the_message_is_sent_later(app, demo, smtp, outage, monkeypatch):
    if outage == "refused":  # nothing listens there
        monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    else:
        smtp.failing = True
    coordinator, validator = signed_in(app, "gh-coordinator"), signed_in(app, "gh-validator")
    wants_mail(validator, "validator@gh.example")
    assessment_id = assessment_id_from(coordinator.post("/assessments/start").location)
    answer_everything(assessment_id, level=2)

    response = coordinator.post(f"/assessments/{assessment_id}/submit")
    assert response.status_code == 302
    response.close()  # the server closes the response: the queued e-mail is tried then
    [waiting] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert waiting.sent_at is None and waiting.attempts == 1 and waiting.last_error
    assert in_utc(waiting.next_attempt_at) > utcnow()
    assert "0 sent" in send(app)  # not due yet: the retry waits

    smtp.failing = False
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
    assert deliver_due(now=utcnow() + timedelta(minutes=2)).sent == 1
    db.session.refresh(waiting)
    assert waiting.sent_at is not None and waiting.attempts == 2
    assert len(smtp.to("validator@gh.example")) == 1


def test_without_a_mail_server_messages_go_to_the_log(app, demo, caplog):
    coordinator, validator = signed_in(app, "gh-coordinator"), signed_in(app, "gh-validator")
    wants_mail(validator, "validator@gh.example")
    assessment_id = assessment_id_from(coordinator.post("/assessments/start").location)
    answer_everything(assessment_id, level=2)
    coordinator.post(f"/assessments/{assessment_id}/submit")
    logger = logging.getLogger("survey.notifications.delivery")
    logger.disabled = False  # Alembic's fileConfig() disables existing loggers
    with caplog.at_level(logging.INFO, logger="survey.notifications.delivery"):
        assert "1 sent" in send(app)
    assert any(
        "validator@gh.example" in r.getMessage() and "awaits validation" in r.getMessage() for r in caplog.records
    )


def test_deadline_reminders_go_to_teams_yet_to_submit_once(app, demo):
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.is_open.is_(True)))
    cycle.deadline = date.today() + timedelta(days=5)
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["notifications", "deadlines"])
    assert first.exit_code == 0, first.output
    reminded = set(
        db.session.scalars(
            sa.select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.kind == "deadline")
        )
    )
    assert {"gh-coordinator", "gh-contributor", "sn-coordinator"} <= reminded
    assert "ng-coordinator" not in reminded  # Nigeria's 2026 assessment is validated
    assert "gh-validator" not in reminded and "donor" not in reminded
    assert runner.invoke(args=["notifications", "deadlines"]).output.startswith("0 reminders")
    page = signed_in(app, "gh-coordinator").get("/notifications/").get_data(as_text=True)
    assert "The 2026 assessment is due on" in page


def test_a_reminder_waits_until_a_week_before_the_deadline(app, demo):
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.is_open.is_(True)))
    cycle.deadline = date.today() + timedelta(days=30)
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["notifications", "deadlines"]).output.startswith("0 reminders")


def test_opening_a_cycle_with_a_deadline_tells_every_coordinator(app, demo):
    admin = signed_in(app, "admin")
    page = admin.get("/admin/cycles").get_data(as_text=True)
    version = page.split('name="version"')[1].split('value="')[1].split('"')[0]
    response = admin.post("/admin/cycles", data={"year": "2027", "version": version, "deadline": "2027-06-30"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Cycle).where(Cycle.year == 2027)).deadline == date(2027, 6, 30)
    told = set(
        db.session.scalars(
            sa.select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.kind == "cycle_opened")
        )
    )
    assert {"gh-coordinator", "ng-coordinator", "ke-coordinator"} <= told
    assert "gh-contributor" not in told
    assert "The 2027 assessment cycle is open" in signed_in(app, "ke-coordinator").get("/notifications/").get_data(
        as_text=True
    )


def test_only_readers_of_released_results_choose_regions(app, demo):
    donor = signed_in(app, "donor").get("/notifications/settings").get_data(as_text=True)
    assert "Economic Community of West African States" in donor
    page = signed_in(app, "gh-contributor").get("/notifications/settings").get_data(as_text=True)
    assert "Regions I follow" not in page
    refused = signed_in(app, "donor").post("/notifications/settings", data={"email": "not an address"})
    assert refused.status_code == 422
