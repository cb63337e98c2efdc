"""The pure statistics of the national comparison (scrutiny/stats/funnel.py, scrutiny/stats/ranks.py and the
suppression of published sums): funnel limits against an independent computation with scipy.stats, where a force
sits, over-dispersion, and ranks with their intervals."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as s
from scipy.stats import binom, chi2, poisson

from scrutiny import stats as st
from scrutiny.stats import funnel as fn
from scrutiny.stats import ranks as rk

PROBABILITIES = (0.001, 0.025, 0.975, 0.999)
EXPECTED = (0.05, 0.3, 0.5, 1.0, 2.7, 9.99, 10.0, 57.3, 250.0, 1234.5, 98765.4, 2_000_000.0)


def scipy_limit(p: float, expected: float) -> float:
    """Spiegelhalter's interpolated limit worked with scipy.stats.poisson, independently of the code under test
    (which uses scipy.special's pdtr and pdtrik and its own search for the quantile)."""
    r = poisson.ppf(p, expected)
    at_r = poisson.cdf(r, expected)
    below = poisson.cdf(r - 1, expected)
    alpha = (at_r - p) / (at_r - below)
    return max(0.0, (r - alpha) / expected)


# --- control limits -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expected", EXPECTED)
@pytest.mark.parametrize("p", PROBABILITIES)
def test_each_limit_equals_the_one_worked_with_scipy_stats_poisson(p: float, expected: float) -> None:
    assert fn.poisson_limit(p, expected) == pytest.approx(scipy_limit(p, expected), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("expected", EXPECTED)
@pytest.mark.parametrize("p", [*PROBABILITIES, 0.5, 1e-6, 1 - 1e-6])
def test_the_poisson_quantile_is_the_smallest_count_whose_distribution_function_reaches_p(
    p: float, expected: float
) -> None:
    r = fn.poisson_quantile(p, expected)
    assert r == int(poisson.ppf(p, expected))
    assert poisson.cdf(r, expected) >= p
    assert r == 0 or poisson.cdf(r - 1, expected) < p


def test_the_limits_agree_with_the_binomial_limits_of_a_very_large_population() -> None:
    """Poisson is the limit of a binomial with a tiny rate: the O/E limits from Binomial(n, E/n) with n = 10^9,
    interpolated the same way with scipy.stats.binom, are the same to 6 places."""
    n, expected = 10**9, 42.0
    for p in PROBABILITIES:
        r = binom.ppf(p, n, expected / n)
        alpha = (binom.cdf(r, n, expected / n) - p) / (
            binom.cdf(r, n, expected / n) - binom.cdf(r - 1, n, expected / n)
        )
        assert fn.poisson_limit(p, expected) == pytest.approx((r - alpha) / expected, abs=1e-6)


def test_at_a_small_expected_count_the_lower_limits_are_zero_not_negative() -> None:
    limits = fn.funnel_limits(0.3)
    assert limits.lower_95 == 0.0
    assert limits.lower_998 == 0.0
    # The uncorrected interpolation would be below zero there: r = 0, alpha > 0.
    assert fn.poisson_quantile(0.025, 0.3) == 0
    assert limits.upper_998 > limits.upper_95 > 1


def test_the_funnel_narrows_towards_one_as_the_volume_grows() -> None:
    widths = [fn.funnel_limits(e).upper_998 - fn.funnel_limits(e).lower_998 for e in (5, 50, 500, 5000, 50000)]
    assert widths == sorted(widths, reverse=True)
    big = fn.funnel_limits(1e6)
    # About 3.09 standard errors (1/sqrt(E)) either side of 1 at a large E.
    assert big.upper_998 == pytest.approx(1 + 3.0902 / 1000, abs=2e-4)
    assert big.lower_998 == pytest.approx(1 - 3.0902 / 1000, abs=2e-4)


def test_bad_limits_arguments_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        fn.poisson_quantile(1.0, 3)
    with pytest.raises(ValueError, match="positive"):
        fn.poisson_quantile(0.5, 0)
    with pytest.raises(ValueError, match="expected count must be positive"):
        fn.funnel_point("x", 3, 0.0, 2.0)
    with pytest.raises(ValueError, match="negative"):
        fn.funnel_point("x", -1, 3.0, 2.0)


# --- where a force sits -----------------------------------------------------------------------------------------


def test_a_force_exactly_on_a_limit_is_inside_it() -> None:
    limits = fn.funnel_limits(120.0)
    assert fn.position(limits.upper_998, limits) == "high_alert"
    assert fn.position(limits.lower_998, limits) == "low_alert"
    assert fn.position(limits.upper_95, limits) == "within"
    assert fn.position(limits.lower_95, limits) == "within"
    assert fn.position(math.nextafter(limits.upper_998, math.inf), limits) == "high_outlier"
    assert fn.position(math.nextafter(limits.lower_998, 0), limits) == "low_outlier"
    assert fn.position(math.nextafter(limits.upper_95, math.inf), limits) == "high_alert"
    assert fn.position(1.0, limits) == "within"


def test_a_force_with_whole_counts_just_inside_and_just_outside_the_limits() -> None:
    """At E = 100 the 99.8% upper limit on O is between 131 and 132 searches (scipy: the 0.999 quantile is 132):
    131 searches is an alert, 132 an outlier; at the 95% limit, 119 is within and 121 an alert."""
    expected = 100.0
    upper_998 = scipy_limit(0.999, expected) * expected
    upper_95 = scipy_limit(0.975, expected) * expected
    assert 131 < upper_998 < 132
    assert 119 < upper_95 < 121
    assert fn.funnel_point("f", 131, expected, 2.0).position == "high_alert"
    assert fn.funnel_point("f", 132, expected, 2.0).position == "high_outlier"
    assert fn.funnel_point("f", 119, expected, 2.0).position == "within"
    assert fn.funnel_point("f", 121, expected, 2.0).position == "high_alert"


def test_a_funnel_point_carries_the_forces_own_ratio_and_its_z_score() -> None:
    point = fn.funnel_point("f", 150, 100.0, 3.0)
    assert point.standardised == 1.5
    assert point.ratio == pytest.approx(4.5)
    assert point.z == pytest.approx(50 / 10)


def test_the_expected_count_makes_o_over_e_the_forces_ratio_over_the_national_one() -> None:
    black, white, p_black, p_white = 480, 2100, 31_000, 900_000
    national = 4.12
    expected = fn.expected_count(national, white, p_black, p_white)
    force_ratio = st.rate_ratio(black, p_black, white, p_white)
    assert force_ratio is not None
    assert black / expected == pytest.approx(force_ratio / national)


@settings(max_examples=300, deadline=None)
@given(observed=s.integers(0, 200_000), expected=s.floats(0.01, 150_000, allow_nan=False))
def test_a_force_inside_the_limits_is_never_labelled_an_outlier(observed: int, expected: float) -> None:
    point = fn.funnel_point("f", observed, expected, 1.7)
    limits = point.limits
    assert limits.lower_998 <= limits.lower_95 <= limits.upper_95 <= limits.upper_998
    ratio = observed / expected
    inside_998 = limits.lower_998 <= ratio <= limits.upper_998
    inside_95 = limits.lower_95 <= ratio <= limits.upper_95
    if inside_998:
        assert point.position not in ("high_outlier", "low_outlier")
    else:
        assert point.position in ("high_outlier", "low_outlier")
    assert (point.position == "within") == inside_95


def test_every_position_has_words() -> None:
    assert set(fn.POSITION_LABELS) == set(fn.POSITIONS) == set(fn.POSITION_SHORT)
    assert "outlier" not in fn.POSITION_LABELS["within"].lower()


def test_the_curve_for_drawing_runs_from_the_smallest_to_the_largest_volume() -> None:
    curve = fn.funnel_curve(2.0, 20000.0, steps=50)
    assert len(curve) == 50
    assert curve[0].expected == pytest.approx(2.0)
    assert curve[-1].expected == pytest.approx(20000.0)
    assert all(a.expected < b.expected for a, b in itertools.pairwise(curve))
    assert fn.funnel_curve(5.0, 5.0) == [fn.funnel_limits(5.0)]
    with pytest.raises(ValueError, match="need 0 < low <= high"):
        fn.funnel_curve(0, 5)


# --- over-dispersion --------------------------------------------------------------------------------------------


def by_hand_phi(points: list[tuple[int, float]]) -> float:
    z = np.array([(o - e) / math.sqrt(e) for o, e in points])
    low, high = np.percentile(z, [10, 90])
    return float(np.mean(np.clip(z, low, high) ** 2))


def test_phi_is_the_mean_squared_winsorised_z_score_and_its_test_is_chi_squared() -> None:
    points = [(120, 100.0), (80, 100.0), (2000, 1000.0), (950, 1000.0), (40, 55.0), (330, 300.0), (10, 30.0)]
    result = fn.overdispersion(points)
    phi = by_hand_phi(points)
    assert result.phi == pytest.approx(phi)
    assert result.statistic == pytest.approx(len(points) * phi)
    assert result.p_value == pytest.approx(chi2.sf(len(points) * phi, len(points) - 1))
    assert result.overdispersed
    weights = [e for _, e in points]
    tau2 = (len(points) * phi - (len(points) - 1)) / (sum(weights) - sum(w * w for w in weights) / sum(weights))
    assert result.tau2 == pytest.approx(tau2)


def test_forces_that_vary_by_chance_only_are_not_called_overdispersed() -> None:
    rng = np.random.default_rng(7)
    expected = [float(e) for e in rng.uniform(50, 5000, size=40)]
    points = [(int(rng.poisson(e)), e) for e in expected]
    result = fn.overdispersion(points)
    assert result.phi is not None
    assert 0.3 < result.phi < 1.7
    assert not result.overdispersed


def test_too_few_forces_give_no_overdispersion_figure() -> None:
    result = fn.overdispersion([(10, 12.0), (30, 20.0), (5, 6.0), (9, 9.0)])
    assert result.phi is None
    assert not result.overdispersed


def test_a_point_outside_the_chance_limits_can_be_inside_the_limits_widened_for_overdispersion() -> None:
    point = fn.funnel_point("f", 1300, 1000.0, 2.0)
    assert point.position == "high_outlier"
    assert fn.outside_adjusted(point, 0.0)
    assert not fn.outside_adjusted(point, 0.02)  # between-force SD of about 14% on the O/E scale


# --- ranks ------------------------------------------------------------------------------------------------------


def unit(
    key: str, observed: int, reference: int, population: int = 20_000, reference_population: int = 400_000
) -> rk.RankInput:
    return rk.RankInput(key, observed, reference, population, reference_population)


UNITS = [
    unit("big-high", 9000, 20_000),  # ratio 9.0, huge counts
    unit("big-mid", 4000, 20_000),  # 4.0
    unit("mid", 450, 2500),  # 3.6
    unit("small-top", 1, 2),  # 10: the highest point estimate, from three searches
    unit("low", 300, 5000),  # 1.2
]


def test_ranks_with_intervals_are_the_same_every_time_and_in_any_order() -> None:
    first = rk.rank_intervals(UNITS)
    shuffled = list(UNITS)
    random.Random(3).shuffle(shuffled)
    assert rk.rank_intervals(shuffled) == first
    assert rk.rank_intervals(UNITS) == first


def test_a_force_with_a_huge_interval_is_never_called_the_highest() -> None:
    ranks = rk.rank_intervals(UNITS)
    top = ranks["small-top"]
    assert top.rank == 1
    assert (top.low, top.high) == (1, 5)
    assert not top.clearly_highest
    assert "highest of" not in rk.describe(top)
    assert rk.describe(top) == "1st of 5 forces (1st = highest ratio); allowing for chance, anywhere from 1st to 5th"


def test_a_large_force_clearly_above_the_rest_is_the_highest_among_the_large() -> None:
    ranks = rk.rank_intervals([u for u in UNITS if u.key != "small-top"])
    assert ranks["big-high"] == rk.Rank("big-high", 1, 1, 1, 4)
    assert rk.describe(ranks["big-high"]) == "the highest of 4 forces, even allowing for chance"
    assert ranks["low"].clearly_lowest
    for r in ranks.values():
        assert 1 <= r.low <= r.rank <= r.high <= r.of


def test_units_without_a_ratio_are_not_ranked_and_keys_must_differ() -> None:
    ranks = rk.rank_intervals([unit("a", 10, 0), unit("b", 10, 10), unit("c", 10, 10, population=0)])
    assert list(ranks) == ["b"]
    assert rk.describe(ranks["b"]) == "the only force that can be ranked"
    with pytest.raises(ValueError, match="own key"):
        rk.rank_intervals([unit("a", 1, 1), unit("a", 2, 2)])


def test_ordinals_read_as_english() -> None:
    assert [rk.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 43, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "43rd", "111th",
    ]  # fmt: skip


# --- hiding the cells of a published sum --------------------------------------------------------------------------


def test_cells_under_ten_are_hidden_and_then_enough_others_that_the_total_gives_none_away() -> None:
    assert st.cells_to_hide({"a": 120, "b": 45, "c": 7}) == {"c", "b"}
    assert st.cells_to_hide({"a": 120, "b": 45, "c": 7, "d": 3}) == {"c", "d"}
    assert st.cells_to_hide({"a": 120, "b": 45, "c": 0}) == {"c"}  # a sum of 0 identifies nobody
    assert st.cells_to_hide({"a": 120, "b": 45}) == set()
    assert st.cells_to_hide({"a": 5, "b": 3}) == {"a", "b"}
    assert st.cells_to_hide({"a": 20, "b": 20, "c": 2}) == {"a", "c"}  # the first key on a tie
    # Cells hidden for another reason count as hidden: here "b" (45) is, so nothing more need be.
    assert st.cells_to_hide({"a": 120, "b": 45, "c": 7}, also=["b"]) == {"b", "c"}
    assert st.cells_to_hide({"a": 120, "b": 45, "c": 0}, also=["x"]) == {"c"}
