"""The coordinator releases validated results, or withdraws them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.assessments import services as assessments
from survey.assessments.models import Assessment
from survey.assessments.results import build_results
from survey.audit.services import record_refusal
from survey.extensions import db
from survey.permissions import Permission, can, requires
from survey.publication import services
from survey.publication.forms import ReleaseForm
from survey.publication.labels import visibility_label
from survey.publication.rules import Visibility

blueprint = Blueprint("publication", __name__, url_prefix="/assessments")


@blueprint.app_template_global()
def release_form_for(assessment: Assessment) -> ReleaseForm:
    """The release form of the results page, set to the current level."""
    return ReleaseForm(visibility=assessment.visibility)


@blueprint.route("/<int:assessment_id>/release", methods=["POST"])
@requires(Permission.ASSESSMENT_RELEASE)
def release(assessment_id: int) -> Response | tuple[str, int]:
    """Set who outside the country may read the validated results."""
    assessment = assessments.get_visible_assessment(current_user, assessment_id)
    if not can(current_user, Permission.ASSESSMENT_RELEASE, assessment):
        record_refusal(
            "assessment.release",
            "coordinator of another country",
            country_id=assessment.country_id,
            assessment_id=assessment.id,
        )
        abort(404)
    form = ReleaseForm()
    if not form.validate():
        flash(_("Nothing was changed: choose who may read the results."), "error")
        return _results(assessment, form), 422
    try:
        services.release(assessment, Visibility(form.visibility.data), current_user)
    except assessments.WorkflowError:
        record_refusal(
            "assessment.release", "not validated", country_id=assessment.country_id, assessment_id=assessment.id
        )
        flash(_("Only validated results can be released."), "error")
        return _results(assessment, form), 409
    db.session.commit()
    flash(_("Release level saved: %(level)s.", level=visibility_label(assessment.visibility)), "success")
    return redirect(url_for("assessments.results", assessment_id=assessment.id))


def _results(assessment: Assessment, form: ReleaseForm) -> str:
    return render_template(
        "assessments/results.html", assessment=assessment, refused_release_form=form, **build_results(assessment)
    )
