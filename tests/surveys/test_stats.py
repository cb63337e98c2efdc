"""Survey statistics against hand-worked values: Wilson intervals, small-number suppression, raking, Kish's
effective sample size, and how a survey's design decides what is reported.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.intervals import wilson_interval
from panels import census
from surveys.stats import (
    OPT_IN_NOTE,
    RakingError,
    SamplingDesign,
    Suppression,
    design_effect,
    effective_sample_size,
    rake,
    reporting_for,
    suppress_table,
    weighted_margins,
    weighted_proportion,
)

P = Suppression.PRIMARY
S = Suppression.SECONDARY

# --- Wilson ----------------------------------------------------------------------------------------------------------


def test_wilson_matches_the_hand_computed_interval_for_81_of_263():
    # p = 81/263 = 0.307985; z = 1.959964, z² = 3.841459, z²/n = 0.014606.
    # centre = (p + z²/2n) / (1 + z²/n) = (0.307985 + 0.007303) / 1.014606 = 0.310749
    # half = z/(1 + z²/n) · √(p(1−p)/n + z²/4n²) = 1.931748 · √(0.00081038 + 0.00001388) = 1.931748 · 0.028710
    #      = 0.055460, so the interval is 0.310749 ± 0.055460 = (0.255289, 0.366209).
    low, high = wilson_interval(81, 263)  # type: ignore[misc]
    assert low == pytest.approx(0.255289, abs=1e-6)
    assert high == pytest.approx(0.366210, abs=1e-6)


def test_wilson_for_none_of_ten_starts_at_zero():
    # With p = 0 the centre and the half-width are both (z²/2n)/(1 + z²/n), so low = 0 and
    # high = z²/(n + z²) = 3.841459 / 13.841459 = 0.277533.
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.277533, abs=1e-6))


def test_wilson_for_all_of_ten_mirrors_none_of_ten():
    assert wilson_interval(10, 10) == (pytest.approx(1 - 0.277533, abs=1e-6), 1.0)


def test_wilson_is_none_without_respondents():
    assert wilson_interval(0, 0) is None


def test_wilson_rejects_more_successes_than_trials():
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(11, 10)


@given(n=st.integers(min_value=1, max_value=100_000), data=st.data())
def test_wilson_bounds_lie_in_zero_one_and_contain_the_share(n, data):
    k = data.draw(st.integers(min_value=0, max_value=n))
    low, high = wilson_interval(k, n)  # type: ignore[misc]
    assert 0.0 <= low <= k / n <= high <= 1.0


def test_a_wilson_interval_by_hand():
    # 81 of 263: p = 0.307985; z² = 3.841459; centre = (p + z²/2n) / (1 + z²/n) = 0.315288 / 1.014606 = 0.310749;
    # half-width = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²) = 1.931748 · 0.028710 = 0.055461.
    assert wilson_interval(81, 263) == pytest.approx((0.255289, 0.366210), abs=1e-6)


# --- Suppression -----------------------------------------------------------------------------------------------------


def test_it_shows_a_table_with_no_small_counts_as_it_is():
    table = suppress_table([[10, 25], [40, 12]])
    assert not table.any_suppressed
    assert table.masked() == [[10, 25], [40, 12]]
    assert table.row_totals == (None, None)
    assert table.column_totals == (None, None)
    assert table.grand_total is None


def test_it_suppresses_counts_under_ten_including_zero():
    table = suppress_table([[9, 0], [3, 1]])
    assert table.cells == ((P, P), (P, P))


def test_a_lone_small_count_takes_a_neighbour_with_it_in_its_row_and_column():
    # Agree/Disagree by two groups. The 4 alone would be recoverable from the row total (4 + 30) and from the
    # column total (4 + 20), so the next smallest in its row (30) is hidden; that leaves 30 alone in column 2, so
    # 50 goes too, and then the 20 pairs with 4 in column 1 and 50 in row 2 in the same way.
    table = suppress_table([[4, 30], [20, 50]])
    assert table.cells == ((P, S), (S, S))
    assert table.masked() == [[None, None], [None, None]]


def test_secondary_suppression_prefers_the_cell_that_closes_the_rectangle():
    # Row 1's lone 3 takes its smallest neighbour, 40. Column 2 then hides 15 (smaller than 30). Column 3 has the
    # 40 alone: 60 is taken before the smaller 25 because row 3 already has a lone hidden cell (the 15), so hiding
    # 60 mends both lines; taking 25 would have cascaded into hiding 20 and 12 as well.
    table = suppress_table([[50, 3, 40], [20, 30, 25], [12, 15, 60]])
    assert table.cells == ((None, P, S), (None, None, None), (None, S, S))
    assert table.masked() == [[50, None, None], [20, 30, 25], [12, None, None]]


def test_two_small_counts_in_a_line_protect_each_other():
    table = suppress_table([[5, 7, 40], [30, 30, 30]])
    assert table.cells == ((P, P, None), (S, S, None))


def test_a_single_column_hides_the_next_smallest_option_so_the_base_cannot_reveal_the_small_one():
    table = suppress_table([[5], [30], [40]])
    assert table.masked() == [[None], [None], [40]]
    assert table.cells == ((P,), (S,), (None,))
    assert table.column_totals == (None,)


def test_totals_under_ten_are_hidden_and_a_lone_hidden_total_takes_the_next_smallest_total():
    # Row 1 adds up to 8 (every cell hidden already); its total is hidden, and so is the smallest other row total
    # (35), or the grand total would give row 1's total away.
    table = suppress_table([[3, 5], [15, 20], [30, 40]])
    assert table.row_totals == (P, S, None)
    assert table.column_totals == (None, None)
    assert table.grand_total is None


def test_the_grand_total_is_hidden_when_under_ten():
    table = suppress_table([[2, 3]])
    assert table.grand_total is P


def test_suppression_rejects_ragged_and_negative_tables():
    with pytest.raises(ValueError, match="same number"):
        suppress_table([[10, 10], [10]])
    with pytest.raises(ValueError, match="negative"):
        suppress_table([[-1]])


@given(st.lists(st.lists(st.integers(min_value=0, max_value=40), min_size=3, max_size=3), min_size=1, max_size=6))
def test_no_row_or_column_is_left_with_a_single_hidden_cell_unless_it_is_the_whole_line(rows):
    table = suppress_table(rows)
    lines = [list(row) for row in table.cells] + [list(column) for column in zip(*table.cells, strict=True)]
    for line in lines:
        hidden = sum(1 for flag in line if flag)
        assert hidden != 1 or len(line) == 1
    for row, flags in zip(rows, table.cells, strict=True):
        for count, flag in zip(row, flags, strict=True):
            assert (flag is P) == (count < 10)


# --- Raking ----------------------------------------------------------------------------------------------------------


def _people(cells: dict[tuple[str, str], int]) -> list[dict[str, str | None]]:
    return [{"sex": sex, "age": age} for (sex, age), count in cells.items() for _ in range(count)]


def test_raking_an_independent_sample_gives_the_product_of_the_margins():
    # One respondent in each cell, so raking keeps the cells independent: the raked cell shares are the products of
    # the margins, 0.4·0.3 = 0.12, 0.4·0.7 = 0.28, 0.6·0.3 = 0.18, 0.6·0.7 = 0.42, and with weights averaging 1 over
    # four people each weight is 4 × its cell share.
    people = _people({("M", "Y"): 1, ("M", "O"): 1, ("F", "Y"): 1, ("F", "O"): 1})
    result = rake(people, {"sex": {"M": 0.4, "F": 0.6}, "age": {"Y": 0.3, "O": 0.7}})
    assert result.weights == pytest.approx((0.48, 1.12, 0.72, 1.68), abs=1e-6)


def test_raking_converges_to_the_known_two_by_two_solution():
    # Sample: M-young 2, M-old 1, F-young 1, F-old 2 (n = 6), odds ratio (2·2)/(1·1) = 4. Raking keeps the odds
    # ratio, so the raked cell shares x with rows (M, F) summing to (0.5, 0.5) and columns (Y, O) to (0.4, 0.6) are
    # x = [[t, 0.5 − t], [0.4 − t, 0.1 + t]] with t(0.1 + t) = 4(0.5 − t)(0.4 − t), i.e. 3t² − 3.7t + 0.8 = 0, so
    # t = (3.7 − √4.09)/6 = 0.279604. Each person's weight is 6 × cell share / people in the cell:
    # M-Y 0.279604·6/2 = 0.838812, M-O 0.220396·6 = 1.322375, F-Y 0.120396·6 = 0.722375, F-O 0.379604·6/2 = 1.138813.
    people = _people({("M", "Y"): 2, ("M", "O"): 1, ("F", "Y"): 1, ("F", "O"): 2})
    margins = {"sex": {"M": 0.5, "F": 0.5}, "age": {"Y": 0.4, "O": 0.6}}
    result = rake(people, margins, tolerance=1e-9)
    assert result.weights == pytest.approx((0.838812, 0.838812, 1.322375, 0.722375, 1.138813, 1.138813), abs=1e-5)
    assert sum(result.weights) == pytest.approx(6)
    assert result.max_gap <= 1e-9
    assert result.iterations > 1
    assert weighted_margins(people, result.weights, "sex") == pytest.approx({"M": 0.5, "F": 0.5}, abs=1e-9)
    assert weighted_margins(people, result.weights, "age") == pytest.approx({"Y": 0.4, "O": 0.6}, abs=1e-9)


def test_respondents_missing_a_dimension_are_left_out_of_its_adjustment():
    # Three said their sex, one preferred not to. The three are adjusted among themselves and keep their total
    # weight of 3: M gets 0.25·3/2 = 0.375 each, F 0.75·3/1 = 2.25; the fourth keeps 1. Total 4, so no rescaling.
    people: list[dict[str, str | None]] = [{"sex": "M"}, {"sex": "M"}, {"sex": "F"}, {"sex": None}]
    result = rake(people, {"sex": {"M": 0.25, "F": 0.75}})
    assert result.weights == pytest.approx((0.375, 0.375, 2.25, 1.0))
    assert result.iterations == 1


def test_a_respondent_missing_one_dimension_is_still_raked_on_the_others():
    people = _people({("M", "Y"): 2, ("M", "O"): 1, ("F", "Y"): 1, ("F", "O"): 2})
    people.append({"sex": "M", "age": None})
    margins = {"sex": {"M": 0.5, "F": 0.5}, "age": {"Y": 0.4, "O": 0.6}}
    result = rake(people, margins, tolerance=1e-9)
    # Sex is met over all seven; age over the six who gave it.
    assert weighted_margins(people, result.weights, "sex") == pytest.approx({"M": 0.5, "F": 0.5}, abs=1e-9)
    assert weighted_margins(people, result.weights, "age") == pytest.approx({"Y": 0.4, "O": 0.6}, abs=1e-9)
    # Every man's weight carries the same sex factor; the one without an age has no age factor, so his weight sits
    # between the young men's and the old men's.
    young_man, old_man, ageless_man = result.weights[0], result.weights[2], result.weights[6]
    assert min(young_man, old_man) < ageless_man < max(young_man, old_man)


def test_raking_to_census_counts_for_england_and_wales_meets_the_five_group_shares():
    population = census.population_by_five_group(census.ENGLAND_AND_WALES)
    groups = ["White"] * 40 + [g for g in ("Asian", "Black", "Mixed", "Other") for _ in range(15)] + [None]
    people: list[dict[str, str | None]] = [{"ethnicity": g} for g in groups]
    result = rake(people, {"ethnicity": population})
    total = sum(population.values())
    achieved = weighted_margins(people, result.weights, "ethnicity")
    assert achieved == pytest.approx({g: count / total for g, count in population.items()}, abs=1e-6)


def test_margins_given_as_counts_must_describe_the_same_population():
    people = _people({("M", "Y"): 1, ("M", "O"): 1, ("F", "Y"): 1, ("F", "O"): 1})
    margins = {"sex": {"M": 480, "F": 520}, "age": {"Y": 300, "O": 500}}
    with pytest.raises(RakingError, match="totals disagree"):
        rake(people, margins)
    result = rake(people, margins, normalise=True)
    assert weighted_margins(people, result.weights, "age") == pytest.approx({"Y": 0.375, "O": 0.625}, abs=1e-6)


def test_margins_as_counts_and_as_shares_give_the_same_weights():
    people = _people({("M", "Y"): 2, ("M", "O"): 1, ("F", "Y"): 1, ("F", "O"): 2})
    as_counts = rake(people, {"sex": {"M": 5000, "F": 5000}, "age": {"Y": 4000, "O": 6000}})
    as_shares = rake(people, {"sex": {"M": 0.5, "F": 0.5}, "age": {"Y": 0.4, "O": 0.6}})
    assert as_counts.weights == pytest.approx(as_shares.weights)


def test_it_cannot_rake_when_a_population_category_has_no_respondents():
    people: list[dict[str, str | None]] = [{"ethnicity": g} for g in ["White"] * 5 + ["Asian"] * 5]
    margins = {"ethnicity": {"White": 80, "Asian": 10, "Black": 10}}
    with pytest.raises(RakingError, match="no respondent is in ethnicity 'Black'"):
        rake(people, margins)


def test_it_cannot_rake_a_respondent_whose_category_is_not_in_the_margin():
    people: list[dict[str, str | None]] = [{"sex": "M"}, {"sex": "F"}, {"sex": "Non-binary"}]
    with pytest.raises(RakingError, match="not in the margin"):
        rake(people, {"sex": {"M": 0.5, "F": 0.5}})


def test_it_cannot_rake_people_into_a_category_whose_target_is_zero():
    people: list[dict[str, str | None]] = [{"sex": "M"}, {"sex": "F"}]
    with pytest.raises(RakingError, match="target is zero"):
        rake(people, {"sex": {"M": 1.0, "F": 0.0}})


def test_it_cannot_rake_on_a_dimension_nobody_answered():
    with pytest.raises(RakingError, match="nobody answered"):
        rake([{"sex": None}, {}], {"sex": {"M": 0.5, "F": 0.5}})


def test_it_says_so_when_raking_does_not_converge():
    people = _people({("M", "Y"): 2, ("M", "O"): 1, ("F", "Y"): 1, ("F", "O"): 2})
    with pytest.raises(RakingError, match="did not converge in 2 iterations"):
        rake(people, {"sex": {"M": 0.5, "F": 0.5}, "age": {"Y": 0.4, "O": 0.6}}, max_iterations=2, tolerance=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    extra=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3)), max_size=40),
    sex=st.lists(st.integers(1, 20), min_size=3, max_size=3),
    age=st.lists(st.integers(1, 20), min_size=4, max_size=4),
)
def test_raked_weights_are_positive_and_reproduce_the_margins(extra, sex, age):
    # Everyone in every cell at least once, so that a raked solution exists; then any extra people.
    cells = [(s, a) for s in range(3) for a in range(4)] + extra
    people: list[dict[str, str | None]] = [{"sex": f"s{s}", "age": f"a{a}"} for s, a in cells]
    margins = {
        "sex": {f"s{i}": float(v) for i, v in enumerate(sex)},
        "age": {f"a{i}": float(v) for i, v in enumerate(age)},
    }
    result = rake(people, margins, normalise=True, tolerance=1e-7, max_iterations=2000)
    assert all(w > 0 for w in result.weights)
    assert sum(result.weights) == pytest.approx(len(people))
    for dimension, margin in margins.items():
        total = sum(margin.values())
        expected = {category: value / total for category, value in margin.items()}
        assert weighted_margins(people, result.weights, dimension) == pytest.approx(expected, abs=1e-6)


# --- Kish ------------------------------------------------------------------------------------------------------------


def test_equal_weights_give_an_effective_sample_size_of_n():
    assert effective_sample_size([1.0] * 37) == pytest.approx(37)
    assert effective_sample_size([2.5] * 37) == pytest.approx(37)
    assert design_effect([1.0] * 37) == pytest.approx(1)


def test_kish_effective_sample_size_by_hand():
    # Σw = 1 + 1 + 2 + 2 = 6, Σw² = 1 + 1 + 4 + 4 = 10, so n_eff = 36/10 = 3.6 and deff = 4/3.6 = 1.1111.
    assert effective_sample_size([1, 1, 2, 2]) == pytest.approx(3.6)
    assert design_effect([1, 1, 2, 2]) == pytest.approx(10 / 9)


def test_weighted_proportion_by_hand():
    # Chosen by the people weighted 1 and 2: p = 3/6 = 0.5. n_eff = 3.6 (above), so the margin of error is
    # 1.959964 · √(0.25/3.6) = 1.959964 · 0.263523 = 0.516496.
    result = weighted_proportion([True, False, True, False], [1, 1, 2, 2])
    assert result is not None
    assert result.share == pytest.approx(0.5)
    assert result.n == 4
    assert result.n_eff == pytest.approx(3.6)
    assert result.design_effect == pytest.approx(10 / 9)
    assert result.margin_of_error == pytest.approx(0.516496, abs=1e-6)
    assert 0 <= result.low < 0.5 < result.high <= 1


def test_unweighted_proportion_has_the_plain_wilson_interval():
    chose = [True] * 81 + [False] * 182
    result = weighted_proportion(chose, [1.0] * 263)
    assert result is not None
    assert (result.low, result.high) == pytest.approx(wilson_interval(81, 263))
    # 1.959964 · √(0.307985 · 0.692015 / 263) = 1.959964 · 0.028467 = 0.055795
    assert result.margin_of_error == pytest.approx(0.055795, abs=1e-6)


def test_weighted_proportion_of_nobody_is_none():
    assert weighted_proportion([], []) is None


# --- Reporting by design ---------------------------------------------------------------------------------------------


def test_an_opt_in_survey_is_reported_without_weights_or_margin_of_error_and_says_why():
    reporting = reporting_for("opt_in")
    assert not reporting.weighted
    assert not reporting.margin_of_error
    assert reporting.note == (
        "This was an opt-in survey: the people who answered chose to, so the results describe them and cannot be "
        "generalised with a margin of error."
    )
    assert reporting.note == OPT_IN_NOTE


def test_a_probability_sample_is_weighted_with_a_margin_of_error():
    reporting = reporting_for(SamplingDesign.PROBABILITY)
    assert reporting.weighted
    assert reporting.margin_of_error
