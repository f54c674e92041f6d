"""Carrying last cycle forward: a new draft pre-filled from the country's latest validated assessment.

Each carried answer keeps the row it came from (`Answer.carried_from_id`) and waits for someone to
confirm or change it (`Answer.to_confirm`); until then it counts as unanswered. Confirming changes
no value and no version, so a colleague's form open on the same answer still saves without conflict.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from survey.accounts.models import User
from survey.assessments import signals
from survey.assessments.models import EDITABLE_STATUSES, Answer, Assessment, Cycle, Status
from survey.assessments.services import FIELDS, WorkflowError, lock_assessment
from survey.audit.models import AuditEvent
from survey.audit.services import record
from survey.extensions import db
from survey.frameworks.definition import IndicatorDef
from survey.frameworks.models import FrameworkVersion, Indicator
from survey.models import utcnow


def carry_source(assessment: Assessment) -> Assessment | None:
    """The country's latest validated assessment of an earlier cycle of the same framework, if any."""
    return latest_validated(assessment.country_id, assessment.cycle.year, assessment.framework_version.framework_id)


def latest_validated(country_id: int, before_year: int, framework_id: str) -> Assessment | None:
    """The country's latest validated assessment of this framework (any version) in a cycle before this year."""
    return db.session.scalars(
        sa.select(Assessment)
        .join(Assessment.cycle)
        .join(FrameworkVersion, Assessment.framework_version_id == FrameworkVersion.id)
        .where(
            Assessment.country_id == country_id,
            Assessment.status == Status.VALIDATED,
            Cycle.year < before_year,
            FrameworkVersion.framework_id == framework_id,
        )
        .order_by(Cycle.year.desc())
    ).first()


def has_carried(assessment: Assessment) -> bool:
    """Whether answers were already carried into this assessment."""
    return (
        db.session.scalar(
            sa.select(Answer.id)
            .where(Answer.assessment_id == assessment.id, Answer.carried_from_id.is_not(None))
            .limit(1)
        )
        is not None
    )


def same_identity(old: IndicatorDef, new: IndicatorDef) -> bool:
    """Whether an answer to `old` means the same for `new`: same code, kind, levels, fact type and options."""
    return (
        old.code == new.code
        and old.kind == new.kind
        and old.levels == new.levels
        and old.fact_type == new.fact_type
        and [o.id for o in old.options] == [o.id for o in new.options]
    )


def carried_codes(source: Assessment, assessment: Assessment) -> list[str]:
    """Indicators of the new assessment whose identity is unchanged since the source's framework version."""
    old = source.framework_version.definition
    return [
        i.code
        for i in assessment.framework_version.definition.all_indicators()
        if (before := old.indicator(i.code)) is not None and same_identity(before, i)
    ]


def carry_forward(assessment: Assessment, user: User) -> int:
    """Copy last cycle's answers into the draft's unanswered indicators, each to confirm; how many (audited).

    Raises WorkflowError when there is nothing validated to carry from or the assessment is no draft.
    """
    source = carry_source(assessment)
    if source is None:
        raise WorkflowError("nothing-to-carry")
    lock_assessment(assessment, {Status.DRAFT}, "not-a-draft")
    codes = carried_codes(source, assessment)
    old = aliased(Indicator)
    previous = db.session.execute(
        sa.select(Answer, old.code)
        .join(old, Answer.indicator_id == old.id)
        .where(Answer.assessment_id == source.id, old.code.in_(codes))
    ).all()
    ids = dict(
        db.session.execute(
            sa.select(Indicator.code, Indicator.id).where(
                Indicator.framework_version_id == assessment.framework_version_id
            )
        ).all()
    )
    # Read under the lock: a colleague's first answers (saved before) are kept, never overwritten.
    taken = set(db.session.scalars(sa.select(Answer.indicator_id).where(Answer.assessment_id == assessment.id)))
    now, rows, moved = utcnow(), [], {}
    for answer, code in previous:
        if ids[code] in taken or _is_blank(answer):
            continue
        rows.append(
            {
                "assessment_id": assessment.id,
                "indicator_id": ids[code],
                **{field: getattr(answer, field) for field in FIELDS},
                "updated_at": now,
                "updated_by_id": user.id,
                "version": 1,
                "carried_from_id": answer.id,
                "to_confirm": True,
            }
        )
        moved[answer.indicator_id] = ids[code]
    if rows:
        db.session.execute(sa.insert(Answer), rows)
    record(
        "assessment.carry",
        user=user,
        country_id=assessment.country_id,
        assessment_id=assessment.id,
        old_value=source.cycle.year,
        new_value=len(rows),
        detail=f"carried {len(rows)} answers from {source.cycle.year}",
    )
    signals.carried.send(assessment, source=source, indicators=moved, user=user)
    db.session.flush()
    return len(rows)


def _is_blank(answer: Answer) -> bool:
    return answer.state is None and not (answer.evidence_urls or answer.evidence_description or answer.comment)


def confirm(assessment: Assessment, user: User, codes: Iterable[str]) -> list[str]:
    """Confirm carried answers of these indicators as they stand; the codes confirmed (each audited).

    Only the flag changes: the values and their version stay, so nobody's open form goes stale.
    """
    lock_assessment(assessment, EDITABLE_STATUSES, "submitted")
    wanted = sorted(set(codes))
    if not wanted:
        return []
    ids = dict(
        db.session.execute(
            sa.select(Indicator.id, Indicator.code).where(
                Indicator.framework_version_id == assessment.framework_version_id, Indicator.code.in_(wanted)
            )
        ).all()
    )
    confirmed = db.session.scalars(
        sa.update(Answer)
        .where(Answer.assessment_id == assessment.id, Answer.indicator_id.in_(list(ids)), Answer.to_confirm.is_(True))
        .values(to_confirm=False)
        .returning(Answer.indicator_id)
        .execution_options(synchronize_session=False)
    ).all()
    done = sorted(ids[i] for i in confirmed)
    now = utcnow()
    if done:
        db.session.execute(
            sa.insert(AuditEvent),
            [
                {
                    "action": "answer.confirm",
                    "outcome": "ok",
                    "user_id": user.id,
                    "username": user.username,
                    "at": now,
                    "country_id": assessment.country_id,
                    "assessment_id": assessment.id,
                    "indicator_code": code,
                    "detail": "carried answer confirmed unchanged",
                }
                for code in done
            ],
        )
    for loaded in list(db.session.identity_map.values()):  # the flag was written behind the session's back
        if isinstance(loaded, Answer) and loaded.assessment_id == assessment.id:
            db.session.expire(loaded)
    return done


def unchanged_since_carry(assessment: Assessment) -> frozenset[str]:
    """Indicators whose answer is still the one carried from last cycle (confirmed or not), for the validator."""
    source = aliased(Answer)
    rows = db.session.execute(
        sa.select(Indicator.code, Answer, source)
        .join(Answer, Answer.indicator_id == Indicator.id)
        .join(source, Answer.carried_from_id == source.id)
        .where(Answer.assessment_id == assessment.id)
    ).all()
    return frozenset(code for code, now, then in rows if _values(now) == _values(then))


def _values(answer: Answer) -> tuple[Any, ...]:
    return tuple(getattr(answer, field) for field in FIELDS)
