"""Administrator pages: the index, accounts, cycles and the audit log (rules and audit in `services`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from survey.accounts import tokens
from survey.accounts.models import User
from survey.admin import services
from survey.admin.forms import (
    AccountForm,
    AuditFilterForm,
    CycleForm,
    NewAccountForm,
    PasswordResetForm,
    country_choices,
)
from survey.assessments import cycles as cycle_services
from survey.assessments.models import Assessment, Cycle
from survey.countries.services import country_by_code
from survey.extensions import db
from survey.frameworks.models import FrameworkVersion
from survey.notifications.services import email_address
from survey.permissions import Permission, requires
from survey.review.services import item_titles

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def _with_countries(form: AccountForm | AuditFilterForm, blank: str) -> AccountForm | AuditFilterForm:
    form.country.choices = country_choices(blank)
    return form


@blueprint.route("/")
@requires(Permission.ADMINISTER)
def index() -> str:
    """Links to the administrator pages."""
    return render_template("admin/index.html")


@blueprint.route("/users")
@requires(Permission.ADMINISTER)
def users() -> str:
    """Every account with its roles, country and status."""
    accounts = db.session.scalars(sa.select(User).order_by(User.country_id.is_not(None), User.username)).all()
    return render_template("admin/users.html", users=accounts)


@blueprint.route("/users/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def new_user() -> str | Response | tuple[str, int]:
    """Create an account with its roles and first password."""
    form = _with_countries(NewAccountForm(), _("No country"))
    if request.method == "GET":
        return render_template("admin/user_form.html", form=form, user=None)
    try:
        if not form.validate():
            raise services.Refused(_("Nothing was saved: please correct the fields marked below."))
        user = services.create_account(
            form.username.data,
            set(form.roles.data),
            form.country.data,
            form.password.data,
            current_user,
            full_name=form.full_name.data or "",
            agency=form.agency.data or "",
            active=form.active.data,
            email=form.email.data or "",
        )
    except services.Refused as refusal:
        flash(str(refusal), "error")
        return render_template("admin/user_form.html", form=form, user=None), 422
    db.session.commit()
    flash(_("Account %(name)s created.", name=user.username), "success")
    return redirect(url_for(".users"))


@blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit_user(user_id: int) -> str | Response | tuple[str, int]:
    """Change an account's name, roles, country and status."""
    user = db.session.get(User, user_id) or abort(404)
    if request.method == "GET":
        address = email_address(user) or ""
        form = _with_countries(
            AccountForm(
                full_name=user.full_name,
                agency=user.agency,
                roles=sorted(user.roles),
                country=user.country.alpha2 if user.country else "",
                active=user.active,
                email=address,
                email_shown=address,
            ),
            _("No country"),
        )
        return _render_edit(user, form)
    form = _with_countries(AccountForm(), _("No country"))
    try:
        if not form.validate():
            raise services.Refused(_("Nothing was saved: please correct the fields marked below."))
        services.update_account(
            user,
            set(form.roles.data),
            form.country.data,
            current_user,
            full_name=form.full_name.data or "",
            agency=form.agency.data or "",
            active=form.active.data,
            email=form.changed_email(),
        )
    except services.Refused as refusal:
        flash(str(refusal), "error")
        return _render_edit(user, form), 422
    db.session.commit()
    flash(_("Account %(name)s saved.", name=user.username), "success")
    return redirect(url_for(".users"))


def _render_edit(user: User, form: AccountForm, password_form: PasswordResetForm | None = None) -> str:
    return render_template(
        "admin/user_form.html", form=form, user=user, password_form=password_form or PasswordResetForm()
    )


@blueprint.route("/users/<int:user_id>/password", methods=["POST"])
@requires(Permission.ADMINISTER)
def reset_password(user_id: int) -> Response | tuple[str, int]:
    """Set a new password for an account; its sessions end."""
    user = db.session.get(User, user_id) or abort(404)
    form = PasswordResetForm()
    form.known_username = user.username
    try:
        if not form.validate():
            raise services.Refused(_("The password was not changed: see the reason below."))
        services.reset_password(user, form.password.data, current_user)
    except services.Refused as refusal:
        flash(str(refusal), "error")
        account = _with_countries(
            AccountForm(
                full_name=user.full_name,
                agency=user.agency,
                roles=sorted(user.roles),
                country=user.country.alpha2 if user.country else "",
                active=user.active,
            ),
            _("No country"),
        )
        return _render_edit(user, account, form), 422
    db.session.commit()
    flash(_("New password set for %(name)s; their other sessions are closed.", name=user.username), "success")
    return redirect(url_for(".edit_user", user_id=user.id))


@blueprint.route("/audit")
@requires(Permission.AUDIT_READ)
def audit() -> str | tuple[str, int]:
    """The audit log across countries, newest first, with filters."""
    form = _with_countries(AuditFilterForm(request.args), _("Any"))
    if request.args and not form.validate():
        return render_template("admin/audit.html", form=form, events=[], older_url=None, titles={}), 400
    country = country_by_code(form.country.data) if form.country.data else None
    before = form.before.data
    events = services.audit_events(
        form.action.data or "",
        form.outcome.data or "",
        form.username.data or "",
        country.id if country else None,
        form.since.data,
        form.until.data,
        before,
    )
    older_url = None
    if len(events) == services.AUDIT_PAGE:
        args: dict[str, Any] = {**request.args.to_dict(), "before": events[-1].id}
        older_url = url_for(".audit", **args)
    versions = db.session.scalars(sa.select(FrameworkVersion).order_by(FrameworkVersion.id)).all()
    return render_template(
        "admin/audit.html",
        form=form,
        events=events,
        older_url=older_url,
        titles=item_titles(v.definition for v in versions),
    )


def _cycle_form(form: CycleForm | None = None) -> CycleForm:
    form = form or CycleForm()
    versions = db.session.scalars(sa.select(FrameworkVersion).order_by(FrameworkVersion.id.desc())).all()
    form.version.choices = [SelectChoice(str(v.id), f"{_(v.title)} {v.version}") for v in versions]
    return form


def _render_cycles(form: CycleForm) -> str:
    cycles = db.session.scalars(sa.select(Cycle).order_by(Cycle.year.desc())).all()
    counts = dict(
        db.session.execute(
            sa.select(Assessment.cycle_id, sa.func.count(Assessment.id)).group_by(Assessment.cycle_id)
        ).all()
    )
    versions = db.session.scalars(sa.select(FrameworkVersion).order_by(FrameworkVersion.id.desc())).all()
    return render_template("admin/cycles.html", form=form, cycles=cycles, counts=counts, versions=versions)


@blueprint.route("/cycles", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def cycles() -> str | Response | tuple[str, int]:
    """Assessment cycles and framework versions; open a cycle (which closes the others)."""
    form = _cycle_form()
    if request.method == "GET":
        return _render_cycles(form)
    if not form.validate():
        flash(_("No cycle was opened: please correct the fields marked below."), "error")
        return _render_cycles(form), 422
    version = db.session.get_one(FrameworkVersion, int(form.version.data))  # a validated choice
    # Teams are reminded a week before the deadline (`flask notifications deadlines`).
    cycle = cycle_services.open_cycle(form.year.data, version, current_user, deadline=form.deadline.data)
    db.session.commit()
    flash(_("The %(year)s cycle is open.", year=cycle.year), "success")
    return redirect(url_for(".cycles"))


@blueprint.route("/cycles/close", methods=["POST"])
@requires(Permission.ADMINISTER)
def close_cycles() -> Response:
    """Close the open cycle: nobody can start a new assessment until another opens."""
    cycle_services.close_cycle(current_user)
    db.session.commit()
    flash(_("No cycle is open now."), "success")
    return redirect(url_for(".cycles"))


@blueprint.route("/tokens")
@requires(Permission.ADMINISTER)
def api_tokens() -> str:
    """Every account's API tokens: when each was created and last used; revoke any."""
    return render_template("admin/tokens.html", tokens=tokens.all_tokens())


@blueprint.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(Permission.ADMINISTER)
def revoke_api_token(token_id: int) -> Response:
    """Revoke anyone's token (a leaked one, a departed donor's)."""
    token = db.session.get(tokens.ApiToken, token_id) or abort(404)
    if tokens.revoke_token(token, current_user):
        db.session.commit()
        flash(_("The token %(name)s of %(user)s is revoked.", name=token.name, user=token.user.username), "success")
    else:
        flash(_("The token %(name)s was revoked already.", name=token.name), "info")
    return redirect(url_for(".api_tokens"))
