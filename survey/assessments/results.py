"""Assembling the results page from the scores, the answers and the previous cycle."""

from __future__ import annotations

from dataclasses import dataclass

from babel import numbers
from flask_babel import format_currency, format_decimal, get_locale
from flask_babel import gettext as _

from survey.assessments import services
from survey.assessments.charts import RadarSeries, radar_figure
from survey.assessments.models import Answer, AnswerState, Assessment
from survey.frameworks.definition import IndicatorDef
from survey.frameworks.labels import STAGE_NAMES, stage_name
from survey.i18n.locale import text_direction
from survey.methodology.scoring import PillarResult


@dataclass(frozen=True)
class PillarRow:
    """One line of the pillar table."""

    code: str
    title: str
    result: PillarResult
    change: float | None


def format_fact(indicator: IndicatorDef, answer: Answer | None) -> str:
    """A fact's value as the reader expects it written."""
    if answer is None or answer.state is None:
        return _("Not answered")
    if answer.state == AnswerState.DONT_KNOW:
        return _("Don't know")
    if indicator.fact_type == "boolean":
        return _("Yes") if answer.bool_value else _("No")
    value = answer.number_value
    if indicator.fact_type == "money":
        return format_currency(value, answer.currency or "USD")
    if indicator.fact_type == "percent":
        # The locale's own pattern ("24 %" in French), keeping up to one decimal.
        return numbers.format_percent(round(value, 1) / 100, locale=get_locale(), decimal_quantization=False)
    text = format_decimal(value, format="#,##0")
    return f"{text} {_(indicator.unit)}" if indicator.unit else text


def _changes(assessment: Assessment, previous: Assessment | None) -> dict[str, float]:
    if previous is None or previous.framework_version_id != assessment.framework_version_id:
        return {}
    return {code: row.score for code, row in services.stored_pillar_scores(previous).items()
            if row.score is not None}


def build_results(assessment: Assessment) -> dict:
    """Everything the results template shows."""
    definition = assessment.framework_version.definition
    inputs = services.scoring_inputs(assessment)
    result = services.score_assessment(inputs)
    answers = services.answers_by_code(assessment)
    previous = services.previous_assessment(assessment)
    earlier = _changes(assessment, previous)
    rows = [PillarRow(p.code, _(definition.pillar(p.code).title), p,
                      None if p.score is None or p.code not in earlier else p.score - earlier[p.code])
            for p in result.pillars]
    series = [RadarSeries(_("%(year)s assessment", year=assessment.cycle.year),
                          tuple(r.result.score for r in rows))]
    if earlier:
        series.append(RadarSeries(_("%(year)s assessment", year=previous.cycle.year),
                                  tuple(earlier.get(r.code) for r in rows)))
    figure = radar_figure([r.title for r in rows], series, [str(s) for s in STAGE_NAMES.values()],
                          _("Score by pillar (0-100)"), rtl=text_direction() == "rtl",
                          number_format=lambda score: format_decimal(score, format="#,##0.#"))
    dont_know = [definition.indicator(c) for c, a in answers.items()
                 if a.state == AnswerState.DONT_KNOW and definition.indicator(c).is_maturity]
    return {
        "definition": definition, "result": result, "rows": rows, "figure": figure,
        "overall_stage_name": stage_name(result.stage),
        "priorities": [(definition.indicator(p.code), p) for p in services.priorities(assessment, inputs)],
        "dont_know": dont_know,
        "facts": [(i, format_fact(i, a)) for i, a in services.facts(definition, answers)],
        "previous": previous,
        "comparable": bool(earlier),
        "overall_change": (result.score - previous.overall_score
                           if earlier and result.score is not None and previous.overall_score is not None
                           else None),
    }
