"""Assembling the results page from the scores, the answers and the previous cycle."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from survey.assessments import services
from survey.assessments.charts import RadarSeries, radar_figure
from survey.assessments.models import Answer, AnswerState, Assessment, Status
from survey.frameworks.definition import IndicatorDef
from survey.frameworks.labels import STAGE_NAMES, stage_name
from survey.i18n.formats import format_decimal
from survey.i18n.locale import text_direction
from survey.methodology.scoring import (
    INSUFFICIENT,
    NOT_APPLICABLE_PILLAR,
    SCORED,
    AssessmentResult,
    PillarInput,
    PillarResult,
)
from survey.questions import answer_text


@dataclass(frozen=True)
class PillarRow:
    """One line of the pillar table."""

    code: str
    title: str
    result: PillarResult
    change: float | None


def format_fact(indicator: IndicatorDef, answer: Answer | None) -> str:
    """A fact's value as the reader expects it written."""
    return answer_text(indicator, answer) or _("Not answered")


def scored_result(assessment: Assessment, inputs: list[PillarInput]) -> AssessmentResult:
    """The scores stored at submission once submitted (what dashboards and the API show); drafts score live."""
    rows = services.stored_pillar_scores(assessment)
    if assessment.status == Status.DRAFT or not rows:
        return services.score_assessment(inputs)
    pillars = []
    for pillar in inputs:
        row = rows.get(pillar.code)
        live = services.score_assessment([pillar]).pillars[0]  # counts only; the score is the stored one
        pillars.append(
            PillarResult(
                pillar.code,
                pillar.weight,
                row.status if row else INSUFFICIENT,
                row.score if row else None,
                row.stage if row else None,
                row.coverage if row else 0.0,
                live.answered,
                live.total,
                row.scored if row and row.scored is not None else live.scored,
                live.not_applicable_share,
            )
        )
    applicable = [p for p in pillars if p.status != NOT_APPLICABLE_PILLAR]
    weight = sum(p.weight for p in applicable)
    coverage = sum(p.weight for p in applicable if p.status == SCORED) / weight if weight else 0.0
    return AssessmentResult(
        SCORED if assessment.overall_score is not None else INSUFFICIENT,
        assessment.overall_score,
        assessment.overall_stage,
        coverage,
        tuple(pillars),
        sum(p.answered for p in pillars),
        sum(p.total for p in pillars),
    )


def _changes(assessment: Assessment, previous: Assessment | None) -> dict[str, float]:
    if previous is None or previous.framework_version_id != assessment.framework_version_id:
        return {}
    return {code: row.score for code, row in services.stored_pillar_scores(previous).items() if row.score is not None}


def build_results(assessment: Assessment) -> dict:
    """Everything the results template shows."""
    definition = assessment.framework_version.definition
    inputs = services.scoring_inputs(assessment)
    result = scored_result(assessment, inputs)
    answers = services.answers_by_code(assessment)
    previous = services.previous_assessment(assessment)
    earlier = _changes(assessment, previous)
    rows = [
        PillarRow(
            p.code,
            _(definition.known_pillar(p.code).title),
            p,
            None if p.score is None or p.code not in earlier else p.score - earlier[p.code],
        )
        for p in result.pillars
    ]
    series = [RadarSeries(_("%(year)s assessment", year=assessment.cycle.year), tuple(r.result.score for r in rows))]
    if earlier and previous is not None:  # earlier scores come from the previous assessment
        series.append(
            RadarSeries(_("%(year)s assessment", year=previous.cycle.year), tuple(earlier.get(r.code) for r in rows))
        )
    figure = radar_figure(
        [r.title for r in rows],
        series,
        [str(s) for s in STAGE_NAMES.values()],
        _("Score by pillar (0-100)"),
        rtl=text_direction() == "rtl",
        number_format=lambda score: format_decimal(score, format="#,##0.#"),
    )
    dont_know = [
        definition.indicator(c)
        for c, a in answers.items()
        if a.state == AnswerState.DONT_KNOW and definition.known_indicator(c).is_maturity
    ]
    return {
        "definition": definition,
        "result": result,
        "rows": rows,
        "figure": figure,
        "overall_stage_name": stage_name(result.stage),
        "priorities": [(definition.indicator(p.code), p) for p in services.priorities(assessment, inputs)],
        "dont_know": dont_know,
        "facts": [(i, format_fact(i, a)) for i, a in services.facts(definition, answers)],
        "previous": previous,
        "comparable": bool(earlier),
        "overall_change": (
            result.score - previous.overall_score
            if earlier and previous is not None and result.score is not None and previous.overall_score is not None
            else None
        ),
    }
