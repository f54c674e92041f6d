"""CyberReady scoring methodology: pure functions over plain data.

1. Each maturity indicator answered with a level gets a score:
   Start-up 0, Formative 25, Established 50, Strategic 75, Dynamic 100.
2. "Not applicable" takes the indicator out of its pillar's mean, so it must stay rare and
   be justified: the answer needs a short reason (`needs_reason`) and the validator sees it
   flagged. When "not applicable" indicators carry more than MAX_NOT_APPLICABLE_SHARE (30 %)
   of a pillar's indicator weight, the pillar shows "insufficient data" instead of a score:
   declaring weak indicators not applicable beyond that share cannot lift a pillar, and a
   pillar declared wholly not applicable is a pillar without data (it counts against the
   overall coverage). Below the share, the reason and the validator's decision are the check.
3. "Don't know" counts as answered for progress, but it is not evidence: it adds no score,
   needs a reason as "not applicable" does, and counts as missing data when judging whether
   a pillar has enough data.
4. A pillar's score is the weighted mean of its scored indicators. Its coverage is the
   weight of scored indicators divided by the weight of applicable (not N/A) ones.
   Below MIN_PILLAR_COVERAGE the pillar shows "insufficient data" instead of a number.
   Every score is shown as "scored on X of Y indicators": X answered with a level, Y in all.
5. The overall score is the weighted mean of scored pillars, provided they carry at least
   MIN_OVERALL_COVERAGE of the weight of all pillars; otherwise "insufficient data".
   It is scored on the indicators of the scored pillars.
6. A score maps to the stage whose level score is nearest (bands of 25 points centred
   on 0, 25, 50, 75 and 100).
7. Facts (budgets, staff, counts) are shown next to the scores and never scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

LEVEL_SCORES = {1: 0.0, 2: 25.0, 3: 50.0, 4: 75.0, 5: 100.0}
MIN_PILLAR_COVERAGE = 0.5
MIN_OVERALL_COVERAGE = 0.75
MAX_NOT_APPLICABLE_SHARE = 0.3
# Upper bounds (exclusive) of stages 1-4; anything at or above the last is stage 5.
STAGE_UPPER_BOUNDS = (12.5, 37.5, 62.5, 87.5)

LEVEL = "level"
NOT_APPLICABLE = "na"
DONT_KNOW = "dont_know"

REASON_STATES = frozenset({NOT_APPLICABLE, DONT_KNOW})

SCORED = "scored"
INSUFFICIENT = "insufficient"
# No longer given: an all-N/A pillar has insufficient data. Pillar scores stored before still carry it.
NOT_APPLICABLE_PILLAR = "not_applicable"
# Shares are compared with this margin, so 3 of 10 equal weights is exactly 30 %, not above it.
EPSILON = 1e-9


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
    """A pillar's score (None unless status is 'scored'), stage, data coverage and counts.

    `scored` indicators have a level, `total` is every maturity indicator of the pillar, and
    `not_applicable_share` is the share of the pillar's indicator weight declared not applicable.
    """

    code: str
    weight: float
    status: str
    score: float | None
    stage: int | None
    coverage: float
    answered: int
    total: int
    scored: int
    not_applicable_share: float


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

    @property
    def scored(self) -> int:
        """Indicators the overall score rests on: those with a level in the scored pillars."""
        return sum(p.scored for p in self.pillars if p.status == SCORED)


def needs_reason(state: str | None, reason: str | None) -> bool:
    """Whether an answer lacks the reason "not applicable" and "don't know" must give."""
    return state in REASON_STATES and not (reason or "").strip()


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
    total_weight = sum(i.weight for i in pillar.indicators)
    applicable_weight = sum(i.weight for i in applicable)
    na_share = 1 - applicable_weight / total_weight if total_weight > 0 else 0.0
    coverage = sum(i.weight for i in scored) / applicable_weight if applicable_weight > 0 else 0.0
    common: dict[str, Any] = dict(
        code=pillar.code,
        weight=pillar.weight,
        coverage=coverage,
        answered=answered,
        total=len(pillar.indicators),
        scored=len(scored),
        not_applicable_share=na_share,
    )
    if na_share > MAX_NOT_APPLICABLE_SHARE + EPSILON or not scored or coverage < MIN_PILLAR_COVERAGE - EPSILON:
        return PillarResult(status=INSUFFICIENT, score=None, stage=None, **common)
    # `is_scored` guarantees a level; the test is for the type checker.
    score = _weighted_mean([(i.weight, level_score(i.level)) for i in scored if i.level is not None])
    return PillarResult(status=SCORED, score=score, stage=stage_for_score(score), **common)


def score_assessment(pillars: Sequence[PillarInput]) -> AssessmentResult:
    """Score every pillar, then the overall score from the scored pillars."""
    results = tuple(score_pillar(p) for p in pillars)
    scored = [r for r in results if r.status == SCORED]
    answered = sum(r.answered for r in results)
    total = sum(r.total for r in results)
    total_weight = sum(r.weight for r in results)
    coverage = sum(r.weight for r in scored) / total_weight if total_weight > 0 else 0.0
    if not scored or coverage < MIN_OVERALL_COVERAGE - EPSILON:
        return AssessmentResult(INSUFFICIENT, None, None, coverage, results, answered, total)
    score = _weighted_mean([(r.weight, r.score) for r in scored if r.score is not None])
    return AssessmentResult(SCORED, score, stage_for_score(score), coverage, results, answered, total)


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
        if ind.is_scored and ind.level is not None and ind.level < 5
    ]
    candidates.sort(key=lambda p: (p.level, -p.weight))
    return candidates[:limit]
