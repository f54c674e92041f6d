"""The coordinator releases validated results, or withdraws them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.accounts.models import Role
from survey.assessments import services as assessments
from survey.assessments.labels import visibility_label
from survey.assessments.models import Visibility
from survey.assessments.results import build_results
from survey.audit.services import record_refusal
from survey.auth import roles_required
from survey.extensions import db
from survey.publication import services
from survey.publication.forms import ReleaseForm

blueprint = Blueprint("publication", __name__, url_prefix="/assessments")


@blueprint.route("/<int:assessment_id>/release", methods=["POST"])
@roles_required(Role.COORDINATOR)
def release(assessment_id: int) -> Response | tuple[str, int]:
    """Set who outside the country may read the validated results."""
    assessment = assessments.get_visible_assessment(current_user, assessment_id)
    if current_user.country_id != assessment.country_id:
        record_refusal("assessment.release", "coordinator of another country",
                       country_id=assessment.country_id, assessment_id=assessment.id)
        abort(404)
    form = ReleaseForm()
    if not form.validate():
        flash(_("Nothing was changed: choose who may read the results."), "error")
        return _results(assessment, form), 422
    try:
        services.release(assessment, Visibility(form.visibility.data), current_user)
    except assessments.WorkflowError:
        record_refusal("assessment.release", "not validated", country_id=assessment.country_id,
                       assessment_id=assessment.id)
        flash(_("Only validated results can be released."), "error")
        return _results(assessment, form), 409
    db.session.commit()
    flash(_("Release level saved: %(level)s.", level=visibility_label(assessment.visibility)), "success")
    return redirect(url_for("assessments.results", assessment_id=assessment.id))


def _results(assessment, form: ReleaseForm) -> str:
    return render_template("assessments/results.html", assessment=assessment, release_form=form,
                           **build_results(assessment))
