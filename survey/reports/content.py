"""What the country report shows: the results page's content, its charts, and the evidence annex."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from survey.assessments import services
from survey.assessments.models import Answer, Assessment
from survey.assessments.results import build_results
from survey.dashboards.charts import Labels, ranking_figure
from survey.evidence.models import EvidenceFile
from survey.evidence.services import files_by_code
from survey.extensions import db
from survey.frameworks.definition import IndicatorDef
from survey.frameworks.labels import stage_name
from survey.i18n.locale import text_direction
from survey.images.phone import wrap
from survey.images.service import WIDE_WIDTH
from survey.permissions import Permission, can
from survey.plans.services import actions_for
from survey.publication.rules import Visibility, is_released
from survey.reports.charts import data_uri, outlined_svg

# Drawn at the web pages' wide size (room for long pillar names), then scaled to the page's width (A4);
# the radar taller than on screen, as page 1 has the room for a larger circle.
CHART_WIDTH, RADAR_HEIGHT = WIDE_WIDTH, 620
LABEL_MARGIN = 220  # pixels beside the pillar bars for their names
RLE, PDF = "\u202b", "\u202c"  # right-to-left embedding (see assessments.charts)


@dataclass(frozen=True)
class Chart:
    """A chart of the report: its image (a data: address) and what it shows, for readers who cannot see it."""

    src: str
    label: str
    width: int
    height: int


@dataclass(frozen=True)
class EvidenceEntry:
    """The evidence of one indicator: web addresses and the names of attached files."""

    indicator: IndicatorDef
    links: list[str]
    files: list[EvidenceFile]


def listed_files(viewer: Any, assessment: Assessment) -> dict[str, list[EvidenceFile]]:
    """The files the report names, by indicator code: those the reader may read, only public ones in public releases.

    A report of results released publicly is a public document, whoever downloads it.
    """
    public_release = is_released(assessment) and assessment.visibility == Visibility.PUBLIC
    listed = {
        code: [f for f in files if can(viewer, Permission.EVIDENCE_READ, f) and (f.is_public or not public_release)]
        for code, files in files_by_code(assessment).items()
    }
    return {code: files for code, files in listed.items() if files}


def data_stamp(assessment: Assessment, files: dict[str, list[EvidenceFile]]) -> tuple:
    """Everything the report's content depends on besides language and date: one query for the answers."""
    latest, count = db.session.execute(
        sa.select(sa.func.max(Answer.updated_at), sa.func.count(Answer.id)).where(Answer.assessment_id == assessment.id)
    ).one()
    previous = services.previous_assessment(assessment)
    return (
        assessment.id,
        assessment.status,
        assessment.visibility,
        assessment.updated_at,
        latest,
        count,
        (previous.id, previous.updated_at) if previous else None,
        tuple((f.id, f.is_public) for code in sorted(files) for f in files[code]),
        current_app.config.get("CHART_IMAGES") != "off",
    )


def _links(answer: Answer | None) -> list[str]:
    return [url for url in (answer.evidence_urls if answer else "").split() if url.startswith(("https://", "http://"))]


def evidence_annex(assessment: Assessment, files: dict[str, list[EvidenceFile]]) -> list[EvidenceEntry]:
    """Every indicator with a web address or a listed file, in questionnaire order."""
    definition = assessment.framework_version.definition
    answers = services.answers_by_code(assessment)
    entries = (
        EvidenceEntry(i, _links(answers.get(i.code)), files.get(i.code, [])) for i in definition.all_indicators()
    )
    return [e for e in entries if e.links or e.files]


def _chart(figure: dict | None, label: str) -> Chart | None:
    """The figure drawn for the report; None when chart images are off or cannot be drawn (the table stays)."""
    if figure is None or current_app.config.get("CHART_IMAGES") == "off":
        return None
    height = int(figure["layout"].get("height") or RADAR_HEIGHT)
    svg = outlined_svg(figure, CHART_WIDTH, height)
    return Chart(data_uri(svg), label, CHART_WIDTH, height) if svg else None


def _embedded(text: str, rtl: bool) -> str:
    return f"{RLE}{text}{PDF}" if rtl else text


def _pillar_bars(rows: list, rtl: bool) -> dict | None:
    """The pillar scores as the dashboards' horizontal bars, framework order from the top."""
    scored = [r for r in rows if r.result.score is not None]
    if not scored:
        return None
    figure = ranking_figure(
        [wrap(_embedded(r.title, rtl)) for r in scored],  # on two lines, as on phones: names are long
        [r.result.score for r in scored],
        [stage_name(r.result.stage) for r in scored],
        # No axis title: the chart's title gives the scale, and the page has no room to spare below.
        Labels(title=_embedded(_("Score by pillar (0-100)"), rtl), hover="%{y}: %{x} (%{text})"),
        rtl=rtl,
    )
    # Room for whole pillar names beside the bars: Plotly's automargin misjudges embedded right-to-left labels.
    figure["layout"]["margin"]["r" if rtl else "l"] = LABEL_MARGIN
    figure["layout"]["height"] = 120 + 40 * len(scored)  # two lines of name per bar
    return figure


def build_report(viewer: Any, assessment: Assessment, files: dict[str, list[EvidenceFile]]) -> dict:
    """Everything the report template shows."""
    context = build_results(assessment)  # the results page's content, its radar figure included
    previous = context["previous"]
    if previous is not None and not can(viewer, Permission.ASSESSMENT_VIEW, previous):
        # An earlier cycle kept from this reader stays hidden, even as a comparison.
        context.update(previous=None, comparable=False, overall_change=None)
        context["rows"] = [replace(r, change=None) for r in context["rows"]]
        context["figure"]["data"] = context["figure"]["data"][:1]
        context["figure"]["layout"]["showlegend"] = False
    bars = _pillar_bars(context["rows"], text_direction() == "rtl")
    context.update(
        assessment=assessment,
        radar=_chart(context["figure"], _("Radar chart of the pillar scores; the same data is in the table below.")),
        bars=_chart(bars, _("Bar chart of the pillar scores; the same data is in the table below.")),
        evidence=evidence_annex(assessment, files),
        actions=actions_for(assessment),  # the plan's changes renew the assessment's updated_at (the cache stamp)
    )
    return context
