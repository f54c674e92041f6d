"""Public pages: home, methodology with a worked example, the framework itself."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.extensions import db
from survey.frameworks.models import FrameworkVersion
from survey.methodology import scoring
from survey.methodology.scoring import DONT_KNOW, LEVEL, NOT_APPLICABLE, IndicatorInput, PillarInput
from survey.permissions import public
from survey.workbooks.services import blank_filename, blank_workbook

blueprint = Blueprint("pages", __name__)

# The worked example on the methodology page is computed by the real scoring code,
# so the page cannot drift from the methodology.
EXAMPLE_PILLARS = (
    PillarInput(
        "A",
        1.0,
        (
            IndicatorInput("A1", 2.0, LEVEL, 3),
            IndicatorInput("A2", 1.0, LEVEL, 4),
            IndicatorInput("A3", 1.0, NOT_APPLICABLE),
            IndicatorInput("A4", 1.0, DONT_KNOW),
        ),
    ),
    PillarInput(
        "B",
        1.0,
        (
            IndicatorInput("B1", 1.0, LEVEL, 2),
            IndicatorInput("B2", 1.0, DONT_KNOW),
            IndicatorInput("B3", 1.0, DONT_KNOW),
        ),
    ),
    PillarInput(
        "C",
        1.0,
        (
            IndicatorInput("C1", 1.0, LEVEL, 5),
            IndicatorInput("C2", 1.0, LEVEL, 4),
        ),
    ),
    PillarInput("D", 1.0, (IndicatorInput("D1", 1.0, LEVEL, 3),)),
)
# Pillar C with its weaker indicator declared not applicable: what the page shows the cap does.
WHAT_IF_PILLAR = PillarInput(
    "C",
    1.0,
    (
        IndicatorInput("C1", 1.0, LEVEL, 5),
        IndicatorInput("C2", 1.0, NOT_APPLICABLE),
    ),
)


@blueprint.route("/")
@public
def home() -> str | Response:
    """What CyberReady is; signed-in users go straight to their assessments."""
    if current_user.is_authenticated:
        return redirect(url_for("assessments.index"))
    return render_template("pages/home.html")


@blueprint.route("/healthz")
@public
def health() -> tuple[str, int, dict]:
    """A trivial route for load balancers and as the benchmark's baseline."""
    return "ok", 200, {"Content-Type": "text/plain"}


@blueprint.route("/methodology")
@public
def methodology() -> str:
    """How scores are computed, with a worked example."""
    result = scoring.score_assessment(EXAMPLE_PILLARS)
    return render_template(
        "pages/methodology.html",
        scoring=scoring,
        example_result=result,
        example=list(zip(EXAMPLE_PILLARS, result.pillars, strict=True)),
        what_if=scoring.score_pillar(WHAT_IF_PILLAR),
    )


@blueprint.route("/framework")
@blueprint.route("/framework/<int:version_id>")
@public
def framework(version_id: int | None = None) -> str:
    """The full questionnaire: pillars, indicators, level descriptors and references."""
    query = sa.select(FrameworkVersion).order_by(FrameworkVersion.id.desc())
    if version_id is not None:
        query = query.where(FrameworkVersion.id == version_id)
    version = db.session.scalars(query).first() or abort(404)
    return render_template("pages/framework.html", version=version, definition=version.definition)


# Blank questionnaires already built, by framework version, content and language (a handful at most).
_BLANK: dict[tuple[int, str, str], bytes] = {}


@blueprint.route("/framework/workbook")
@blueprint.route("/framework/<int:version_id>/workbook")
@public
def framework_workbook(version_id: int | None = None) -> Response:
    """The blank questionnaire as an Excel workbook in the reader's language, for preparing answers."""
    query = sa.select(FrameworkVersion).order_by(FrameworkVersion.id.desc())
    if version_id is not None:
        query = query.where(FrameworkVersion.id == version_id)
    version = db.session.scalars(query).first() or abort(404)
    locale = str(get_locale() or "en")
    key = (version.id, version.checksum, locale)
    if key not in _BLANK:
        _BLANK[key] = blank_workbook(version, locale)
    return send_file(
        io.BytesIO(_BLANK[key]),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=blank_filename(version, locale),
    )
