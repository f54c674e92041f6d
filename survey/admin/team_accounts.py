"""A coordinator's page creating contributor accounts for their own country (the admin's rules, narrowed)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.accounts.models import Role
from survey.admin import services
from survey.admin.forms import ContributorAccountForm
from survey.audit.services import record_refusal
from survey.countries.services import country_by_code
from survey.extensions import db
from survey.permissions import Permission, can, requires

blueprint = Blueprint("team_accounts", __name__, url_prefix="/team/accounts")


@blueprint.route("/new", methods=["GET", "POST"])
@requires(Permission.TEAM_ACCOUNT_CREATE)
def new() -> str | Response | tuple[str, int]:
    """Create a contributor of the coordinator's country with a first password to hand over."""
    form = ContributorAccountForm()
    if request.method == "GET":
        return render_template("team/new_account.html", form=form)
    # The page sends no role or country: any that a request carries must be exactly what the page implies.
    roles = set(request.form.getlist("roles")) or {Role.CONTRIBUTOR.value}
    country = country_by_code(request.form["country"][:8]) if "country" in request.form else current_user.country
    # An unknown code is no country at all; `can` without an object would only ask about the page.
    if country is None or not can(current_user, Permission.TEAM_ACCOUNT_CREATE, country, roles=roles):
        record_refusal(
            "user.create",
            f"a coordinator may create contributors of their own country only: {sorted(roles)}",
            country_id=current_user.country_id,
        )
        abort(403)
    try:
        if not form.validate():
            raise services.Refused(_("Nothing was saved: please correct the fields marked below."))
        user = services.create_account(
            form.username.data,
            roles,
            current_user.country.alpha2,  # the rule book checked it is the requested one
            form.password.data,
            current_user,
            full_name=form.full_name.data or "",
            agency=form.agency.data or "",
            email=form.email.data or "",
        )
    except services.Refused as refusal:
        flash(str(refusal), "error")
        return render_template("team/new_account.html", form=form), 422
    db.session.commit()
    flash(
        _(
            "Account %(name)s created. Give its holder the username, the password you chose and the address "
            "%(address)s; they can then answer the pillars you assign them below.",
            name=user.username,
            address=url_for("accounts.login", _external=True),
        ),
        "success",
    )
    return redirect(url_for("team.index"))
