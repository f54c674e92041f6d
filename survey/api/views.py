"""Read-only JSON API under /api/v1: public releases without a token, donor-level with one."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import HTTPException

from survey.accounts.tokens import live_token, note_use
from survey.api.openapi import openapi_document
from survey.assessments.models import PillarScore
from survey.dashboards import services
from survey.dashboards.details import evidence_of, fact_answers_of
from survey.dashboards.opendata import evidence_json, facts_json, pillars_json, region_json
from survey.dashboards.profile import find_country, visible_assessments
from survey.dashboards.services import BadParameter
from survey.dashboards.views import error_message
from survey.extensions import csrf, db
from survey.permissions import public
from survey.plans.services import actions_by_assessment, json_action
from survey.projects import services as project_services
from survey.projects.exports import project_json
from survey.regions.services import all_regions

API_PREFIX = "/api/"  # every address under it answers JSON, errors too
blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(blueprint)  # GET-only and cookie-less: no form to forge
MEMBERSHIP_RULE = "A country is a member in a cycle year when it was a member on 1 July of that year."


class Unauthorised(HTTPException):
    """A bearer token that is malformed, unknown, revoked or expired."""

    code = 401


def viewer() -> Any:
    """Who is asking: the token's user, or an anonymous reader. Session cookies are ignored."""
    return g.api_viewer


@blueprint.before_request
def authenticate() -> None:
    """Resolve the bearer token, if any, before any data is read."""
    header = request.headers.get("Authorization")
    if header is None:
        g.api_viewer = AnonymousUserMixin()
        return
    scheme, _sep, token = header.partition(" ")
    found = live_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if found is None:
        raise Unauthorised()
    if note_use(found):
        db.session.commit()  # when the token was last used, written at most once a minute
    g.api_viewer = found.user


def json_error(code: int, message: str) -> Response:
    """An error as the API answers it: JSON with the code and a message in the reader's language."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="cyberready"'
    return response


@blueprint.errorhandler(Unauthorised)
def unauthorised(_error_: Unauthorised):
    """401 as JSON."""
    return json_error(401, _("The API token is not valid. Leave it out to read public data only."))


@blueprint.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    """400 or 404 as JSON, with the same messages as the dashboards."""
    return json_error(error.status, error_message(error.kind))


@blueprint.errorhandler(404)
def not_found(_error_):
    """404 as JSON."""
    return json_error(404, _("There is nothing at this address."))


@blueprint.after_request
def no_cookies(response):
    """API answers depend on the token, not on cookies; never cache donor data in shared caches."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.route("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document(url_for(".openapi", _external=True).rsplit("/", 1)[0]))


@blueprint.route("/regions")
@public
def regions():
    """Every region with its membership periods."""
    return jsonify(
        {
            "membership_rule": MEMBERSHIP_RULE,
            "regions": [
                {
                    "code": r.code,
                    "name": r.name,
                    "short_name": r.short_name,
                    "source": r.source_url,
                    "members": [
                        {
                            "country": p.country,
                            "joined": p.joined and p.joined.isoformat(),
                            "left": p.left and p.left.isoformat(),
                        }
                        for p in r.periods
                    ],
                }
                for r in all_regions()
            ],
        }
    )


@blueprint.route("/regions/<code>/<int:year>")
@public
def region_cycle(code: str, year: int):
    """Released overall and pillar scores of a region's members in a cycle."""
    region = services.find_region(code)
    cycle = services.find_cycle(year)
    version = services.find_version(request.args.get("version"), cycle)
    data = services.regional_data(viewer(), region, cycle, version)
    body = region_json(data)
    ids = {c.alpha2: c.assessment_id for c in data.countries}
    facts = services.fact_answers(viewer(), data)
    evidence = evidence_of(list(ids.values()))
    for country in body["countries"]:
        country["facts"] = facts_json(data.version.definition, facts.get(ids[country["country"]], {}))
        country["evidence"] = evidence_json(evidence.get(ids[country["country"]], {}))
    return jsonify({**body, "median_overall_score": services.median(data.overall_scores)})


@blueprint.route("/countries/<alpha2>")
@public
def country(alpha2: str):
    """A country's released results over cycles, each with its action plan."""
    found = find_country(alpha2)
    assessments = visible_assessments(viewer(), found)
    ids = [a.id for a in assessments]
    facts, evidence = fact_answers_of(ids), evidence_of(ids)
    pillars: dict[int, dict] = {}
    for row in db.session.scalars(
        sa.select(PillarScore).where(PillarScore.assessment_id.in_([a.id for a in assessments]))
    ):
        pillars.setdefault(row.assessment_id, {})[row.pillar_code] = (row.score, row.stage)
    plans = actions_by_assessment(ids)
    return jsonify(
        {
            "country": found.alpha2,
            "assessments": [
                {
                    "cycle": a.cycle.year,
                    "framework_version": a.framework_version.label,
                    "release_level": a.visibility,
                    "is_demo": a.is_demo,
                    "overall_score": a.overall_score,
                    "overall_stage": a.overall_stage,
                    "pillars": pillars_json(pillars.get(a.id, {})),
                    "facts": facts_json(a.framework_version.definition, facts.get(a.id, {})),
                    "evidence": evidence_json(evidence.get(a.id, {})),
                    "actions": [json_action(action) for action in plans.get(a.id, [])],
                }
                for a in assessments
            ],
        }
    )


@blueprint.route("/projects")
@public
def projects():
    """Capacity-building projects the token's holder (or anyone, without one) may read; ?country=GH narrows."""
    code = request.args.get("country")
    if code is not None:
        code = find_country(code).alpha2  # 404 for a code that names no country
    found = project_services.visible_projects(viewer(), [code] if code else None)
    return jsonify({"projects": [project_json(p) for p in found]})


@blueprint.route("/<path:_rest>")
@public
def unknown(_rest: str):
    """Any other address under /api/v1 answers in JSON too."""
    return json_error(404, _("There is nothing at this address."))
