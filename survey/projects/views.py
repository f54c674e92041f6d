"""Capacity-building projects: list, record, edit, confirm for one's country, import, export."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from survey.audit.services import record_refusal
from survey.extensions import db
from survey.i18n.formats import formatting_locale
from survey.permissions import Permission, can, public, requires
from survey.projects import exports, services
from survey.projects.forms import ApplyImportForm, ConfirmForm, ImportForm, ProjectForm
from survey.projects.imports import MAX_BYTES, BadImport, ReadImport, Uploads, read_import
from survey.projects.labels import VISIBILITY_LABELS, status_label
from survey.projects.models import Project

blueprint = Blueprint("projects", __name__, url_prefix="/projects")
FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
    "json": ("application/json", exports.to_json),
}
DEFAULT_MAX_ROWS = 2000


@blueprint.url_value_preprocessor
def allow_import_size(endpoint: str | None, values: dict | None) -> None:
    """Let an import carry a file up to its own limit; this runs before CSRF reads the form."""
    if endpoint == "projects.import_projects":
        request.max_content_length = MAX_BYTES + 64 * 1024


def _uploads() -> Uploads:
    return Uploads(Path(current_app.instance_path) / "project-imports")


def _max_rows() -> int:
    return int(current_app.config.get("PROJECT_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))  # see Config


def _project(project_id: int) -> Project:
    """A project the reader may see (404 otherwise, so ids of hidden projects do not leak)."""
    project = services.get_visible_project(current_user, project_id)
    if project is None:
        abort(404)
    return project


def _editable(project_id: int) -> Project:
    """A project the user may edit: their own, or any for an administrator (403 and audited otherwise)."""
    project = _project(project_id)
    if not can(current_user, Permission.PROJECT_EDIT, project):
        record_refusal("access.denied", f"project {project.id} of another account")
        abort(403)
    return project


@blueprint.route("/")
@public
def index() -> str:
    """The projects the reader may see, with possible duplications flagged."""
    projects = services.visible_projects(current_user)
    definition = services.latest_definition()
    return render_template(
        "projects/index.html",
        projects=projects,
        overlaps=services.overlaps(projects, definition) if definition else {},
    )


@blueprint.route("/<int:project_id>")
@public
def detail(project_id: int) -> str:
    """One project, what its countries said about it, and projects it may duplicate."""
    return _render_detail(_project(project_id))


def _render_detail(project: Project, form: ConfirmForm | None = None) -> str:
    definition = services.latest_definition()
    others = services.visible_projects(current_user, [b.country.alpha2 for b in project.beneficiaries])
    overlaps = services.overlaps(others, definition).get(project.id, []) if definition else []
    mine = [b for b in project.beneficiaries if b.country_id == getattr(current_user, "country_id", None)]
    if form is None and mine:
        form = ConfirmForm(decision="yes" if mine[0].confirmed else "no", note=mine[0].note)
    return render_template(
        "projects/detail.html",
        project=project,
        overlaps=overlaps,
        titles=services.framework_codes(),
        confirm_form=form if can(current_user, Permission.PROJECT_CONFIRM, project) else None,
    )


def _save(form: ProjectForm, project: Project | None) -> BaseResponse | tuple[str, int] | None:
    """Check and store a posted form; the error page when refused, None when the form was not posted."""
    if not form.is_submitted():
        return None
    values = form.values() if form.validate() else None
    problems = services.check(values, services.framework_codes(), services.country_map()) if values else []
    if values is None or problems:
        for problem in problems:
            flash(problem, "error")
        flash(_("Nothing was saved: please correct what is marked."), "error")
        return render_template("projects/form.html", form=form, project=project), 422
    countries = services.country_map()
    if project is None:
        project = services.create_project(values, current_user, countries)
        flash(_("The project was recorded."), "success")
    elif services.update_project(project, values, current_user, countries):
        flash(_("The project was saved."), "success")
    db.session.commit()
    return redirect(url_for(".detail", project_id=project.id))


@blueprint.route("/new", methods=["GET", "POST"])
@requires(Permission.PROJECT_EDIT)
def new() -> str | BaseResponse | tuple[str, int]:
    """Record a project."""
    form = ProjectForm()
    form.prepare(services.latest_definition())
    return _save(form, None) or render_template("projects/form.html", form=form, project=None)


@blueprint.route("/<int:project_id>/edit", methods=["GET", "POST"])
@requires(Permission.PROJECT_EDIT)
def edit(project_id: int) -> str | BaseResponse | tuple[str, int]:
    """Change one's own project (any, for an administrator)."""
    project = _editable(project_id)
    form = ProjectForm(obj=None if request.method == "POST" else project)
    form.prepare(services.latest_definition())
    if request.method == "GET":
        form.donors.data = "\n".join(project.donors)
        form.countries.data = sorted(b.country.alpha2 for b in project.beneficiaries)
        form.targets.data = project.targets
        form.currency.data = project.currency or ""
        form.link.data = project.link or ""
    return _save(form, project) or render_template("projects/form.html", form=form, project=project)


@blueprint.route("/<int:project_id>/confirm", methods=["POST"])
@requires(Permission.PROJECT_CONFIRM)
def confirm(project_id: int) -> BaseResponse | tuple[str, int]:
    """A beneficiary country's coordinator confirms the project or leaves a note."""
    project = _project(project_id)
    if not can(current_user, Permission.PROJECT_CONFIRM, project):
        record_refusal("access.denied", f"project {project.id}: not a beneficiary", country_id=current_user.country_id)
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Nothing was saved: choose whether your country confirms the project."), "error")
        return _render_detail(project, form), 422
    services.confirm(project, current_user.country_id, form.decision.data == "yes", form.note.data or "", current_user)
    db.session.commit()
    flash(_("Your country's word on this project was saved."), "success")
    return redirect(url_for(".detail", project_id=project.id))


def _read(data: bytes, filename: str) -> ReadImport:
    return read_import(
        data, filename, formatting_locale(), services.framework_codes(), services.country_map(), _max_rows()
    )


def _refuse(message: str, status: int = 422, read: ReadImport | None = None) -> tuple[str, int]:
    flash(message, "error")
    return render_template(
        "projects/import.html", form=ImportForm(), problems=read.problems if read else [], max_rows=_max_rows()
    ), status


@blueprint.route("/import", methods=["GET", "POST"])
@requires(Permission.PROJECT_EDIT)
def import_projects() -> str | tuple[str, int]:
    """Upload a CSV or XLSX list of projects and preview it; nothing is stored yet."""
    form = ImportForm()
    if request.method == "GET":
        return render_template("projects/import.html", form=form, problems=[], max_rows=_max_rows())
    if not form.validate_on_submit():
        return _refuse(_("Choose the file to import."))
    upload = form.file.data
    try:
        data = upload.read(MAX_BYTES + 1)
    finally:  # a large upload is spooled to a temporary file: release it now
        upload.close()
    filename = (upload.filename or "projects.csv")[:200]
    try:
        read = _read(data, filename)
    except BadImport as error:
        return _refuse(_("The file was refused, nothing was imported: %(reason)s", reason=str(error)))
    if read.problems:
        return _refuse(
            _("The file was refused, nothing was imported: correct the rows listed below and import it again."),
            read=read,
        )
    token = _uploads().keep(current_user.id, data)
    return render_template(
        "projects/preview.html",
        rows=read.rows,
        token=token,
        filename=filename,
        form=ApplyImportForm(),
        titles=services.framework_codes(),
    )


@blueprint.route("/import/apply", methods=["POST"])
@requires(Permission.PROJECT_EDIT)
def apply_import() -> BaseResponse | tuple[str, int]:
    """Store every project of the previewed file at once (or cancel: nothing changes)."""
    form = ApplyImportForm()
    token, filename = request.form.get("token", ""), request.form.get("filename", "")[:200]
    if not form.validate_on_submit():
        abort(400)
    if "cancel" in request.form:
        _uploads().discard(current_user.id, token)
        flash(_("The import was cancelled: nothing changed."), "success")
        return redirect(url_for(".index"))
    data = _uploads().load(current_user.id, token)
    if data is None:
        return _refuse(_("This preview has expired: import the file again."), 409)
    try:
        read = _read(data, filename)
    except BadImport as error:
        return _refuse(_("The file was refused, nothing was imported: %(reason)s", reason=str(error)))
    if read.problems:  # the framework or the countries changed since the preview
        return _refuse(_("The file was refused, nothing was imported."), read=read)
    countries = services.country_map()
    for _row, values in read.rows:
        services.create_project(values, current_user, countries, via=filename)
    db.session.commit()
    _uploads().discard(current_user.id, token)
    count = len(read.rows)
    flash(ngettext("%(num)d project was imported.", "%(num)d projects were imported.", count), "success")
    return redirect(url_for(".index"))


@blueprint.route("/export.<fmt>")
@public
def export(fmt: str) -> Response:
    """The projects the reader may see, as CSV, XLSX or JSON (CSV and XLSX import back)."""
    if fmt not in FORMATS:
        abort(404)
    mimetype, write = FORMATS[fmt]
    response = Response(write(services.visible_projects(current_user)), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="cyberready-projects.{fmt}"'
    return response


@blueprint.app_template_global("project_status")
def project_status(status: str) -> str:
    """A project status in the reader's language (templates)."""
    return status_label(status)


@blueprint.app_template_global("project_visibility")
def project_visibility(visibility: str) -> str:
    """Who may read a project, in the reader's language (templates)."""
    return str(VISIBILITY_LABELS.get(visibility, visibility))
