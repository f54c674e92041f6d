"""Reviewing a submitted assessment in one form (or indicator by indicator), then validating it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from survey.accounts.models import User
from survey.assessments import signals
from survey.assessments.models import Answer, AnswerState, Assessment, Status
from survey.assessments.services import WorkflowError, lock_assessment
from survey.audit.models import AuditEvent
from survey.audit.services import record
from survey.extensions import db, run_core
from survey.frameworks.definition import MATURITY
from survey.frameworks.models import Indicator
from survey.methodology.scoring import needs_reason
from survey.models import utcnow
from survey.review.models import Comment, Review


@signals.reopened_codes.answer
def returned_codes(answers: dict[str, Answer]) -> frozenset[str]:
    """The indicators the validator returned: after a return, the only ones open for changes."""
    return frozenset(code for code, answer in answers.items() if answer.review == Review.RETURNED)


@signals.submitted.connect
def requeue_returned(assessment: Assessment, **_: object) -> None:
    """Returned indicators go back to the validator's queue once the team resubmits."""
    db.session.execute(
        sa.update(Answer)
        .where(Answer.assessment_id == assessment.id, Answer.review == Review.RETURNED)
        .values(review=None)
    )


def _answer(assessment: Assessment, indicator_code: str) -> Answer:
    answer = db.session.scalar(
        sa.select(Answer)
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id == assessment.id, Indicator.code == indicator_code)
        .execution_options(populate_existing=True)
    )
    if answer is None:
        raise WorkflowError("foreign-indicator")
    return answer


def add_comment(assessment: Assessment, indicator_id: int, user: User, body: str) -> Comment:
    """Add a message to an indicator's thread."""
    comment = Comment(assessment_id=assessment.id, indicator_id=indicator_id, author_id=user.id, body=body)
    db.session.add(comment)
    return comment


def review_indicator(
    assessment: Assessment, indicator_code: str, decision: Review, user: User, comment: str = ""
) -> Answer:
    """Accept an indicator, or return it with a comment that explains what to fix."""
    lock_assessment(assessment, {Status.SUBMITTED}, "not-in-review")
    if decision == Review.RETURNED and not comment.strip():
        raise WorkflowError("comment-required")
    answer = _answer(assessment, indicator_code)
    old = answer.review
    answer.review, answer.reviewed_by_id, answer.reviewed_at = decision.value, user.id, utcnow()
    if comment.strip():
        add_comment(assessment, answer.indicator_id, user, comment.strip())
    record(
        "indicator.review",
        country_id=assessment.country_id,
        assessment_id=assessment.id,
        indicator_code=indicator_code,
        old_value=old,
        new_value=decision.value,
        user=user,
    )
    return answer


def review_counts(assessment: Assessment) -> dict[str | None, int]:
    """How many answers are accepted, returned or not reviewed yet (None)."""
    rows = db.session.execute(
        sa.select(Answer.review, sa.func.count())
        .where(Answer.assessment_id == assessment.id, Answer.state.is_not(None))
        .group_by(Answer.review)
    )
    return {review: count for review, count in rows}


def _set_status(assessment: Assessment, status: Status, user: User) -> None:
    record(
        "assessment.status",
        country_id=assessment.country_id,
        assessment_id=assessment.id,
        old_value=assessment.status,
        new_value=status.value,
        user=user,
    )
    assessment.status = status


def send_back(assessment: Assessment, user: User) -> None:
    """Reopen the returned indicators for the country's team."""
    lock_assessment(assessment, {Status.SUBMITTED}, "nothing-returned")
    if not review_counts(assessment).get(Review.RETURNED.value):
        raise WorkflowError("nothing-returned")
    _set_status(assessment, Status.RETURNED, user)
    signals.returned.send(assessment, user=user)


def validate(assessment: Assessment, user: User) -> None:
    """Validate an assessment whose every answer is accepted; its data is then locked."""
    lock_assessment(assessment, {Status.SUBMITTED}, "not-in-review")
    counts = review_counts(assessment)
    if counts.get(Review.RETURNED.value) or counts.get(None):
        raise WorkflowError("open-reviews")
    _set_status(assessment, Status.VALIDATED, user)
    assessment.validated_at, assessment.validated_by_id = utcnow(), user.id
    signals.validated.send(assessment, user=user)


def accept_all(assessment: Assessment, user: User) -> None:
    """Accept every answered indicator at once (used by the demo loader)."""
    db.session.execute(
        sa.update(Answer)
        .where(Answer.assessment_id == assessment.id, Answer.state.is_not(None))
        .values(review=Review.ACCEPTED.value, reviewed_by_id=user.id, reviewed_at=utcnow())
    )


def accept_unflagged(assessment: Assessment, user: User) -> list[str]:
    """Accept the answers not reviewed yet that are not flagged; return their codes.

    Flagged answers (see `flags`) stay for a decision one by one.
    """
    lock_assessment(assessment, {Status.SUBMITTED}, "not-in-review")
    rows = db.session.execute(
        sa.select(Answer, Indicator.code, Indicator.kind)
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id == assessment.id, Answer.state.is_not(None), Answer.review.is_(None))
        .execution_options(populate_existing=True)
    ).all()
    accepted = [code for answer, code, kind in rows if not flags(answer, kind == MATURITY)]
    now = utcnow()
    for answer, code, _kind in rows:
        if code in accepted:
            answer.review, answer.reviewed_by_id, answer.reviewed_at = Review.ACCEPTED.value, user.id, now
    db.session.add_all(
        AuditEvent(
            action="indicator.review",
            user_id=user.id,
            username=user.username,
            at=now,
            country_id=assessment.country_id,
            assessment_id=assessment.id,
            indicator_code=code,
            new_value=Review.ACCEPTED.value,
        )
        for code in accepted
    )
    return accepted


_comment = Comment.__table__
# Most assessments have no comment yet: a pillar page asks this cheap question first.
HAS_COMMENTS = sa.select(sa.exists().where(_comment.c.assessment_id == sa.bindparam("assessment_id")))


def comment_threads(assessment: Assessment, pillar_code: str | None = None) -> dict[str, list[Comment]]:
    """Comment threads by indicator code, oldest message first, for one pillar or all."""
    if not run_core(HAS_COMMENTS, {"assessment_id": assessment.id}).scalar():
        return {}
    query = (
        sa.select(Comment, Indicator.code)
        .join(Indicator, Comment.indicator_id == Indicator.id)
        .where(Comment.assessment_id == assessment.id)
        .order_by(Comment.created_at, Comment.id)
    )
    if pillar_code:
        query = query.where(Indicator.pillar_code == pillar_code)
    threads: dict[str, list[Comment]] = {}
    for comment, code in db.session.execute(query):
        threads.setdefault(code, []).append(comment)
    return threads


def indicator_id(assessment: Assessment, code: str) -> int | None:
    """The id of an indicator of the assessment's framework version, by code."""
    return db.session.scalar(
        sa.select(Indicator.id).where(
            Indicator.framework_version_id == assessment.framework_version_id, Indicator.code == code
        )
    )


def item_titles(definitions) -> dict[str, str]:
    """English titles of pillars and indicators by code, and of options by "code/option" (for gettext at render).

    Newest version last.
    """
    titles: dict[str, str] = {}
    for definition in definitions:
        for pillar in definition.pillars:
            titles[pillar.code] = pillar.title
            titles.update((i.code, i.title) for i in pillar.indicators)
            titles.update((f"{i.code}/{o.id}", o.label) for i in pillar.indicators for o in i.options)
    return titles


def needs_evidence(answer: Answer | None) -> bool:
    """The methodology's evidence gate: Established or higher needs a link, a description or a file."""
    return bool(
        answer
        and answer.level
        and answer.level >= 3
        and not answer.evidence_urls
        and not answer.evidence_description
        and answer.indicator_id not in signals.filed_evidence(answer.assessment_id)
    )


# Why an answer needs the validator's attention; the template names each in the reader's language.
NO_EVIDENCE = "no-evidence"
NOT_APPLICABLE = "not-applicable"
DONT_KNOW = "dont-know"
NO_REASON = "no-reason"


def flags(answer: Answer | None, maturity: bool = True) -> list[str]:
    """What the validator should look at in this answer: missing evidence, N/A, don't know, no reason.

    Only maturity answers must give a reason (facts are not scored).
    """
    if answer is None:
        return []
    found = [NO_EVIDENCE] if needs_evidence(answer) else []
    if answer.state == AnswerState.NOT_APPLICABLE:
        found.append(NOT_APPLICABLE)
    elif answer.state == AnswerState.DONT_KNOW:
        found.append(DONT_KNOW)
    if maturity and needs_reason(answer.state, answer.comment):
        found.append(NO_REASON)
    return found


# The parts of an answer a "was -> now" line compares, each shown as one value.
ANSWER_PARTS = (
    ("state", "level", "number_value", "currency", "bool_value"),
    ("evidence_urls",),
    ("evidence_description",),
    ("comment",),
)


@dataclass(frozen=True)
class Change:
    """How an answer changed between two submissions: the parts that differ and who changed it."""

    parts: list[tuple[dict, dict]]
    by: list[str]


def _part(record: dict | None, keys: Sequence[str]) -> dict:
    return {key: record[key] for key in keys if record and record.get(key) not in (None, "")}


def changes_since_review(assessment: Assessment) -> dict[str, Change]:
    """Answers changed since the validator last saw them, by indicator code.

    In review, that is between the previous submission and the latest one; while the team edits,
    since the latest submission. Read from the audit trail, so who made each change is known.
    """
    # A handful of status changes per assessment; their JSON values are compared here, not in SQL.
    submissions = [
        event_id
        for event_id, value in db.session.execute(
            sa.select(AuditEvent.id, AuditEvent.new_value)
            .where(
                AuditEvent.assessment_id == assessment.id,
                AuditEvent.action == "assessment.status",
                AuditEvent.outcome == "ok",
            )
            .order_by(AuditEvent.id.desc())
        )
        if value == Status.SUBMITTED.value
    ][:2]
    if assessment.status == Status.SUBMITTED:
        if len(submissions) < 2:
            return {}
        window = sa.and_(AuditEvent.id > submissions[1], AuditEvent.id < submissions[0])
    elif submissions:
        window = AuditEvent.id > submissions[0]
    else:
        return {}
    events = db.session.execute(
        sa.select(
            AuditEvent.indicator_code,
            AuditEvent.old_value,
            AuditEvent.new_value,
            AuditEvent.user_id,
            AuditEvent.username,
        )
        .where(
            AuditEvent.assessment_id == assessment.id,
            AuditEvent.action == "answer.update",
            AuditEvent.outcome == "ok",
            window,
        )
        .order_by(AuditEvent.id)
    ).all()
    first: dict[str, dict | None] = {}
    last: dict[str, dict | None] = {}
    authors: dict[str, list[int | str]] = {}
    for code, old, new, user_id, username in events:
        first.setdefault(code, old)
        last[code] = new
        who = user_id if user_id is not None else username
        if who not in authors.setdefault(code, []):
            authors[code].append(who)
    names = _names(who for ids in authors.values() for who in ids if isinstance(who, int))
    changes = {}
    for code, was in first.items():
        parts = [(_part(was, keys), _part(last[code], keys)) for keys in ANSWER_PARTS]
        parts = [(old, new) for old, new in parts if old != new]
        if parts:
            changes[code] = Change(
                parts, [who if isinstance(who, str) else names.get(who, str(who)) for who in authors[code]]
            )
    return changes


def _names(user_ids: Iterable[int]) -> dict[int, str]:
    """Display names of users, in one query."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {
        user.id: user.full_name or user.username for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))
    }


@dataclass(frozen=True)
class Decision:
    """What the validator's form says about one indicator, and the state the form was built from."""

    code: str
    decision: Review | None  # None: no decision given (left as it is)
    comment: str = ""
    version: int = 0  # the answer's version the page showed
    seen: str | None = None  # the review decision the page showed


class ReviewConflict(Exception):
    """Answers or decisions changed after the validator loaded the page; nothing was recorded."""

    def __init__(self, answers: dict[str, Answer]):
        """Keep the current answers that conflict, by indicator code."""
        super().__init__(sorted(answers))
        self.answers = answers


@dataclass
class Recorded:
    """What one submit of the review form changed."""

    accepted: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    comments: int = 0


def _is_stale(answer: Answer, decision: Decision) -> bool:
    """The page showed another version or decision, and the validator's choice would overwrite it."""
    moved = answer.version != decision.version or (answer.review or None) != (decision.seen or None)
    chosen = decision.decision.value if decision.decision else answer.review
    return moved and (chosen != answer.review or bool(decision.comment.strip()))


def record_decisions(
    assessment: Assessment, decisions: Sequence[Decision], user: User, accept_unflagged: bool = False
) -> Recorded:
    """Apply every decision of the review form at once, or none: `ReviewConflict` if any is stale.

    Returning needs a comment unless the indicator is returned already; a comment without a
    decision goes to the indicator's thread. With `accept_unflagged`, the answers still without
    a decision and without a flag are accepted too.
    """
    lock_assessment(assessment, {Status.SUBMITTED}, "not-in-review")
    rows = db.session.execute(
        sa.select(Answer, Indicator.code, Indicator.kind)
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id == assessment.id, Answer.state.is_not(None))
        .execution_options(populate_existing=True)
    ).all()
    answers = {code: answer for answer, code, _kind in rows}
    maturity = {code for _answer, code, kind in rows if kind == MATURITY}
    if any(d.code not in answers for d in decisions):
        raise WorkflowError("foreign-indicator")
    stale = {d.code: answers[d.code] for d in decisions if _is_stale(answers[d.code], d)}
    if stale:
        _load_reviewers(stale.values())
        raise ReviewConflict(stale)
    now, done, events = utcnow(), Recorded(), []
    for d in decisions:
        answer, comment = answers[d.code], d.comment.strip()
        if d.decision == Review.RETURNED and not comment and answer.review != Review.RETURNED:
            raise WorkflowError("comment-required")
        if comment:
            add_comment(assessment, answer.indicator_id, user, comment)
            done.comments += 1
        if d.decision is not None and d.decision != answer.review:
            events.append(_decide(assessment, answer, d.code, d.decision, user, now))
    if accept_unflagged:
        decided = {d.code for d in decisions if d.decision is not None}
        events += [
            _decide(assessment, answer, code, Review.ACCEPTED, user, now)
            for code, answer in answers.items()
            if answer.review is None and code not in decided and not flags(answer, code in maturity)
        ]
    db.session.add_all(events)
    for event in events:
        assert event.indicator_code is not None  # _decide names the indicator
        (done.accepted if event.new_value == Review.ACCEPTED else done.returned).append(event.indicator_code)
    db.session.flush()
    return done


def _decide(assessment: Assessment, answer: Answer, code: str, decision: Review, user: User, now) -> AuditEvent:
    """Set one decision and return its audit event (added by the caller, all at once)."""
    old = answer.review
    answer.review, answer.reviewed_by_id, answer.reviewed_at = decision.value, user.id, now
    return AuditEvent(
        action="indicator.review",
        user_id=user.id,
        username=user.username,
        at=now,
        country_id=assessment.country_id,
        assessment_id=assessment.id,
        indicator_code=code,
        old_value=old,
        new_value=decision.value,
    )


def _load_reviewers(answers: Iterable[Answer]) -> None:
    """Attach who last decided each conflicting answer, for the conflict message."""
    answers = list(answers)
    names = _names(a.reviewed_by_id for a in answers if a.reviewed_by_id)
    for answer in answers:
        # A transient attribute for the conflict message (the model has no such column).
        reviewer = answer.reviewed_by_id
        answer.reviewer_name = names.get(reviewer) if reviewer is not None else None  # type: ignore[attr-defined]
