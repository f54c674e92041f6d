"""Uploading evidence files to an indicator, downloading them, sharing and removing them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from survey.assessments import services as assessments
from survey.assessments.forms import field_key
from survey.assessments.models import Assessment, Status
from survey.audit.services import record, record_refusal
from survey.evidence import services
from survey.evidence.labels import REFUSALS, SCAN_LABELS
from survey.evidence.models import EvidenceFile
from survey.evidence.sniff import MEDIA_TYPES
from survey.evidence.storage import storage
from survey.extensions import db
from survey.frameworks.models import Indicator
from survey.permissions import Permission, can, public, requires

blueprint = Blueprint("evidence", __name__, url_prefix="/assessments")
FORM_MARGIN = 64 * 1024  # room for the form's other fields next to the largest file
# A downloaded file is never run as a page: no scripts, no plugins, no same-origin access.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


@blueprint.url_value_preprocessor
def allow_large_upload(endpoint: str | None, values: dict | None) -> None:
    """Raise the request size limit for the upload alone, to one file plus the form.

    URL value preprocessors run before every `before_request` hook, and the CSRF check there reads
    the form: the limit must be set before, so a larger body is refused from its Content-Length unread.
    """
    if endpoint == "evidence.upload":
        request.max_content_length = services.max_bytes() + FORM_MARGIN


@blueprint.app_template_global()
def evidence_files(assessment: Assessment, indicator_code: str | None = None) -> dict[str, list[EvidenceFile]]:
    """The files the signed-in user may read, by indicator code (for the pillar, review and results pages)."""
    files = services.files_by_code(assessment, indicator_code)
    return {
        code: readable
        for code, listed in files.items()
        if (readable := [f for f in listed if can(current_user, Permission.EVIDENCE_READ, f)])
    }


@blueprint.app_template_global()
def scan_label(scan: str) -> str:
    """Whether the file was scanned, in the reader's language."""
    return str(SCAN_LABELS.get(scan, scan))


def _indicator(assessment: Assessment, code: str) -> tuple:
    """(definition, pillar definition, indicator row) of this code in the assessment's framework; 404 otherwise."""
    definition = assessment.framework_version.definition
    indicator_def = definition.indicator(code) or abort(404)
    row = db.session.scalar(
        sa.select(Indicator).where(
            Indicator.framework_version_id == assessment.framework_version_id, Indicator.code == code
        )
    ) or abort(404)
    return indicator_def, definition.pillar(row.pillar_code), row


def _editable(assessment: Assessment, pillar_def, code: str) -> bool:
    """Files change with the answer: whoever may change this answer now may attach and remove files."""
    if not can(current_user, Permission.EVIDENCE_UPLOAD, assessment, pillar=pillar_def.code):
        return False
    answers = assessments.answers_by_code(assessment, pillar_def.code)
    return code in assessments.editable_codes(current_user, assessment, pillar_def, answers)


def _refuse_locked(assessment: Assessment, code: str) -> None:
    """Audit and refuse a change to files of an answer the user may not change now."""
    locked = not assessment.is_editable or assessment.status == Status.RETURNED
    record_refusal(
        "evidence.upload",
        "answer is locked" if locked else "pillar not assigned",
        country_id=assessment.country_id,
        assessment_id=assessment.id,
        indicator_code=code,
    )
    abort(409 if locked else 403)


def _render(assessment: Assessment, code: str, status: int = 200) -> tuple[str, int]:
    indicator_def, pillar_def, _row = _indicator(assessment, code)
    return render_template(
        "evidence/files.html",
        assessment=assessment,
        indicator=indicator_def,
        pillar=pillar_def,
        files=evidence_files(assessment, code).get(code, []),
        editable=_editable(assessment, pillar_def, code),
        field_key=field_key,
        may_share=can(current_user, Permission.ASSESSMENT_RELEASE, assessment),
        max_mb=services.max_bytes() // (1024 * 1024),
        media_types=MEDIA_TYPES,
    ), status


@blueprint.route("/<int:assessment_id>/evidence/<code>")
@requires(Permission.ASSESSMENT_VIEW)
def files(assessment_id: int, code: str) -> tuple[str, int]:
    """An indicator's files, with the upload form for those who may change the answer."""
    assessment = assessments.get_visible_assessment(current_user, assessment_id)
    return _render(assessment, code)


@blueprint.route("/<int:assessment_id>/evidence/<code>", methods=["POST"])
@requires(Permission.EVIDENCE_UPLOAD)
def upload(assessment_id: int, code: str) -> Response | tuple[str, int]:
    """Attach a file to the indicator: its content decides its type; refused files are not stored."""
    assessment = assessments.get_visible_assessment(current_user, assessment_id)
    _indicator_def, pillar_def, row = _indicator(assessment, code)
    if not _editable(assessment, pillar_def, code):
        _refuse_locked(assessment, code)
    sent = request.files.get("file")
    try:
        if sent is None:
            raise services.Refused("no_file", 400)
        services.attach(assessment, row, sent.filename, sent.stream, current_user)
    except services.Refused as refused:
        record_refusal(
            "evidence.upload",
            refused.reason,
            country_id=assessment.country_id,
            assessment_id=assessment.id,
            indicator_code=code,
        )
        flash(_refusal(refused.reason), "error")
        return _render(assessment, code, refused.status)
    db.session.commit()
    flash(_("The file “%(name)s” is attached.", name=sent.filename), "success")
    return redirect(url_for(".files", assessment_id=assessment.id, code=code))


def _refusal(reason: str) -> str:
    limit = format_decimal(round(services.max_bytes() / (1024 * 1024), 1), format="#,##0.#")
    return str(REFUSALS[reason]) % {"limit": limit}


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A body over the limit, refused from its announced length before it is read."""
    record_refusal(
        "evidence.upload",
        "too_large",
        country_id=getattr(current_user, "country_id", None),
        assessment_id=(request.view_args or {}).get("assessment_id"),
        indicator_code=(request.view_args or {}).get("code"),
    )
    return render_template("errors/error.html", code=413, message=_refusal("too_large")), 413


def _readable_file(file_id: int) -> EvidenceFile:
    """The file if the user may read it; 404 otherwise (audited), so ids of other countries do not leak."""
    file = db.session.get(EvidenceFile, file_id)
    if file is None:
        abort(404)
    if not can(current_user, Permission.EVIDENCE_READ, file):
        record_refusal(
            "access.denied",
            f"evidence file {file_id}",
            country_id=getattr(current_user, "country_id", None),
            assessment_id=file.assessment_id,
            indicator_code=file.indicator.code,
        )
        abort(404)
    return file


@blueprint.route("/evidence/<int:file_id>")
@public
def download(file_id: int) -> Response:
    """The file as a download, never shown inline; readers from outside the country are audited."""
    file = _readable_file(file_id)
    if getattr(current_user, "country_id", None) != file.assessment.country_id:
        record(
            "evidence.download",
            country_id=file.assessment.country_id,
            assessment_id=file.assessment_id,
            indicator_code=file.indicator.code,
            detail=file.filename,
        )
        db.session.commit()
    response = send_file(
        storage().open(file.digest),
        mimetype=MEDIA_TYPES[file.kind],
        as_attachment=True,
        download_name=file.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.route("/evidence/<int:file_id>/delete", methods=["POST"])
@requires(Permission.EVIDENCE_UPLOAD)
def delete(file_id: int) -> Response:
    """Remove a file from an answer that may still change."""
    file = _readable_file(file_id)
    assessment, code = file.assessment, file.indicator.code
    if not _editable(assessment, _indicator(assessment, code)[1], code):
        _refuse_locked(assessment, code)
    name = file.filename
    services.remove(file)
    db.session.commit()
    flash(_("The file “%(name)s” was removed.", name=name), "success")
    return redirect(url_for(".files", assessment_id=assessment.id, code=code))


@blueprint.route("/evidence/<int:file_id>/share", methods=["POST"])
@requires(Permission.EVIDENCE_UPLOAD)
def share(file_id: int) -> Response:
    """Mark a file public or not; the coordinator may change this until and after the release."""
    file = _readable_file(file_id)
    assessment, code = file.assessment, file.indicator.code
    if not (
        can(current_user, Permission.ASSESSMENT_RELEASE, assessment)
        or _editable(assessment, _indicator(assessment, code)[1], code)
    ):
        _refuse_locked(assessment, code)
    services.share(file, request.form.get("public") == "1")
    db.session.commit()
    if file.is_public:
        flash(_("The file will be public once the results are released publicly."), "success")
    else:
        flash(_("The file stays with your country's team."), "success")
    return redirect(url_for(".files", assessment_id=assessment.id, code=code))
