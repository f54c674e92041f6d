"""CyberReady scoring methodology: pure functions over plain data.

1. Each maturity indicator answered with a level gets a score:
   Start-up 0, Formative 25, Established 50, Strategic 75, Dynamic 100.
2. "Not applicable" removes the indicator from its pillar: it counts as answered
   and neither raises nor lowers the score.
3. "Don't know" counts as answered for progress, but it is not evidence: it adds
   no score and counts as missing data when judging whether a pillar has enough data.
4. A pillar's score is the weighted mean of its scored indicators. Its coverage is the
   weight of scored indicators divided by the weight of applicable (not N/A) ones.
   Below MIN_PILLAR_COVERAGE the pillar shows "insufficient data" instead of a number;
   when every indicator is N/A the pillar is "not applicable".
5. The overall score is the weighted mean of scored pillars, provided they carry at least
   MIN_OVERALL_COVERAGE of the weight of applicable pillars; otherwise "insufficient data".
6. A score maps to the stage whose level score is nearest (bands of 25 points centred
   on 0, 25, 50, 75 and 100).
7. Facts (budgets, staff, counts) are shown next to the scores and never scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LEVEL_SCORES = {1: 0.0, 2: 25.0, 3: 50.0, 4: 75.0, 5: 100.0}
MIN_PILLAR_COVERAGE = 0.5
MIN_OVERALL_COVERAGE = 0.75
# Upper bounds (exclusive) of stages 1-4; anything at or above the last is stage 5.
STAGE_UPPER_BOUNDS = (12.5, 37.5, 62.5, 87.5)

LEVEL = "level"
NOT_APPLICABLE = "na"
DONT_KNOW = "dont_know"

SCORED = "scored"
INSUFFICIENT = "insufficient"
NOT_APPLICABLE_PILLAR = "not_applicable"


@dataclass(frozen=True)
class IndicatorInput:
    """An indicator's weight and answer (state None means unanswered)."""

    code: str
    weight: float
    state: str | None = None
    level: int | None = None

    @property
    def is_scored(self) -> bool:
        """Answered with a level."""
        return self.state == LEVEL and self.level in LEVEL_SCORES


@dataclass(frozen=True)
class PillarInput:
    """A pillar's weight and its maturity indicators."""

    code: str
    weight: float
    indicators: tuple[IndicatorInput, ...]


@dataclass(frozen=True)
class PillarResult:
    """A pillar's score (None unless status is 'scored'), stage and data coverage."""

    code: str
    weight: float
    status: str
    score: float | None
    stage: int | None
    coverage: float
    answered: int
    total: int


@dataclass(frozen=True)
class AssessmentResult:
    """Overall score and stage, the pillar results and completeness."""

    status: str
    score: float | None
    stage: int | None
    coverage: float
    pillars: tuple[PillarResult, ...]
    answered: int
    total: int

    @property
    def completeness(self) -> float:
        """Share of maturity indicators answered (a level, N/A or don't know), 0-1."""
        return self.answered / self.total if self.total else 0.0


def level_score(level: int) -> float:
    """Score 0-100 of a maturity level 1-5."""
    if level not in LEVEL_SCORES:
        raise ValueError(f"unknown level {level!r}")
    return LEVEL_SCORES[level]


def stage_for_score(score: float) -> int:
    """Stage 1-5 whose level score is nearest to this 0-100 score."""
    for stage, upper in enumerate(STAGE_UPPER_BOUNDS, start=1):
        if score < upper:
            return stage
    return 5


def _weighted_mean(pairs: Sequence[tuple[float, float]]) -> float:
    total_weight = sum(weight for weight, _ in pairs)
    return sum(weight * value for weight, value in pairs) / total_weight


def score_pillar(pillar: PillarInput) -> PillarResult:
    """Score one pillar from its indicators' answers."""
    answered = sum(1 for i in pillar.indicators if i.state is not None)
    applicable = [i for i in pillar.indicators if i.state != NOT_APPLICABLE]
    scored = [i for i in applicable if i.is_scored]
    common = dict(code=pillar.code, weight=pillar.weight, answered=answered,
                  total=len(pillar.indicators))
    applicable_weight = sum(i.weight for i in applicable)
    if not applicable or applicable_weight <= 0:
        return PillarResult(status=NOT_APPLICABLE_PILLAR, score=None, stage=None,
                            coverage=0.0, **common)
    coverage = sum(i.weight for i in scored) / applicable_weight
    if not scored or coverage < MIN_PILLAR_COVERAGE:
        return PillarResult(status=INSUFFICIENT, score=None, stage=None,
                            coverage=coverage, **common)
    score = _weighted_mean([(i.weight, level_score(i.level)) for i in scored])
    return PillarResult(status=SCORED, score=score, stage=stage_for_score(score),
                        coverage=coverage, **common)


def score_assessment(pillars: Sequence[PillarInput]) -> AssessmentResult:
    """Score every pillar, then the overall score from the scored pillars."""
    results = tuple(score_pillar(p) for p in pillars)
    applicable = [r for r in results if r.status != NOT_APPLICABLE_PILLAR]
    scored = [r for r in applicable if r.status == SCORED]
    answered = sum(r.answered for r in results)
    total = sum(r.total for r in results)
    applicable_weight = sum(r.weight for r in applicable)
    coverage = sum(r.weight for r in scored) / applicable_weight if applicable_weight else 0.0
    if not scored or coverage < MIN_OVERALL_COVERAGE:
        return AssessmentResult(INSUFFICIENT, None, None, coverage, results, answered, total)
    score = _weighted_mean([(r.weight, r.score) for r in scored])
    return AssessmentResult(SCORED, score, stage_for_score(score), coverage, results,
                            answered, total)


@dataclass(frozen=True)
class Priority:
    """An indicator the country should strengthen first."""

    code: str
    pillar_code: str
    level: int
    weight: float


def priority_needs(indicators: Sequence[tuple[str, IndicatorInput]], limit: int = 5) -> list[Priority]:
    """Weakest scored indicators first (lowest level, then heaviest weight), below Dynamic."""
    candidates = [
        Priority(ind.code, pillar_code, ind.level, ind.weight)
        for pillar_code, ind in indicators
        if ind.is_scored and ind.level < 5
    ]
    candidates.sort(key=lambda p: (p.level, -p.weight))
    return candidates[:limit]
