"""The scoring methodology, checked against hand-computed cases."""

import pytest

from survey.methodology.scoring import (
    DONT_KNOW,
    INSUFFICIENT,
    LEVEL,
    MAX_NOT_APPLICABLE_SHARE,
    NOT_APPLICABLE,
    SCORED,
    IndicatorInput,
    PillarInput,
    level_score,
    needs_reason,
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


@pytest.mark.parametrize(
    ("score", "stage"),
    [
        (0, 1),
        (12.49, 1),
        (12.5, 2),
        (37.49, 2),
        (37.5, 3),
        (50, 3),
        (62.5, 4),
        (87.49, 4),
        (87.5, 5),
        (100, 5),
    ],
)
def test_stage_is_the_nearest_level(score, stage):
    assert stage_for_score(score) == stage


def test_pillar_score_is_the_weighted_mean_of_answered_levels():
    # (2 * 50 + 1 * 75 + 1 * 0) / 4 = 43.75
    result = score_pillar(pillar(lvl("a", 3, 2), lvl("b", 4), lvl("c", 1)))
    assert result.status == SCORED
    assert result.score == pytest.approx(43.75)
    assert result.stage == 3
    assert result.coverage == 1


def na(code, weight=1.0):
    return IndicatorInput(code, weight, NOT_APPLICABLE)


def test_a_rare_not_applicable_leaves_the_mean_of_the_other_indicators():
    with_na = score_pillar(pillar(lvl("a", 4), lvl("b", 4), lvl("c", 2), lvl("d", 4), na("e")))
    assert with_na.score == pytest.approx(62.5)
    assert with_na.coverage == 1
    assert (with_na.answered, with_na.scored, with_na.total) == (5, 4, 5)
    assert with_na.not_applicable_share == pytest.approx(0.2)


def test_not_applicable_up_to_thirty_per_cent_of_the_weight_keeps_the_score():
    assert MAX_NOT_APPLICABLE_SHARE == 0.3
    # 3 of 10 equal weights is exactly the share allowed; 4 of 10 is above it.
    at_limit = score_pillar(pillar(*(lvl(f"l{n}", 3) for n in range(7)), na("x"), na("y"), na("z")))
    assert at_limit.status == SCORED and at_limit.score == 50
    above = score_pillar(pillar(*(lvl(f"l{n}", 3) for n in range(6)), na("w"), na("x"), na("y"), na("z")))
    assert above.status == INSUFFICIENT and above.score is None
    assert (above.scored, above.total) == (6, 10)


def test_the_not_applicable_share_is_by_weight():
    # One heavy indicator declared not applicable is 3 of 5 in weight: too much.
    result = score_pillar(pillar(lvl("a", 4), lvl("b", 4), na("c", weight=3)))
    assert result.not_applicable_share == pytest.approx(0.6)
    assert result.status == INSUFFICIENT


def test_a_country_cannot_raise_a_pillar_score_by_declaring_its_weak_indicators_not_applicable():
    honest_levels = [1, 1, 1, 2, 4, 4, 5, 5, 5, 5]  # ten equal indicators, four of them weak
    honest = score_pillar(pillar(*(lvl(f"i{n}", level) for n, level in enumerate(honest_levels))))
    assert honest.score == pytest.approx(57.5)
    # Declaring the four weak ones N/A would give 91.7, Dynamic: the pillar has insufficient data instead.
    gamed = score_pillar(
        pillar(*(na(f"i{n}") if level <= 2 else lvl(f"i{n}", level) for n, level in enumerate(honest_levels)))
    )
    assert gamed.status == INSUFFICIENT and gamed.score is None


def test_beyond_the_share_no_choice_of_not_applicable_indicators_gives_a_higher_score():
    levels = [1, 2, 2, 3, 3, 4, 5, 5]
    honest = score_pillar(pillar(*(lvl(f"i{n}", level) for n, level in enumerate(levels)))).score
    for mask in range(1 << len(levels)):
        declared = [n for n in range(len(levels)) if mask >> n & 1]
        result = score_pillar(
            pillar(*(na(f"i{n}") if n in declared else lvl(f"i{n}", level) for n, level in enumerate(levels)))
        )
        if len(declared) / len(levels) > MAX_NOT_APPLICABLE_SHARE:
            assert result.score is None, declared
        elif result.score is not None and result.score > honest:
            # Within the share a weak N/A still lifts the mean, by at most the share of the weight.
            assert result.score - honest <= MAX_NOT_APPLICABLE_SHARE * 100, declared


def test_not_applicable_and_dont_know_need_a_reason():
    assert needs_reason(NOT_APPLICABLE, "") and needs_reason(DONT_KNOW, "   ")
    assert not needs_reason(NOT_APPLICABLE, "No such body exists under our constitution")
    assert not needs_reason(LEVEL, "") and not needs_reason(None, "")


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


def test_a_pillar_entirely_not_applicable_has_insufficient_data():
    result = score_assessment([pillar(na("a"), na("b"))])
    assert result.pillars[0].status == INSUFFICIENT
    assert result.status == INSUFFICIENT
    assert result.completeness == 1


def test_one_indicator_is_enough_for_a_score():
    result = score_assessment([pillar(lvl("a", 2))])
    assert (result.score, result.stage, result.completeness) == (25, 2, 1)


def test_a_pillar_declared_not_applicable_still_counts_against_the_overall_coverage():
    result = score_assessment(
        [
            pillar(lvl("a", 5), code="x"),
            pillar(lvl("b", 3), code="y"),
            pillar(na("c"), code="z"),
        ]
    )
    assert result.status == INSUFFICIENT  # two thirds of the weight scored, below three quarters
    assert result.coverage == pytest.approx(2 / 3)


def test_the_overall_score_is_scored_on_the_indicators_of_the_scored_pillars():
    result = score_assessment(
        [
            pillar(lvl("a", 5), lvl("b", 3), IndicatorInput("c", 1, DONT_KNOW), code="x"),
            pillar(lvl("d", 4), code="y"),
            pillar(lvl("e", 4), code="z"),
            pillar(lvl("f", 4), IndicatorInput("g", 1, DONT_KNOW), IndicatorInput("h", 1, DONT_KNOW), code="w"),
        ]
    )
    assert [p.scored for p in result.pillars] == [2, 1, 1, 1]
    assert result.pillars[3].status == INSUFFICIENT
    assert (result.scored, result.total) == (4, 8)


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
    assert (a.scored, a.total, a.not_applicable_share) == (2, 4, pytest.approx(0.2))
    assert (result.scored, result.total) == (5, 10)
    page = client.get("/methodology").get_data(as_text=True)
    assert "58.3" in page and "87.5" in page and "65.3" in page
    assert "scored on 2 of 4 indicators" in page and "scored on 5 of 10 indicators" in page
    assert "more than 30%" in page


def test_the_methodology_page_shows_what_declaring_a_weak_indicator_not_applicable_does(client):
    from survey.pages.views import WHAT_IF_PILLAR

    assert score_pillar(WHAT_IF_PILLAR).status == INSUFFICIENT
    page = client.get("/methodology").get_data(as_text=True)
    what_if = page[page.index("What if a weak indicator") :]
    assert "Insufficient data: no score." in what_if and "100.0" not in what_if


def test_priorities_are_the_weakest_indicators_heaviest_first():
    indicators = [
        ("p", lvl("a", 3)),
        ("p", lvl("b", 1)),
        ("q", lvl("c", 1, 2)),
        ("q", lvl("d", 5)),
        ("q", IndicatorInput("e", 1, DONT_KNOW)),
    ]
    assert [p.code for p in priority_needs(indicators, limit=3)] == ["c", "b", "a"]
