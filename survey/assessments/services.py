"""Assessment use cases: start, load, save a pillar, score, submit. Callers commit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.exceptions import NotFound

from survey.accounts.models import User
from survey.assessments import signals
from survey.assessments.models import EDITABLE_STATUSES, SCORED_STATUSES, Answer, Assessment, Cycle, PillarScore, Status
from survey.audit.models import AuditEvent
from survey.audit.services import record_refusal
from survey.extensions import db, run_core
from survey.frameworks.definition import FrameworkDef, IndicatorDef, PillarDef
from survey.frameworks.models import Indicator
from survey.frameworks.services import version_submitted
from survey.methodology.scoring import (
    AssessmentResult,
    IndicatorInput,
    PillarInput,
    Priority,
    priority_needs,
    score_assessment,
)
from survey.models import utcnow
from survey.permissions import Permission, can


class WorkflowError(Exception):
    """An action the assessment's state does not allow (shown to the user, 409)."""


class EditConflict(Exception):
    """Someone saved some of these answers after the user loaded them; nothing was saved."""

    def __init__(self, answers: dict[str, Answer], moved: dict[str, Answer] | None = None):
        """Keep the current answers that conflict, and those a colleague changed that the user left as shown."""
        super().__init__(sorted(answers))
        self.answers = answers
        self.moved = moved or {}


@dataclass(frozen=True)
class AnswerValues:
    """What a user entered for one indicator, independent of the form library."""

    state: str | None
    level: int | None = None
    number_value: Decimal | None = None
    currency: str | None = None
    bool_value: bool | None = None
    date_value: date | None = None
    choice_value: str | None = None
    evidence_urls: str = ""
    evidence_description: str = ""
    comment: str = ""

    @property
    def is_empty(self) -> bool:
        """Nothing chosen and nothing typed."""
        return self.state is None and not (self.evidence_urls or self.evidence_description or self.comment)


FIELDS = tuple(AnswerValues.__dataclass_fields__)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def answer_digest(answer: Any) -> str:
    """A short fingerprint of an answer's values (an Answer, a row of its columns, AnswerValues or None).

    Equal for equal answers however they were read (amounts compared as numbers). A pillar form
    and a workbook carry the fingerprint of each answer they showed: when a colleague has saved
    an answer since, a value with the shown fingerprint is one its user did not touch, so the
    colleague's answer stays, instead of a conflict whose "save again" would put the old value back.
    """
    values = answer if answer is not None else AnswerValues(state=None)
    text = json.dumps([_plain(getattr(values, field)) for field in FIELDS], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@version_submitted.answer
def version_has_submissions(version_id: int) -> bool:
    """Whether an assessment on this framework version was ever submitted (only wording may then change)."""
    return (
        db.session.execute(
            sa.select(sa.func.count(Assessment.id)).where(
                Assessment.framework_version_id == version_id, Assessment.status != Status.DRAFT
            )
        ).scalar_one()
        > 0
    )


def current_cycle() -> Cycle | None:
    """The cycle officials can start assessments in."""
    return db.session.scalar(sa.select(Cycle).where(Cycle.is_open.is_(True)))


def country_assessments(country_id: int) -> list[Assessment]:
    """A country's assessments, newest cycle first."""
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .join(Assessment.cycle)
            .where(Assessment.country_id == country_id)
            .order_by(Cycle.year.desc(), Assessment.id)
        )
    )


def submitted_assessments() -> list[Assessment]:
    """Every assessment past the draft stage, for administrators."""
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .join(Assessment.cycle)
            .where(Assessment.status != Status.DRAFT)
            .order_by(Cycle.year.desc(), Assessment.id)
        )
    )


def validated_assessments() -> list[Assessment]:
    """Every validated assessment, newest cycle first; readers are shown those released to them."""
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .join(Assessment.cycle)
            .where(Assessment.status == Status.VALIDATED)
            .order_by(Cycle.year.desc(), Assessment.id)
        )
    )


def start_assessment(user: User, cycle: Cycle) -> Assessment:
    """The user's country's assessment of this cycle, created on first start."""
    existing = db.session.scalar(
        sa.select(Assessment).where(
            Assessment.country_id == user.country_id,
            Assessment.cycle_id == cycle.id,
            Assessment.framework_version_id == cycle.framework_version_id,
        )
    )
    if existing:
        return existing
    assessment = Assessment(
        country_id=user.country_id,
        cycle_id=cycle.id,
        framework_version_id=cycle.framework_version_id,
        status=Status.DRAFT,
    )
    db.session.add(assessment)
    db.session.flush()
    return assessment


# Most pages load their assessment first: built once (with its country, cycle and framework version).
ASSESSMENT = sa.select(Assessment).where(Assessment.id == sa.bindparam("assessment_id"))


def get_visible_assessment(user: User, assessment_id: int) -> Assessment:
    """The assessment if this user may see it; 404 otherwise, so ids of others do not leak."""
    assessment = db.session.scalars(ASSESSMENT, {"assessment_id": assessment_id}).one_or_none()
    if assessment is None:
        raise NotFound()
    if not can(user, Permission.ASSESSMENT_VIEW, assessment):
        record_refusal(
            "access.denied",
            f"assessment {assessment_id} of another country",
            country_id=user.country_id,
            assessment_id=assessment_id,
        )
        raise NotFound()
    return assessment


def answers_by_code(assessment: Assessment, pillar_code: str | None = None) -> dict[str, Answer]:
    """The assessment's answers keyed by indicator code, for one pillar or all."""
    query = (
        sa.select(Answer, Indicator.code)
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id == assessment.id)
    )
    if pillar_code:
        query = query.where(Indicator.pillar_code == pillar_code)
    return {code: answer for answer, code in db.session.execute(query).all()}


def editable_codes(user: User, assessment: Assessment, pillar: PillarDef, answers: Mapping[str, Any]) -> frozenset[str]:
    """Indicators of the pillar this user may change now (after a return: the reopened ones).

    `answers`: the pillar's answers by code, Answer objects or rows of their columns (`shown_answers`).
    """
    if not assessment.is_editable or not can(user, Permission.PILLAR_EDIT, assessment, pillar=pillar.code):
        return frozenset()
    codes = frozenset(i.code for i in pillar.indicators)
    if assessment.status == Status.RETURNED:
        return codes & signals.reopened_codes(answers)
    return codes


def _answer_record(answer: Answer | AnswerValues | None) -> dict | None:
    """An answer as JSON-ready values, for the audit trail."""
    if answer is None:
        return None
    record = {field: getattr(answer, field) for field in FIELDS}
    for field, value in record.items():
        if isinstance(value, Decimal | date):  # JSON has neither
            record[field] = str(value)
    return {key: value for key, value in record.items() if value not in (None, "")}


def lock_assessment(assessment: Assessment, statuses: Iterable[str], refusal: str) -> None:
    """Hold the assessment for this transaction while its status is one of `statuses`, else WorkflowError.

    The guarded UPDATE takes the row lock on PostgreSQL (the write lock on SQLite) until the request
    commits, so saves, submission and review steps of one assessment happen one after the other and
    each sees the status the previous one left: no answer changes once the assessment is submitted.
    """
    # An UPDATE's result is a CursorResult; Session.execute's types promise only a Result.
    held = cast(
        sa.CursorResult,
        db.session.execute(
            sa.update(Assessment)
            .where(Assessment.id == assessment.id, Assessment.status.in_(sorted(str(s) for s in statuses)))
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    )
    if held.rowcount != 1:
        raise WorkflowError(refusal)


def save_answers(
    assessment: Assessment,
    values: dict[str, AnswerValues],
    user: User,
    versions: dict[str, int] | None = None,
    *,
    shown: dict[str, str] | None = None,
    detail: str = "",
) -> int:
    """Store answers in a few bulk statements, refusing stale edits; return how many changed.

    `versions` holds the version of each answer the user's form was built from. A stored answer
    changes only by a compare-and-set on that version, and a first answer only if no colleague's
    first answer got there before, so of two racing saves exactly one wins. When an answer moved
    on and the user's values differ from it, `EditConflict` carries the current answers and the
    caller rolls back: nothing of the save is kept, and no change is audited. `shown` holds the
    fingerprint (`answer_digest`) of each answer as the form showed it: an answer that moved on
    while the user left it as shown keeps the colleague's value, without a conflict. `detail` says
    how the answers came (e.g. from which workbook) in each audit entry.
    """
    lock_assessment(assessment, EDITABLE_STATUSES, "submitted")
    ids = dict(
        db.session.execute(
            sa.select(Indicator.code, Indicator.id).where(
                Indicator.framework_version_id == assessment.framework_version_id, Indicator.code.in_(list(values))
            )
        ).all()
    )
    if set(values) - set(ids):
        raise WorkflowError("foreign-indicator")
    # Read after taking the lock, over what the session may hold from before it.
    existing = dict(
        db.session.execute(
            sa.select(Answer.indicator_id, Answer)
            .where(Answer.assessment_id == assessment.id, Answer.indicator_id.in_(list(ids.values())))
            .execution_options(populate_existing=True)
        ).all()
    )
    now, updates, inserts, changes, moved = utcnow(), {}, {}, [], {}
    for code, value in values.items():
        row = {field: getattr(value, field) for field in FIELDS}
        answer = existing.get(ids[code])
        if answer is not None:
            if all(getattr(answer, f) == row[f] for f in FIELDS):
                continue
            seen = versions.get(code, 0) if versions is not None else answer.version
            if seen != answer.version and shown is not None and shown.get(code) == answer_digest(value):
                moved[code] = answer  # left as shown while a colleague changed it: theirs stays
                continue
            updates[answer.id] = (answer.indicator_id, seen, row)
        elif not value.is_empty:
            if versions is not None and versions.get(code, 0) != 0:
                continue  # the answer was deleted meanwhile: there is nothing to overwrite
            inserts[ids[code]] = row
        else:
            continue
        changes.append(
            {
                "action": "answer.update",
                "outcome": "ok",
                "user_id": user.id,
                "username": user.username,
                "at": now,
                "country_id": assessment.country_id,
                "assessment_id": assessment.id,
                "indicator_code": code,
                "old_value": _answer_record(answer),
                "new_value": _answer_record(value),
                "detail": detail[:500],
                "target_user_id": None,
            }
        )
    lost = _compare_and_set(updates, now, user) | _insert_first(assessment, inserts, now, user)
    conflicts = _current_answers(assessment, lost)
    if conflicts:
        _load_editors(conflicts.values())
        raise EditConflict(conflicts, moved)
    if changes:  # one executemany, whatever the number of answers
        db.session.execute(sa.insert(AuditEvent), changes)
    for answer in existing.values():  # written behind the session's back
        if answer.id in updates:
            db.session.expire(answer)
    db.session.flush()
    return len(changes)


def _compare_and_set(updates: dict[int, tuple[int, int, dict]], now: datetime, user: User) -> set[int]:
    """Write each answer only if it still has the version the user saw; the indicator ids of those that moved on.

    One UPDATE for all: `version = version + 1 WHERE id = :id AND version = :seen`, per answer.
    """
    if not updates:
        return set()

    def per_answer(field: str) -> sa.ColumnElement:
        # ELSE keeps the column's type for PostgreSQL when every new value is NULL; no row reaches it.
        return sa.case(
            {answer_id: row[field] for answer_id, (_, _, row) in updates.items()},
            value=Answer.id,
            else_=getattr(Answer, field),
        )

    written = set(
        db.session.scalars(
            sa.update(Answer)
            .where(
                sa.or_(
                    *(
                        sa.and_(Answer.id == answer_id, Answer.version == seen)
                        for answer_id, (_, seen, _) in updates.items()
                    )
                )
            )
            .values(
                {
                    **{field: per_answer(field) for field in FIELDS},
                    "updated_at": now,
                    "updated_by_id": user.id,
                    "version": Answer.version + 1,
                    "to_confirm": False,  # a changed answer carried from last cycle is confirmed by the change
                }
            )
            .returning(Answer.id)
            .execution_options(synchronize_session=False)
        )
    )
    return {indicator_id for answer_id, (indicator_id, _, _) in updates.items() if answer_id not in written}


def _insert_first(assessment: Assessment, inserts: dict[int, dict], now: datetime, user: User) -> set[int]:
    """Insert first answers where none exists yet; the indicator ids a colleague's first answer took.

    The unique (assessment, indicator) pair decides between racing first saves: ON CONFLICT DO NOTHING
    makes the loser a conflict instead of an integrity error.
    """
    if not inserts:
        return set()
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = cast(sa.Table, Answer.__table__)  # a mapped class's table; DeclarativeBase types it as a FromClause
    written = set(
        db.session.scalars(
            insert(table)
            .values(
                [
                    {
                        "assessment_id": assessment.id,
                        "indicator_id": indicator_id,
                        **row,
                        "updated_at": now,
                        "updated_by_id": user.id,
                        "version": 1,
                    }
                    for indicator_id, row in inserts.items()
                ]
            )
            .on_conflict_do_nothing(index_elements=[table.c.assessment_id, table.c.indicator_id])
            .returning(table.c.indicator_id)
        )
    )
    return set(inserts) - written


def _current_answers(assessment: Assessment, indicator_ids: set[int]) -> dict[str, Answer]:
    """The answers as colleagues left them, by indicator code."""
    if not indicator_ids:
        return {}
    return {
        code: answer
        for answer, code in db.session.execute(
            sa.select(Answer, Indicator.code)
            .join(Indicator, Answer.indicator_id == Indicator.id)
            .where(Answer.assessment_id == assessment.id, Answer.indicator_id.in_(indicator_ids))
            .execution_options(populate_existing=True)
        )
    }


def _load_editors(answers) -> None:
    """Attach who last saved each conflicting answer, for the conflict message."""
    ids = {a.updated_by_id for a in answers if a.updated_by_id}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    for answer in answers:
        answer.editor = users.get(answer.updated_by_id)


def scoring_inputs(assessment: Assessment) -> list[PillarInput]:
    """The assessment's maturity answers shaped for the methodology, in one query."""
    rows = db.session.execute(
        sa.select(Indicator.code, Answer.state, Answer.level)
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id == assessment.id, Answer.to_confirm.is_(False))
    ).all()
    # An answer carried from last cycle counts only once someone confirmed it (it is left out above).
    return _inputs(assessment.framework_version.definition, {code: (state, level) for code, state, level in rows})


_answer, _indicator = Answer.__table__, Indicator.__table__
# Every answer of an assessment as plain rows, with its indicator's code and pillar. Built once: a
# pillar page reads its answers and its progress from this one query on every visit.
ANSWER_ROWS = (
    sa.select(*_answer.c, _indicator.c.code.label("indicator_code"), _indicator.c.pillar_code.label("in_pillar"))
    .join_from(_answer, _indicator, _answer.c.indicator_id == _indicator.c.id)
    .where(_answer.c.assessment_id == sa.bindparam("assessment_id"))
)


def shown_answers(assessment: Assessment, pillar_code: str) -> tuple[dict[str, sa.Row], AssessmentResult]:
    """A pillar's answers as read-only rows (what a GET shows) and the assessment's progress, in one query."""
    rows = run_core(ANSWER_ROWS, {"assessment_id": assessment.id}).all()
    answered = {row.indicator_code: (row.state, row.level) for row in rows if not row.to_confirm}
    progress = score_assessment(_inputs(assessment.framework_version.definition, answered))
    return {row.indicator_code: row for row in rows if row.in_pillar == pillar_code}, progress


def _inputs(definition: FrameworkDef, answered: dict[str, tuple]) -> list[PillarInput]:
    """Maturity answers (state, level by indicator code) shaped for the methodology."""
    return [
        PillarInput(
            pillar.code,
            pillar.weight,
            tuple(
                IndicatorInput(i.code, i.weight, *answered.get(i.code, (None, None)))
                for i in pillar.maturity_indicators
            ),
        )
        for pillar in definition.pillars
    ]


def score(assessment: Assessment) -> AssessmentResult:
    """Score the assessment as it stands."""
    return score_assessment(scoring_inputs(assessment))


def unanswered(assessment: Assessment, inputs: list[PillarInput] | None = None) -> list[IndicatorDef]:
    """Maturity indicators still without an answer, in questionnaire order."""
    definition = assessment.framework_version.definition
    inputs = inputs if inputs is not None else scoring_inputs(assessment)
    missing = {i.code for p in inputs for i in p.indicators if i.state is None}
    return [i for i in definition.all_indicators() if i.code in missing]


def unconfirmed_codes(assessment: Assessment) -> frozenset[str]:
    """Indicators whose answer was carried from last cycle and nobody has confirmed or changed yet."""
    return frozenset(
        db.session.scalars(
            sa.select(Indicator.code)
            .join(Answer, Answer.indicator_id == Indicator.id)
            .where(Answer.assessment_id == assessment.id, Answer.to_confirm.is_(True))
        )
    )


def submit(assessment: Assessment, user: User) -> AssessmentResult:
    """Lock a complete draft and store its scores; saves in flight finish first or are refused after."""
    lock_assessment(assessment, EDITABLE_STATUSES, "submitted")
    inputs = scoring_inputs(assessment)
    if unanswered(assessment, inputs):
        raise WorkflowError("incomplete")
    if unconfirmed_codes(assessment):  # a carried fact, too, must be confirmed before it is reported
        raise WorkflowError("unconfirmed")
    result = score_assessment(inputs)
    signals.submitted.send(assessment, user=user)
    db.session.add(
        AuditEvent(
            action="assessment.status",
            user_id=user.id,
            username=user.username,
            country_id=assessment.country_id,
            assessment_id=assessment.id,
            old_value=assessment.status,
            new_value=Status.SUBMITTED.value,
        )
    )
    assessment.status, assessment.submitted_at, assessment.submitted_by_id = (Status.SUBMITTED, utcnow(), user.id)
    assessment.overall_score, assessment.overall_stage = result.score, result.stage
    assessment.overall_scored, assessment.overall_total = result.scored, result.total
    db.session.execute(sa.delete(PillarScore).where(PillarScore.assessment_id == assessment.id))
    db.session.add_all(
        PillarScore(
            assessment_id=assessment.id,
            pillar_code=p.code,
            score=p.score,
            stage=p.stage,
            coverage=p.coverage,
            status=p.status,
            scored=p.scored,
            total=p.total,
        )
        for p in result.pillars
    )
    db.session.flush()
    return result


def priorities(assessment: Assessment, inputs: list[PillarInput], limit: int = 5) -> list[Priority]:
    """The weakest indicators: the country's priority capacity-building needs."""
    return priority_needs([(p.code, i) for p in inputs for i in p.indicators], limit)


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The country's latest submitted assessment of an earlier cycle, any framework version."""
    return db.session.scalars(
        sa.select(Assessment)
        .join(Assessment.cycle)
        .where(
            Assessment.country_id == assessment.country_id,
            Assessment.status.in_(SCORED_STATUSES),
            Cycle.year < assessment.cycle.year,
        )
        .order_by(Cycle.year.desc())
    ).first()


def stored_pillar_scores(assessment: Assessment) -> dict[str, PillarScore]:
    """Pillar scores stored at submission, keyed by pillar code."""
    return {
        row.pillar_code: row
        for row in db.session.scalars(sa.select(PillarScore).where(PillarScore.assessment_id == assessment.id))
    }


def facts(definition: FrameworkDef, answers: dict[str, Answer]) -> list[tuple[IndicatorDef, Answer | None]]:
    """Every fact question with its answer (or None)."""
    return [(i, answers.get(i.code)) for p in definition.pillars for i in p.facts]
