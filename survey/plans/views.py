"""The coordinator plans actions from the results page: add, change, remove."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.assessments import services as assessments
from survey.assessments.models import Assessment
from survey.audit.services import record_refusal
from survey.extensions import db
from survey.permissions import Permission, can, requires
from survey.plans import services
from survey.plans.forms import ActionForm
from survey.plans.labels import funding_label
from survey.plans.models import Action

blueprint = Blueprint("plans", __name__, url_prefix="/assessments")


@blueprint.app_template_global()
def plan_actions(assessment: Assessment) -> list[Action]:
    """The assessment's plan (the results page shows it to whoever reads the results)."""
    return services.actions_for(assessment)


blueprint.add_app_template_global(funding_label)


def _plannable(assessment: Assessment) -> Assessment:
    """The assessment if the user may change its plan; 403 (audited) for a reader who may not."""
    if not can(current_user, Permission.PLAN_EDIT, assessment):
        record_refusal(
            "plan.edit",
            "not the coordinator of this country",
            country_id=current_user.country_id,
            assessment_id=assessment.id,
        )
        abort(403)
    return assessment


def _action(action_id: int) -> Action:
    """The action if the user may read its assessment and change its plan; 404 or 403 otherwise."""
    action = db.session.get(Action, action_id) or abort(404)
    _plannable(assessments.get_visible_assessment(current_user, action.assessment_id))
    return action


def _render(assessment: Assessment, form: ActionForm, action: Action | None = None, status: int = 200):
    return render_template("plans/action.html", assessment=assessment, form=form, action=action), status


def _refused(assessment: Assessment, form: ActionForm, action: Action | None = None):
    record_refusal(
        "plan.edit",
        "invalid: " + ", ".join(sorted(form.errors)),
        country_id=assessment.country_id,
        assessment_id=assessment.id,
    )
    flash(_("Nothing was saved: correct the fields marked below."), "error")
    return _render(assessment, form, action, 422)


def _to_plan(assessment: Assessment) -> Response:
    return redirect(url_for("assessments.results", assessment_id=assessment.id, _anchor="plan"))


@blueprint.route("/<int:assessment_id>/plan/new", methods=["GET", "POST"])
@requires(Permission.PLAN_EDIT)
def new(assessment_id: int):
    """Plan an action, prefilled from a priority need (`?code=`) with the stage one above its level."""
    assessment = _plannable(assessments.get_visible_assessment(current_user, assessment_id))
    form = ActionForm()
    form.prepare(assessment)
    if request.method == "GET":
        code = request.args.get("code", "")
        if code in services.plannable_codes(assessment):
            form.indicator.data = code
        form.target_stage.data = services.suggested_stage(assessment, form.indicator.data or None)
        return _render(assessment, form)
    if not form.validate():
        return _refused(assessment, form)
    services.add_action(assessment, form.values(), current_user)
    db.session.commit()
    flash(_("The action is added to the plan."), "success")
    return _to_plan(assessment)


@blueprint.route("/plan/<int:action_id>", methods=["GET", "POST"])
@requires(Permission.PLAN_EDIT)
def edit(action_id: int):
    """Change an action of the plan."""
    action = _action(action_id)
    assessment = action.assessment
    form = ActionForm() if request.method == "POST" else ActionForm.filled(action)
    form.prepare(assessment)
    if request.method == "GET":
        return _render(assessment, form, action)
    if not form.validate():
        return _refused(assessment, form, action)
    services.change_action(action, form.values(), current_user)
    db.session.commit()
    flash(_("The action is saved."), "success")
    return _to_plan(assessment)


@blueprint.route("/plan/<int:action_id>/delete", methods=["POST"])
@requires(Permission.PLAN_EDIT)
def delete(action_id: int) -> Response:
    """Remove an action from the plan."""
    action = _action(action_id)
    assessment = action.assessment
    services.remove_action(action)
    db.session.commit()
    flash(_("The action is removed from the plan."), "success")
    return _to_plan(assessment)
