"""Validation of a submitted assessment, indicator threads, answer history and the audit page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.assessments import services as assessments
from survey.assessments.models import Assessment, Status
from survey.audit.models import AuditEvent
from survey.audit.services import record_refusal
from survey.extensions import db
from survey.permissions import Permission, can, requires
from survey.review import services
from survey.review.forms import CommentForm, DecisionForm
from survey.review.models import Review
from survey.review.services import item_titles

blueprint = Blueprint("review", __name__, url_prefix="/assessments")
WORKFLOW_MESSAGES = {
    "not-in-review": lambda: _("This assessment is not waiting for validation."),
    "open-reviews": lambda: _("Every indicator must be accepted before the assessment is validated: "
                              "some are returned or not reviewed yet."),
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
        record_refusal("assessment.review", "not allowed to review this assessment",
                       country_id=assessment.country_id, assessment_id=assessment.id)
        abort(403)
    return assessment


def _workflow_refusal(assessment: Assessment, action: str, error: Exception) -> tuple[str, int]:
    """Explain a refused workflow step, keep everything as it was, audit the attempt."""
    record_refusal(action, str(error), country_id=assessment.country_id, assessment_id=assessment.id)
    flash(WORKFLOW_MESSAGES.get(str(error), WORKFLOW_MESSAGES["not-in-review"])(), "error")
    return _render_validation(assessment), 409


@blueprint.route("/<int:assessment_id>/validation")
@requires(Permission.ASSESSMENT_FOLLOW)
def validation(assessment_id: int) -> str:
    """Every answer with its evidence, review state and thread; validators decide here."""
    return _render_validation(_team_assessment(assessment_id, Permission.ASSESSMENT_FOLLOW))


def _render_validation(assessment: Assessment, form: DecisionForm | None = None,
                       failed_code: str | None = None) -> str:
    answers = assessments.answers_by_code(assessment)
    counts = services.review_counts(assessment)
    return render_template(
        "review/validation.html", assessment=assessment, definition=assessment.framework_version.definition,
        answers=answers, counts=counts, threads=services.comment_threads(assessment),
        may_review=(assessment.status == Status.SUBMITTED
                    and can(current_user, Permission.ASSESSMENT_REVIEW, assessment)),
        needs_evidence=services.needs_evidence, form=form or DecisionForm(), failed_code=failed_code)


@blueprint.route("/<int:assessment_id>/validation/<code>", methods=["POST"])
@requires(Permission.ASSESSMENT_REVIEW)
def decide(assessment_id: int, code: str) -> Response | tuple[str, int]:
    """Accept one indicator or return it with a comment."""
    assessment = _reviewable(assessment_id)
    form = DecisionForm()
    if not form.validate():
        flash(_("Nothing was recorded: please correct the decision marked below."), "error")
        return _render_validation(assessment, form, code), 422
    try:
        services.review_indicator(assessment, code, Review(form.decision.data), current_user,
                                  form.comment.data or "")
    except assessments.WorkflowError as error:
        return _workflow_refusal(assessment, "indicator.review", error)
    db.session.commit()
    return redirect(url_for(".validation", assessment_id=assessment.id, _anchor=f"r-{code}"))


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
    flash(_("%(n)s indicators accepted. Flagged ones still need a decision one by one.", n=len(accepted)),
          "success")
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
    flash(_("The assessment is validated. Its data is locked; the coordinator can now release the results."),
          "success")
    return redirect(url_for("assessments.results", assessment_id=assessment.id))


@blueprint.route("/<int:assessment_id>/indicators/<code>/comments", methods=["POST"])
@requires(Permission.ASSESSMENT_DISCUSS)
def comment(assessment_id: int, code: str) -> Response | tuple[str, int]:
    """Post a message in an indicator's thread, visible to the country's team."""
    assessment = _team_assessment(assessment_id, Permission.ASSESSMENT_DISCUSS)
    indicator_id = services.indicator_id(assessment, code) or abort(404)
    pillar_code = code.split(".", 1)[0]
    back = url_for("assessments.pillar", assessment_id=assessment.id, pillar_code=pillar_code,
                   _anchor=f"q-{code.replace('.', '__')}")
    form = CommentForm()
    if not form.validate():
        return render_template("review/comment.html", assessment=assessment, form=form, back=back,
                               indicator=assessment.framework_version.definition.indicator(code)), 422
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
        sa.select(AuditEvent).where(AuditEvent.assessment_id == assessment.id,
                                    AuditEvent.indicator_code == code)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())).all()
    return render_template("review/history.html", assessment=assessment, indicator=indicator, events=events,
                           titles=item_titles([assessment.framework_version.definition]))


@blueprint.route("/<int:assessment_id>/audit")
@requires(Permission.ASSESSMENT_AUDIT)
def audit(assessment_id: int) -> str:
    """The whole story of an assessment, newest first, for its coordinator and admins."""
    assessment = _team_assessment(assessment_id, Permission.ASSESSMENT_AUDIT)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.assessment_id == assessment.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1000)).all()
    return render_template("review/audit.html", assessment=assessment, events=events,
                           titles=item_titles([assessment.framework_version.definition]))
