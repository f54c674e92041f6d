"""Reviewing a submitted assessment indicator by indicator, then validating it."""

from __future__ import annotations

import sqlalchemy as sa

from survey.accounts.models import User
from survey.assessments import signals
from survey.assessments.models import Answer, Assessment, Status
from survey.assessments.services import WorkflowError
from survey.audit.models import AuditEvent
from survey.audit.services import record
from survey.extensions import db
from survey.frameworks.models import Indicator
from survey.models import utcnow
from survey.review.models import Comment, Review


@signals.reopened_codes.answer
def returned_codes(answers: dict[str, Answer]) -> frozenset[str]:
    """The indicators the validator returned: after a return, the only ones open for changes."""
    return frozenset(code for code, answer in answers.items() if answer.review == Review.RETURNED)


@signals.submitted.connect
def requeue_returned(assessment: Assessment, **_: object) -> None:
    """Returned indicators go back to the validator's queue once the team resubmits."""
    db.session.execute(sa.update(Answer).where(Answer.assessment_id == assessment.id,
                                               Answer.review == Review.RETURNED).values(review=None))


def _answer(assessment: Assessment, indicator_code: str) -> Answer:
    answer = db.session.scalar(
        sa.select(Answer).join(Indicator, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id == assessment.id, Indicator.code == indicator_code))
    if answer is None:
        raise WorkflowError("foreign-indicator")
    return answer


def add_comment(assessment: Assessment, indicator_id: int, user: User, body: str) -> Comment:
    """Add a message to an indicator's thread."""
    comment = Comment(assessment_id=assessment.id, indicator_id=indicator_id, author_id=user.id, body=body)
    db.session.add(comment)
    return comment


def review_indicator(assessment: Assessment, indicator_code: str, decision: Review,
                     user: User, comment: str = "") -> Answer:
    """Accept an indicator, or return it with a comment that explains what to fix."""
    if assessment.status != Status.SUBMITTED:
        raise WorkflowError("not-in-review")
    if decision == Review.RETURNED and not comment.strip():
        raise WorkflowError("comment-required")
    answer = _answer(assessment, indicator_code)
    old = answer.review
    answer.review, answer.reviewed_by_id, answer.reviewed_at = decision.value, user.id, utcnow()
    if comment.strip():
        add_comment(assessment, answer.indicator_id, user, comment.strip())
    record("indicator.review", country_id=assessment.country_id, assessment_id=assessment.id,
           indicator_code=indicator_code, old_value=old, new_value=decision.value, user=user)
    return answer


def review_counts(assessment: Assessment) -> dict[str | None, int]:
    """How many answers are accepted, returned or not reviewed yet (None)."""
    rows = db.session.execute(sa.select(Answer.review, sa.func.count()).where(
        Answer.assessment_id == assessment.id, Answer.state.is_not(None)).group_by(Answer.review))
    return {review: count for review, count in rows}


def _set_status(assessment: Assessment, status: Status, user: User) -> None:
    record("assessment.status", country_id=assessment.country_id, assessment_id=assessment.id,
           old_value=assessment.status, new_value=status.value, user=user)
    assessment.status = status


def send_back(assessment: Assessment, user: User) -> None:
    """Reopen the returned indicators for the country's team."""
    counts = review_counts(assessment)
    if assessment.status != Status.SUBMITTED or not counts.get(Review.RETURNED.value):
        raise WorkflowError("nothing-returned")
    _set_status(assessment, Status.RETURNED, user)
    signals.returned.send(assessment, user=user)


def validate(assessment: Assessment, user: User) -> None:
    """Validate an assessment whose every answer is accepted; its data is then locked."""
    counts = review_counts(assessment)
    if assessment.status != Status.SUBMITTED:
        raise WorkflowError("not-in-review")
    if counts.get(Review.RETURNED.value) or counts.get(None):
        raise WorkflowError("open-reviews")
    _set_status(assessment, Status.VALIDATED, user)
    assessment.validated_at, assessment.validated_by_id = utcnow(), user.id
    signals.validated.send(assessment, user=user)


def accept_all(assessment: Assessment, user: User) -> None:
    """Accept every answered indicator at once (used by the demo loader)."""
    db.session.execute(sa.update(Answer).where(Answer.assessment_id == assessment.id,
                                               Answer.state.is_not(None))
                       .values(review=Review.ACCEPTED.value, reviewed_by_id=user.id, reviewed_at=utcnow()))


def accept_unflagged(assessment: Assessment, user: User) -> list[str]:
    """Accept the answers not reviewed yet that pass the evidence gate; return their codes.

    Flagged answers (Established or higher without evidence) stay for a decision one by one.
    """
    if assessment.status != Status.SUBMITTED:
        raise WorkflowError("not-in-review")
    rows = db.session.execute(
        sa.select(Answer, Indicator.code).join(Indicator, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id == assessment.id, Answer.state.is_not(None), Answer.review.is_(None))).all()
    accepted = [code for answer, code in rows if not needs_evidence(answer)]
    now = utcnow()
    for answer, code in rows:
        if code in accepted:
            answer.review, answer.reviewed_by_id, answer.reviewed_at = Review.ACCEPTED.value, user.id, now
    db.session.add_all(AuditEvent(action="indicator.review", user_id=user.id, username=user.username, at=now,
                                  country_id=assessment.country_id, assessment_id=assessment.id,
                                  indicator_code=code, new_value=Review.ACCEPTED.value) for code in accepted)
    return accepted


def comment_threads(assessment: Assessment, pillar_code: str | None = None) -> dict[str, list[Comment]]:
    """Comment threads by indicator code, oldest message first, for one pillar or all."""
    query = (sa.select(Comment, Indicator.code).join(Indicator, Comment.indicator_id == Indicator.id)
             .where(Comment.assessment_id == assessment.id).order_by(Comment.created_at, Comment.id))
    if pillar_code:
        query = query.where(Indicator.pillar_code == pillar_code)
    threads: dict[str, list[Comment]] = {}
    for comment, code in db.session.execute(query):
        threads.setdefault(code, []).append(comment)
    return threads


def indicator_id(assessment: Assessment, code: str) -> int | None:
    """The id of an indicator of the assessment's framework version, by code."""
    return db.session.scalar(sa.select(Indicator.id).where(
        Indicator.framework_version_id == assessment.framework_version_id, Indicator.code == code))


def item_titles(definitions) -> dict[str, str]:
    """English titles of pillars and indicators by code (for gettext at render), newest version last."""
    titles: dict[str, str] = {}
    for definition in definitions:
        for pillar in definition.pillars:
            titles[pillar.code] = pillar.title
            titles.update((i.code, i.title) for i in pillar.indicators)
    return titles


def needs_evidence(answer: Answer | None) -> bool:
    """The methodology's evidence gate: Established or higher needs a link or a description."""
    return bool(answer and answer.level and answer.level >= 3
                and not answer.evidence_urls and not answer.evidence_description)
