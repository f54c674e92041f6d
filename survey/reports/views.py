"""The country report as a PDF, and the printable blank questionnaire."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template
from flask_babel import get_locale
from flask_login import current_user

from survey.assessments import services
from survey.extensions import db
from survey.frameworks.models import FrameworkVersion
from survey.i18n.formats import format_date
from survey.methodology import scoring
from survey.models import utcnow
from survey.permissions import Permission, public, requires
from survey.questions import question_type
from survey.reports import content
from survey.reports.pdf import available, cache, html_to_pdf

blueprint = Blueprint("reports", __name__)


@blueprint.route("/assessments/<int:assessment_id>/report.pdf")
@requires(Permission.ASSESSMENT_VIEW)
def report(assessment_id: int) -> Response:
    """The results as a PDF in the reader's language; whoever may read the results page may download it."""
    assessment = services.get_visible_assessment(current_user, assessment_id)  # the results page's rule
    if not available():
        abort(503)  # this server lacks Pango (see README): everything but the PDF works
    language = str(get_locale())
    today = format_date(utcnow(), "long")
    files = content.listed_files(current_user, assessment)
    key = (content.data_stamp(assessment, files), language, today)
    pdf = cache().get(key)
    if pdf is None:
        context = content.build_report(current_user, assessment, files)
        pdf = html_to_pdf(render_template("reports/report.html", today=today, scoring=scoring, **context))
        cache().put(key, pdf)
    response = Response(pdf, mimetype="application/pdf")
    filename = f"CyberReady-{assessment.country.alpha2}-{assessment.cycle.year}-{language}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blueprint.route("/framework/questionnaire")
@blueprint.route("/framework/<int:version_id>/questionnaire")
@public
def questionnaire(version_id: int | None = None) -> str:
    """The questionnaire with blanks to fill in by hand, for printing (the framework page's version)."""
    query = sa.select(FrameworkVersion).order_by(FrameworkVersion.id.desc())
    if version_id is not None:
        query = query.where(FrameworkVersion.id == version_id)
    version = db.session.scalars(query).first() or abort(404)
    definition = version.definition
    inputs = {i.code: question_type(i) for i in definition.all_indicators() if not i.is_maturity}
    return render_template(
        "reports/questionnaire.html",
        version=version,
        definition=definition,
        blanks={code: (kind.workbook_input(definition.known_indicator(code)), kind) for code, kind in inputs.items()},
    )
