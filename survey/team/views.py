"""The coordinator's team page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.extensions import db
from survey.permissions import Permission, requires
from survey.team import services
from survey.team.forms import AssignmentForm, make_assignment_form

blueprint = Blueprint("team", __name__, url_prefix="/team")


@blueprint.route("/", methods=["GET", "POST"])
@requires(Permission.TEAM_MANAGE)
def index() -> str | Response | tuple[str, int]:
    """The country's accounts and roles; the coordinator assigns pillars to contributors."""
    members = services.team_members(current_user.country_id)
    contributors = services.contributors(members)
    framework = services.current_framework()
    form = make_assignment_form(contributors, framework, services.assignments(current_user.country_id))
    if request.method == "POST":
        if not form.validate():
            flash(_("Nothing was saved: please correct the choices marked below."), "error")
            return _render(members, contributors, framework, form), 422
        wanted = {u.id: set(form[AssignmentForm.field_name(u)].data or ()) for u in contributors}
        changed = services.set_assignments(current_user.country_id, wanted, current_user)
        db.session.commit()
        flash(_("Pillar assignments saved (%(n)s people changed).", n=changed), "success")
        return redirect(url_for(".index"))
    return _render(members, contributors, framework, form)


def _render(members, contributors, framework, form) -> str:
    return render_template(
        "team/index.html",
        members=members,
        contributors=contributors,
        framework=framework,
        form=form,
        field_name=AssignmentForm.field_name,
    )
