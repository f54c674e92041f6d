"""Validation of a submitted assessment, indicator threads, answer history and the audit page."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.assessments import services as assessments
from survey.assessments.carry import unchanged_since_carry
from survey.assessments.models import Assessment, Status
from survey.audit.models import AuditEvent
from survey.audit.services import record_refusal
from survey.extensions import db
from survey.permissions import Permission, can, requires
from survey.review import services
from survey.review.forms import ACTIONS, CommentForm, DecisionForm, ReviewForm, make_review_form, posted_codes
from survey.review.models import Review
from survey.review.services import item_titles

blueprint = Blueprint("review", __name__, url_prefix="/assessments")
WORKFLOW_MESSAGES = {
    "not-in-review": lambda: _("This assessment is not waiting for validation."),
    "open-reviews": lambda: _(
        "Every indicator must be accepted before the assessment is validated: some are returned or not reviewed yet."
    ),
    "nothing-returned": lambda: _("No indicator is returned, so there is nothing to send back."),
    "comment-required": lambda: _("Say what needs fixing when you return an indicator."),
    "foreign-indicator": lambda: _("This indicator has no answer in this assessment."),
}


@blueprint.app_template_global()
def comment_threads(assessment: Assessment, pillar_code: str | None = None) -> dict:
    """Comment threads by indicator code, for pages of other features (the pillar page)."""
    return services.comment_threads(assessment, pillar_code)


def _team_assessment(assessment_id: int, permission: Permission) -> Assessment:
    """The assessment, if the user may do this to it as its country's team or an admin (404 for others)."""
    assessment = assessments.get_visible_assessment(current_user, assessment_id)
    if not can(current_user, permission, assessment):
        abort(404)
    return assessment


def _reviewable(assessment_id: int, permission: Permission = Permission.ASSESSMENT_REVIEW) -> Assessment:
    """The assessment, if the current user may review (or validate) it; 403 and an audit entry otherwise."""
    assessment = _team_assessment(assessment_id, Permission.ASSESSMENT_FOLLOW)
    if not can(current_user, permission, assessment):
        record_refusal(
            "assessment.review",
            "not allowed to review this assessment",
            country_id=assessment.country_id,
            assessment_id=assessment.id,
        )
        abort(403)
    return assessment


def _workflow_refusal(assessment: Assessment, action: str, error: Exception) -> tuple[str, int]:
    """Explain a refused workflow step, keep everything as it was, audit the attempt."""
    record_refusal(action, str(error), country_id=assessment.country_id, assessment_id=assessment.id)
    db.session.refresh(assessment)
    flash(WORKFLOW_MESSAGES.get(str(error), WORKFLOW_MESSAGES["not-in-review"])(), "error")
    return _render_validation(assessment), 409


FILTERS = ("all", "flagged", "pending", "returned", "changed", "carried")


@blueprint.route("/<int:assessment_id>/validation")
@requires(Permission.ASSESSMENT_FOLLOW)
def validation(assessment_id: int) -> str:
    """The whole submission on one page, filtered by ?show=; validators decide on it in one form."""
    return _render_validation(_team_assessment(assessment_id, Permission.ASSESSMENT_FOLLOW))


def _show() -> str:
    """The filter asked for in the query string; anything unknown shows everything."""
    show = request.args.get("show", "all")
    return show if show in FILTERS else "all"


def _render_validation(assessment: Assessment, form: ReviewForm | None = None, conflicts: dict | None = None) -> str:
    definition = assessment.framework_version.definition
    answers = assessments.answers_by_code(assessment)
    changes = services.changes_since_review(assessment)
    indicators = [i for i in definition.all_indicators() if (a := answers.get(i.code)) is not None and a.state]
    flags = {i.code: services.flags(answers[i.code], i.is_maturity) for i in indicators}
    unchanged = unchanged_since_carry(assessment)  # the same as last cycle's validated answer
    chosen = {
        "all": lambda code: True,
        "flagged": lambda code: bool(flags[code]),
        "pending": lambda code: answers[code].review is None,
        "returned": lambda code: answers[code].review == Review.RETURNED,
        "changed": lambda code: code in changes,
        "carried": lambda code: code in unchanged,
    }
    show = _show()
    may_review = assessment.status == Status.SUBMITTED and can(current_user, Permission.ASSESSMENT_REVIEW, assessment)
    if form is not None and form.indicator_codes:
        # A refused submit shows exactly the indicators it carried, with everything typed.
        posted = set(form.indicator_codes)
        shown = [i for i in indicators if i.code in posted]
    else:
        shown = [i for i in indicators if chosen[show](i.code)]
        if may_review:
            form = make_review_form([i.code for i in shown])
            form.fill(answers)
    return render_template(
        "review/validation.html",
        assessment=assessment,
        definition=definition,
        answers=answers,
        indicators=shown,
        flags=flags,
        changes=changes,
        unchanged=unchanged,
        counts=services.review_counts(assessment),
        flag_counts=Counter(flag for found in flags.values() for flag in found),
        filter_counts={name: sum(1 for i in indicators if test(i.code)) for name, test in chosen.items()},
        show=show,
        threads=services.comment_threads(assessment),
        result=assessments.score(assessment),
        may_review=may_review,
        form=form,
        conflicts=conflicts or {},
    )


def _decisions_refused(assessment: Assessment, form: ReviewForm, action: str, error: Exception) -> tuple[str, int]:
    """A refused submit of the review form: explain, audit, and give back everything typed."""
    record_refusal(action, str(error), country_id=assessment.country_id, assessment_id=assessment.id)
    db.session.refresh(assessment)
    flash(
        _("Nothing was recorded.") + " " + WORKFLOW_MESSAGES.get(str(error), WORKFLOW_MESSAGES["not-in-review"])(),
        "error",
    )
    return _render_validation(assessment, form), 409


@blueprint.route("/<int:assessment_id>/validation", methods=["POST"])
@requires(Permission.ASSESSMENT_REVIEW)
def decide_all(assessment_id: int) -> Response | tuple[str, int]:
    """Record every decision of the review form at once, then save, send back or validate."""
    assessment = _reviewable(assessment_id)
    codes = [i.code for i in assessment.framework_version.definition.all_indicators()]
    form = make_review_form(posted_codes(list(request.form), codes))
    action = request.form.get("action")
    if action not in ACTIONS:  # browsers always send the button pressed (Enter presses the first)
        flash(_("Nothing was recorded: use one of the buttons at the end of the page."), "error")
        return _render_validation(assessment, form), 422
    if not form.validate():
        flash(_("Nothing was recorded: please correct the decisions marked below."), "error")
        return _render_validation(assessment, form), 422
    try:
        done = services.record_decisions(
            assessment, form.decisions(), current_user, accept_unflagged=form.accept_unflagged.data
        )
        if action == "send_back":
            services.send_back(assessment, current_user)
        elif action == "validate":
            services.validate(assessment, current_user)
    except services.ReviewConflict as conflict:
        db.session.rollback()
        return _render_review_conflict(assessment, form, conflict)
    except assessments.WorkflowError as error:
        step = "indicator.review" if str(error) in ("comment-required", "foreign-indicator") else "assessment.status"
        return _decisions_refused(assessment, form, step, error)
    db.session.commit()
    flash(
        _(
            "Decisions recorded: %(accepted)s accepted, %(returned)s returned.",
            accepted=len(done.accepted),
            returned=len(done.returned),
        ),
        "success",
    )
    if action == "send_back":
        flash(_("The returned indicators are open again for the country's team."), "success")
    if action == "validate":
        flash(
            _("The assessment is validated. Its data is locked; the coordinator can now release the results."),
            "success",
        )
        return redirect(url_for("assessments.results", assessment_id=assessment.id))
    show = _show()
    return redirect(url_for(".validation", assessment_id=assessment.id, show=None if show == "all" else show))


def _render_review_conflict(
    assessment: Assessment, form: ReviewForm, conflict: services.ReviewConflict
) -> tuple[str, int]:
    """Show what changed meanwhile next to the validator's choices, which a new submit keeps."""
    for code, answer in conflict.answers.items():
        sub = form.subform(code)
        sub.version.data, sub.version.raw_data = answer.version, [str(answer.version)]
        sub.seen.data, sub.seen.raw_data = answer.review or "", [answer.review or ""]
    record_refusal(
        "indicator.review", "stale review form", country_id=assessment.country_id, assessment_id=assessment.id
    )
    flash(
        _(
            "Some of these indicators changed after you opened this page, so nothing was recorded. "
            "What changed is shown next to your decisions: submit again to keep yours."
        ),
        "error",
    )
    return _render_validation(assessment, form, conflict.answers), 409


@blueprint.route("/<int:assessment_id>/validation/<code>", methods=["POST"])
@requires(Permission.ASSESSMENT_REVIEW)
def decide(assessment_id: int, code: str) -> Response | tuple[str, int]:
    """Accept one indicator or return it with a comment (the review form does many at once)."""
    assessment = _reviewable(assessment_id)
    form = DecisionForm()
    if not form.validate():
        flash(_("Nothing was recorded: please correct the decisions marked below."), "error")
        return _render_single_failure(assessment, code, form), 422
    try:
        services.review_indicator(assessment, code, Review(form.decision.data), current_user, form.comment.data or "")
    except assessments.WorkflowError as error:
        return _workflow_refusal(assessment, "indicator.review", error)
    db.session.commit()
    return redirect(url_for(".validation", assessment_id=assessment.id, _anchor=f"r-{code}"))


def _render_single_failure(assessment: Assessment, code: str, single: DecisionForm) -> str:
    """A refused single decision, shown in the review form with what was typed and why."""
    answers = assessments.answers_by_code(assessment)
    if code not in answers or not answers[code].state:
        return _render_validation(assessment)
    form = make_review_form([code])
    form.fill(answers)
    sub = form.subform(code)
    sub.decision.data, sub.comment.data = single.decision.data, single.comment.data
    sub.decision.errors, sub.comment.errors = list(single.decision.errors), list(single.comment.errors)
    return _render_validation(assessment, form)


@blueprint.route("/<int:assessment_id>/accept-unflagged", methods=["POST"])
@requires(Permission.ASSESSMENT_REVIEW)
def accept_unflagged(assessment_id: int) -> Response | tuple[str, int]:
    """Accept at once every answer not reviewed yet that is not flagged for missing evidence."""
    assessment = _reviewable(assessment_id)
    try:
        accepted = services.accept_unflagged(assessment, current_user)
    except assessments.WorkflowError as error:
        return _workflow_refusal(assessment, "indicator.review", error)
    db.session.commit()
    flash(_("%(n)s indicators accepted. Flagged ones still need a decision one by one.", n=len(accepted)), "success")
    return redirect(url_for(".validation", assessment_id=assessment.id))


@blueprint.route("/<int:assessment_id>/send-back", methods=["POST"])
@requires(Permission.ASSESSMENT_REVIEW)
def send_back(assessment_id: int) -> Response | tuple[str, int]:
    """Reopen the returned indicators for the country's team."""
    assessment = _reviewable(assessment_id)
    try:
        services.send_back(assessment, current_user)
    except assessments.WorkflowError as error:
        return _workflow_refusal(assessment, "assessment.status", error)
    db.session.commit()
    flash(_("The returned indicators are open again for the country's team."), "success")
    return redirect(url_for(".validation", assessment_id=assessment.id))


@blueprint.route("/<int:assessment_id>/validate", methods=["POST"])
@requires(Permission.ASSESSMENT_VALIDATE)
def validate(assessment_id: int) -> Response | tuple[str, int]:
    """Validate an assessment whose every indicator is accepted; the data is then locked."""
    assessment = _reviewable(assessment_id, Permission.ASSESSMENT_VALIDATE)
    try:
        services.validate(assessment, current_user)
    except assessments.WorkflowError as error:
        return _workflow_refusal(assessment, "assessment.status", error)
    db.session.commit()
    flash(_("The assessment is validated. Its data is locked; the coordinator can now release the results."), "success")
    return redirect(url_for("assessments.results", assessment_id=assessment.id))


@blueprint.route("/<int:assessment_id>/indicators/<code>/comments", methods=["POST"])
@requires(Permission.ASSESSMENT_DISCUSS)
def comment(assessment_id: int, code: str) -> Response | tuple[str, int]:
    """Post a message in an indicator's thread, visible to the country's team."""
    assessment = _team_assessment(assessment_id, Permission.ASSESSMENT_DISCUSS)
    indicator_id = services.indicator_id(assessment, code) or abort(404)
    pillar_code = code.split(".", 1)[0]
    back = url_for(
        "assessments.pillar",
        assessment_id=assessment.id,
        pillar_code=pillar_code,
        _anchor=f"q-{code.replace('.', '__')}",
    )
    form = CommentForm()
    if not form.validate():
        return render_template(
            "review/comment.html",
            assessment=assessment,
            form=form,
            back=back,
            indicator=assessment.framework_version.definition.indicator(code),
        ), 422
    services.add_comment(assessment, indicator_id, current_user, form.body.data.strip())
    db.session.commit()
    flash(_("Your message is posted."), "success")
    if request.form.get("back") == "validation":
        back = url_for(".validation", assessment_id=assessment.id, _anchor=f"r-{code}")
    return redirect(back)


@blueprint.route("/<int:assessment_id>/indicators/<code>/history")
@requires(Permission.ASSESSMENT_FOLLOW)
def history(assessment_id: int, code: str) -> str:
    """Every saved change of one answer: who, when, old and new values."""
    assessment = _team_assessment(assessment_id, Permission.ASSESSMENT_FOLLOW)
    indicator = assessment.framework_version.definition.indicator(code) or abort(404)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.assessment_id == assessment.id, AuditEvent.indicator_code == code)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).all()
    return render_template(
        "review/history.html",
        assessment=assessment,
        indicator=indicator,
        events=events,
        titles=item_titles([assessment.framework_version.definition]),
    )


@blueprint.route("/<int:assessment_id>/audit")
@requires(Permission.ASSESSMENT_AUDIT)
def audit(assessment_id: int) -> str:
    """The whole story of an assessment, newest first, for its coordinator and admins."""
    assessment = _team_assessment(assessment_id, Permission.ASSESSMENT_AUDIT)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.assessment_id == assessment.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1000)
    ).all()
    return render_template(
        "review/audit.html",
        assessment=assessment,
        events=events,
        titles=item_titles([assessment.framework_version.definition]),
    )
