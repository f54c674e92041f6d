"""The scoring methodology, checked against hand-computed cases."""

import pytest

from survey.methodology.scoring import (
    DONT_KNOW,
    INSUFFICIENT,
    LEVEL,
    NOT_APPLICABLE,
    NOT_APPLICABLE_PILLAR,
    SCORED,
    IndicatorInput,
    PillarInput,
    level_score,
    priority_needs,
    score_assessment,
    score_pillar,
    stage_for_score,
)


def lvl(code, level, weight=1.0):
    return IndicatorInput(code, weight, LEVEL, level)


def pillar(*indicators, code="p", weight=1.0):
    return PillarInput(code, weight, tuple(indicators))


def test_levels_map_to_quarter_steps_from_0_to_100():
    assert [level_score(level) for level in range(1, 6)] == [0, 25, 50, 75, 100]
    with pytest.raises(ValueError):
        level_score(6)


@pytest.mark.parametrize(("score", "stage"), [
    (0, 1), (12.49, 1), (12.5, 2), (37.49, 2), (37.5, 3), (50, 3), (62.5, 4), (87.49, 4), (87.5, 5), (100, 5),
])
def test_stage_is_the_nearest_level(score, stage):
    assert stage_for_score(score) == stage


def test_pillar_score_is_the_weighted_mean_of_answered_levels():
    # (2 * 50 + 1 * 75 + 1 * 0) / 4 = 43.75
    result = score_pillar(pillar(lvl("a", 3, 2), lvl("b", 4), lvl("c", 1)))
    assert result.status == SCORED
    assert result.score == pytest.approx(43.75)
    assert result.stage == 3
    assert result.coverage == 1


def test_not_applicable_neither_raises_nor_lowers_the_score():
    with_na = score_pillar(pillar(lvl("a", 4), IndicatorInput("b", 1, NOT_APPLICABLE)))
    assert with_na.score == 75
    assert with_na.coverage == 1
    assert with_na.answered == 2


def test_dont_know_counts_as_answered_but_as_missing_data():
    result = score_pillar(pillar(lvl("a", 5), lvl("b", 3), IndicatorInput("c", 1, DONT_KNOW)))
    assert result.answered == 3
    assert result.score == 75  # (100 + 50) / 2: "don't know" adds nothing
    assert result.coverage == pytest.approx(2 / 3)


def test_pillar_with_too_little_data_shows_insufficient_instead_of_a_number():
    result = score_pillar(pillar(lvl("a", 5), IndicatorInput("b", 1, DONT_KNOW), IndicatorInput("c", 1)))
    assert result.status == INSUFFICIENT
    assert result.score is None and result.stage is None
    assert result.coverage == pytest.approx(1 / 3)


def test_nothing_answered_gives_insufficient_data_and_zero_completeness():
    result = score_assessment([pillar(IndicatorInput("a", 1), IndicatorInput("b", 1))])
    assert result.status == INSUFFICIENT
    assert result.score is None
    assert result.completeness == 0
    assert result.pillars[0].status == INSUFFICIENT


def test_everything_not_applicable_makes_the_pillar_not_applicable_and_no_overall_score():
    na = IndicatorInput("a", 1, NOT_APPLICABLE)
    result = score_assessment([pillar(na, IndicatorInput("b", 1, NOT_APPLICABLE))])
    assert result.pillars[0].status == NOT_APPLICABLE_PILLAR
    assert result.status == INSUFFICIENT
    assert result.completeness == 1


def test_one_indicator_is_enough_for_a_score():
    result = score_assessment([pillar(lvl("a", 2))])
    assert (result.score, result.stage, result.completeness) == (25, 2, 1)


def test_not_applicable_pillar_is_left_out_of_the_overall_score():
    result = score_assessment([
        pillar(lvl("a", 5), code="x"),
        pillar(lvl("b", 3), code="y"),
        pillar(IndicatorInput("c", 1, NOT_APPLICABLE), code="z"),
    ])
    assert result.score == 75
    assert result.coverage == 1


def test_overall_needs_three_quarters_of_the_pillar_weight():
    scored = pillar(lvl("a", 4), code="x")
    missing = pillar(IndicatorInput("b", 1, DONT_KNOW), code="y")
    assert score_assessment([scored, missing]).status == INSUFFICIENT  # 50 per cent
    result = score_assessment([scored, scored, scored, missing])  # 75 per cent
    assert result.status == SCORED
    assert result.score == 75


def test_pillar_weights_apply_to_the_overall_score():
    result = score_assessment([pillar(lvl("a", 5), code="x", weight=3), pillar(lvl("b", 1), code="y")])
    assert result.score == pytest.approx(75)  # (3 * 100 + 1 * 0) / 4


def test_worked_example_on_the_methodology_page(client):
    from survey.pages.views import EXAMPLE_PILLARS

    result = score_assessment(EXAMPLE_PILLARS)
    a, b, c, d = result.pillars
    assert a.score == pytest.approx(175 / 3) and a.stage == 3  # (2*50 + 75) / 3
    assert b.status == INSUFFICIENT
    assert c.score == 87.5 and c.stage == 5
    assert d.score == 50
    assert result.score == pytest.approx((175 / 3 + 87.5 + 50) / 3)
    assert result.stage == 4
    page = client.get("/methodology").get_data(as_text=True)
    assert "58.3" in page and "87.5" in page and "65.3" in page


def test_priorities_are_the_weakest_indicators_heaviest_first():
    indicators = [("p", lvl("a", 3)), ("p", lvl("b", 1)), ("q", lvl("c", 1, 2)), ("q", lvl("d", 5)),
                  ("q", IndicatorInput("e", 1, DONT_KNOW))]
    assert [p.code for p in priority_needs(indicators, limit=3)] == ["c", "b", "a"]
