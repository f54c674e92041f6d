"""Download an assessment's workbook, upload it back, preview the changes, apply the chosen ones."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.assessments import services as assessments
from survey.assessments.models import Assessment
from survey.audit.services import record_refusal
from survey.extensions import db
from survey.permissions import Permission, can, requires
from survey.workbooks import services
from survey.workbooks.forms import ApplyForm, UploadForm
from survey.workbooks.read import MAX_BYTES, BadWorkbook, ReadWorkbook, read_workbook

blueprint = Blueprint("workbooks", __name__, url_prefix="/assessments/<int:assessment_id>/workbook")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The request may carry the file and the form around it; the file itself is checked against MAX_BYTES.
MAX_REQUEST = MAX_BYTES + 64 * 1024


@blueprint.url_value_preprocessor
def allow_workbook_size(endpoint: str | None, values: dict | None) -> None:
    """Let an upload carry a workbook up to its own limit; this runs before CSRF reads the form."""
    if endpoint == "workbooks.upload":
        request.max_content_length = MAX_REQUEST


def _uploads() -> services.Uploads:
    return services.Uploads(Path(current_app.instance_path) / "workbook-uploads")


def _assessment(assessment_id: int) -> Assessment:
    """The assessment, if the user may use workbooks of it (404 for other countries, 403 otherwise)."""
    assessment = assessments.get_visible_assessment(current_user, assessment_id)
    if not can(current_user, Permission.ASSESSMENT_WORKBOOK, assessment) or not services.workbook_pillars(
        current_user, assessment
    ):
        record_refusal(
            "access.denied",
            "workbook: no pillar to answer",
            country_id=assessment.country_id,
            assessment_id=assessment.id,
        )
        abort(403)
    return assessment


@blueprint.route("")
@requires(Permission.ASSESSMENT_WORKBOOK)
def index(assessment_id: int) -> str:
    """Download the workbook, or upload a filled-in one."""
    assessment = _assessment(assessment_id)
    return render_template(
        "workbooks/index.html",
        assessment=assessment,
        form=UploadForm(),
        pillars=services.workbook_pillars(current_user, assessment),
    )


@blueprint.route("/download")
@requires(Permission.ASSESSMENT_WORKBOOK)
def download(assessment_id: int) -> Response:
    """The workbook of the pillars the user answers, in their language, with the current answers."""
    assessment = _assessment(assessment_id)
    data = services.make_workbook(
        assessment,
        services.workbook_pillars(current_user, assessment),
        str(get_locale() or "en"),
        current_app.config["SECRET_KEY"],
    )
    return send_file(
        io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=services.workbook_filename(assessment)
    )


def _refuse(assessment: Assessment, message: str, status: int, problems=()) -> tuple[str, int]:
    flash(message, "error")
    return render_template(
        "workbooks/index.html",
        assessment=assessment,
        form=UploadForm(),
        pillars=services.workbook_pillars(current_user, assessment),
        problems=problems,
    ), status


def _check(assessment: Assessment, data: bytes, filename: str) -> ReadWorkbook | tuple[str, int]:
    """The workbook's answers, or the refusal page: not ours, another assessment, a pillar not one's own."""
    if not assessment.is_editable:
        record_refusal(
            "answer.update",
            f"workbook upload: assessment is {assessment.status}",
            country_id=assessment.country_id,
            assessment_id=assessment.id,
        )
        return _refuse(
            assessment, _("This assessment was submitted and can no longer be changed. Nothing was applied."), 409
        )
    try:
        read = read_workbook(data, filename, assessment.framework_version.definition, current_app.config["SECRET_KEY"])
    except BadWorkbook as error:
        return _refuse(
            assessment, _("The workbook was refused, nothing was applied: %(reason)s", reason=str(error)), 422
        )
    manifest = read.manifest
    if manifest.assessment != assessment.id:
        return _refuse(assessment, _("This workbook belongs to another assessment: nothing was applied."), 422)
    if manifest.framework_version != assessment.framework_version_id:
        return _refuse(assessment, _("This workbook was made for another framework version: nothing was applied."), 422)
    refused = [
        code
        for code in manifest.sheets
        if not can(current_user, Permission.ASSESSMENT_WORKBOOK, assessment, pillar=code)
    ]
    if refused:
        record_refusal(
            "answer.update",
            f"workbook upload: pillar not assigned ({', '.join(refused)[:200]})",
            country_id=assessment.country_id,
            assessment_id=assessment.id,
        )
        abort(403)
    if read.problems:
        return _refuse(
            assessment,
            _("The workbook was refused, nothing was applied: correct the cells listed below and upload it again."),
            422,
            read.problems,
        )
    return read


@blueprint.route("/upload", methods=["POST"])
@requires(Permission.ASSESSMENT_WORKBOOK)
def upload(assessment_id: int) -> str | tuple[str, int]:
    """Check an uploaded workbook and show what it would change; nothing is applied yet."""
    assessment = _assessment(assessment_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _refuse(assessment, _("Choose the workbook file to upload."), 422)
    upload_file = form.workbook.data
    try:
        data = upload_file.read(MAX_BYTES + 1)
    finally:  # a large upload is spooled to a temporary file: release it now
        upload_file.close()
    filename = (upload_file.filename or "workbook.xlsx")[:200]
    read = _check(assessment, data, filename)
    if not isinstance(read, ReadWorkbook):
        return read
    token = _uploads().keep(data)
    return _preview(assessment, read, token, filename)


def _preview(assessment: Assessment, read: ReadWorkbook, token: str, filename: str, status: int = 200):
    found = services.changes(current_user, assessment, read)
    return render_template(
        "workbooks/preview.html",
        assessment=assessment,
        changes=found,
        token=token,
        filename=filename,
        form=ApplyForm(),
        definition=assessment.framework_version.definition,
    ), status


@blueprint.route("/apply", methods=["POST"])
@requires(Permission.ASSESSMENT_WORKBOOK)
def apply(assessment_id: int) -> Response | tuple[str, int]:
    """Apply the changes the user kept, in one save (or cancel: nothing changes)."""
    assessment = _assessment(assessment_id)
    form = ApplyForm()
    token, filename = request.form.get("token", ""), request.form.get("filename", "")[:200]
    if not form.validate_on_submit():
        abort(400)
    if not assessment.is_editable:
        return _refuse(
            assessment, _("This assessment was submitted and can no longer be changed. Nothing was applied."), 409
        )
    if "cancel" in request.form:
        _uploads().discard(token)
        flash(_("The workbook was not applied: nothing changed."), "success")
        return redirect(url_for(".index", assessment_id=assessment.id))
    data = _uploads().load(token)
    if data is None or hashlib.sha256(data).hexdigest() != token:
        flash(_("This preview has expired: upload the workbook again."), "error")
        return redirect(url_for(".index", assessment_id=assessment.id))
    read = _check(assessment, data, filename)
    if not isinstance(read, ReadWorkbook):
        return read
    editable = {c.indicator.code for c in services.changes(current_user, assessment, read) if c.editable}
    chosen = {}
    for code in request.form.getlist("keep"):
        version = request.form.get(f"version-{code}", "")
        if code in editable and version.isdigit():
            chosen[code] = int(version)
    try:
        count = services.apply_changes(current_user, assessment, read, chosen, filename, token)
    except assessments.EditConflict:
        db.session.rollback()
        flash(
            _(
                "Someone saved some of these answers after the preview was shown, so nothing was applied. "
                "Look at the changes again and apply the ones you keep."
            ),
            "error",
        )
        return _preview(assessment, read, token, filename, 409)
    except assessments.WorkflowError:
        db.session.rollback()
        return _refuse(
            assessment, _("This assessment was submitted and can no longer be changed. Nothing was applied."), 409
        )
    db.session.commit()
    _uploads().discard(token)
    flash(
        ngettext(
            "%(num)d answer from the workbook was applied.", "%(num)d answers from the workbook were applied.", count
        ),
        "success",
    )
    return redirect(url_for("assessments.overview", assessment_id=assessment.id))
