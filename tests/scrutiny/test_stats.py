"""Review and disproportionality statistics against published figures, scipy and hand-worked cases."""

from __future__ import annotations

import math

import pytest
from scipy import stats as scipy_stats

from scrutiny import stats
from scrutiny.stats import SMALL_NUMBER, fleiss_kappa, shares_by
from surveys.stats import wilson_interval as survey_wilson

# Fleiss (1971), as reproduced in the Wikipedia article on Fleiss' kappa: 10 subjects, 14 raters, 5 categories.
FLEISS_1971 = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_kappa_reproduces_the_published_example() -> None:
    kappa = fleiss_kappa(FLEISS_1971)
    assert kappa.value == pytest.approx(0.210, abs=0.0005)
    assert kappa.observed == pytest.approx(0.378, abs=0.0005)
    assert kappa.expected == pytest.approx(0.213, abs=0.0005)
    assert kappa.items == 10
    assert kappa.interpretation == "fair"  # Landis and Koch: 0.21-0.40


def test_perfect_agreement_is_one_and_items_with_one_rating_do_not_count() -> None:
    kappa = fleiss_kappa([[3, 0, 0], [0, 3, 0], [0, 0, 3], [1, 0, 0]])
    assert kappa.value == pytest.approx(1.0)
    assert kappa.items == 3


def test_unequal_numbers_of_raters_use_each_items_own_count() -> None:
    # Item 1: 2 of 3 agree -> P = (4 + 1 - 3) / 6 = 1/3; item 2: 2 of 2 agree -> P = 1. P-bar = 2/3.
    # Shares: category 0 = 4/5, category 1 = 1/5 -> P-e = 0.68. kappa = (2/3 - 0.68) / 0.32.
    kappa = fleiss_kappa([[2, 1], [2, 0]])
    assert kappa.value == pytest.approx((2 / 3 - 0.68) / 0.32)


def test_kappa_needs_two_items_with_two_ratings() -> None:
    assert fleiss_kappa([[2, 0]]).value is None
    assert fleiss_kappa([]).interpretation == "not enough ratings"


def test_a_ragged_matrix_is_an_error() -> None:
    with pytest.raises(ValueError, match="every category"):
        fleiss_kappa([[1, 1], [1, 1, 0]])


def test_shares_mark_small_numbers_and_keep_the_given_order() -> None:
    pairs = [("white", True)] * 3 + [("white", False)] * 9 + [("black", True)] * 2 + [("asian", False)]
    shares = shares_by(pairs, order=["asian", "black", "white"])
    assert [(s.key, s.hits, s.total, s.small) for s in shares] == [
        ("asian", 0, 1, True),
        ("black", 2, 2, True),
        ("white", 3, 12, False),
    ]
    assert shares[2].share == pytest.approx(0.25)
    assert SMALL_NUMBER == 10


# --- Disproportionality: intervals against scipy, and hand-worked cases ---------------------------------------

PROPORTIONS = [(0, 1), (0, 10), (1, 10), (7, 20), (19, 20), (20, 20), (5, 100_000), (412, 1_337), (289_109, 348_097)]


@pytest.mark.parametrize(("k", "n"), PROPORTIONS)
def test_wilson_interval_matches_scipy(k: int, n: int) -> None:
    reference = scipy_stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = stats.wilson_interval(k, n) or (math.nan, math.nan)
    assert low == pytest.approx(reference.low, rel=1e-9, abs=1e-15)
    assert high == pytest.approx(reference.high, rel=1e-9, abs=1e-15)
    # And the surveys app's Wilson (the same method, kept apart because the apps do not import each other).
    assert survey_wilson(k, n) == pytest.approx((low, high), rel=1e-12, abs=1e-15)


def test_wilson_interval_by_hand() -> None:
    # 7 of 20, z = 1.959964, z² = 3.841459: denominator 1 + 3.841459/20 = 1.192073;
    # centre (0.35 + 3.841459/40) / 1.192073 = 0.446036 / 1.192073 = 0.374169;
    # half-width 1.959964 / 1.192073 × sqrt(0.35 × 0.65 / 20 + 3.841459 / 1600) = 1.644167 × 0.117370 = 0.192977;
    # so 0.181192 to 0.567146.
    low, high = stats.wilson_interval(7, 20) or (0.0, 0.0)
    assert (low, high) == pytest.approx((0.181192, 0.567146), abs=2e-6)
    assert stats.wilson_interval(0, 0) is None
    with pytest.raises(ValueError, match="successes"):
        stats.wilson_interval(3, 2)


@pytest.mark.parametrize(("k", "n"), PROPORTIONS)
def test_clopper_pearson_matches_scipy(k: int, n: int) -> None:
    reference = scipy_stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    low, high = stats.clopper_pearson(k, n)
    assert low == pytest.approx(reference.low, rel=1e-8, abs=1e-15)
    assert high == pytest.approx(reference.high, rel=1e-8, abs=1e-15)


def test_clopper_pearson_at_the_edges_by_hand() -> None:
    # With no successes in n, the upper bound solves (1 - p)^n = 0.025: p = 1 - 0.025^(1/n); mirrored for n of n.
    assert stats.clopper_pearson(0, 10) == pytest.approx((0.0, 1 - 0.025 ** (1 / 10)), rel=1e-12)
    assert stats.clopper_pearson(10, 10) == pytest.approx((0.025 ** (1 / 10), 1.0), rel=1e-12)
    # One success in one trial: the lower bound solves p = 0.025.
    assert stats.clopper_pearson(1, 1)[0] == pytest.approx(0.025, rel=1e-12)


def test_log_rate_ratio_interval_by_hand() -> None:
    # England and Wales 2022/23: Black 58,988 searches of 2,409,283 residents; White 289,109 of 48,699,231.
    # RR = (58988 / 2409283) / (289109 / 48699231) = 0.0244840 / 0.00593664 = 4.124168;
    # se(ln RR) = sqrt(1/58988 + 1/289109) = sqrt(1.695260e-5 + 3.458903e-6) = 0.00451791;
    # 1.959964 × 0.00451791 = 0.00885494, exp(0.00885494) = 1.0088943:
    # 4.124168 / 1.0088943 = 4.087810 to 4.124168 × 1.0088943 = 4.160849.
    low, high = stats.rate_ratio_ci_log(58_988, 2_409_283, 289_109, 48_699_231) or (0.0, 0.0)
    assert stats.rate_ratio(58_988, 2_409_283, 289_109, 48_699_231) == pytest.approx(4.124168, abs=1e-6)
    assert (low, high) == pytest.approx((4.087810, 4.160849), abs=2e-6)
    assert stats.rate_ratio_ci_log(0, 100, 5, 100) is None  # the log of zero: the exact interval is used there


@pytest.mark.parametrize(
    ("a", "pa", "b", "pb"), [(0, 6_616, 300, 1_038_185), (3, 6_616, 500, 1_038_185), (12, 500, 7, 900)]
)
def test_exact_rate_ratio_interval_is_clopper_pearson_on_the_conditional_binomial(
    a: int, pa: int, b: int, pb: int
) -> None:
    # Given a + b searches, a is binomial with p = RR·pa / (RR·pa + pb): RR = p / (1 - p) × pb / pa.
    ci = scipy_stats.binomtest(a, a + b).proportion_ci(confidence_level=0.95, method="exact")
    expected = (ci.low / (1 - ci.low) * pb / pa, ci.high / (1 - ci.high) * pb / pa)
    assert stats.rate_ratio_ci_exact(a, pa, b, pb) == pytest.approx(expected, rel=1e-8, abs=1e-15)


def test_exact_interval_by_hand_for_zero_searches() -> None:
    # 0 of n = 20: the upper Clopper-Pearson bound solves (1 - p)^20 = 0.025, p = 1 - 0.025^(1/20) = 0.16843;
    # with equal populations RR's upper bound is p / (1 - p) = 0.20254 and its lower bound 0.
    assert stats.rate_ratio_ci_exact(0, 1000, 20, 1000) == pytest.approx((0.0, 0.20254), abs=1e-5)
    assert stats.rate_ratio_ci_exact(5, 1000, 0, 1000) is None  # no reference searches: unbounded


def test_the_reported_interval_is_exact_under_20_searches_and_log_from_20() -> None:
    small = stats.rate_ratio_ci(19, 10_000, 3_000, 1_000_000)
    large = stats.rate_ratio_ci(20, 10_000, 3_000, 1_000_000)
    assert small is not None
    assert small.method == "exact"
    assert (small.low, small.high) == pytest.approx(stats.rate_ratio_ci_exact(19, 10_000, 3_000, 1_000_000))
    assert large is not None
    assert large.method == "log"
    assert (large.low, large.high) == pytest.approx(stats.rate_ratio_ci_log(20, 10_000, 3_000, 1_000_000))
    # Few reference searches make it exact too.
    few_white = stats.rate_ratio_ci(500, 10_000, 12, 1_000_000)
    assert few_white is not None
    assert few_white.method == "exact"


# --- small numbers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "hidden"), [(None, True), (0, True), (1, True), (9, True), (10, False), (250, False)]
)
def test_counts_under_10_are_suppressed(count: int | None, hidden: bool) -> None:
    assert stats.is_suppressed(count) is hidden
    assert stats.suppress(count) == (None if hidden else count)


@pytest.mark.parametrize(("events", "unstable"), [(0, True), (19, True), (20, False), (1000, False)])
def test_rates_from_fewer_than_20_events_are_unstable(events: int, unstable: bool) -> None:
    assert stats.is_unstable(events) is unstable


def test_a_share_is_shown_only_when_numerator_and_denominator_are_both_10_or_more() -> None:
    assert stats.share_is_shown(10, 10)
    assert not stats.share_is_shown(9, 400)
    assert not stats.share_is_shown(5, 9)


# --- a whole report from counts -------------------------------------------------------------------------------


def test_disproportionality_from_counts() -> None:
    result = stats.disproportionality(
        {
            "Black": stats.GroupCounts(119, 6_616, outcome_linked_recorded=110, outcome_linked=37, arrests=26),
            "White": stats.GroupCounts(3_694, 1_038_185, outcome_linked_recorded=3_500, outcome_linked=1_071),
            "Asian": stats.GroupCounts(4, 25_152),
        },
        not_stated=232,
    )
    assert list(result.groups) == ["Asian", "Black", "Mixed", "White", "Other"]
    assert result.total == 119 + 3_694 + 4 + 232
    black, white, asian, mixed = (result.groups[g] for g in ("Black", "White", "Asian", "Mixed"))
    assert black.rate_per_1000 == pytest.approx(119 / 6_616 * 1000)
    assert black.rate_ratio_vs_reference == pytest.approx((119 / 6_616) / (3_694 / 1_038_185))
    assert black.rate_ratio_ci95 is not None
    assert black.rate_ratio_ci95.method == "log"
    assert black.find_rate == pytest.approx(37 / 110)
    assert black.arrest_rate == pytest.approx(26 / 119)
    assert not black.unstable
    assert white.rate_ratio_vs_reference == 1.0
    assert white.rate_ratio_ci95 is None
    assert asian.unstable
    assert asian.rate_ratio_ci95 is not None
    assert asian.rate_ratio_ci95.method == "exact"
    assert asian.find_rate is None  # no outcome link recorded
    assert asian.find_rate_ci95 is None
    # A group with no population (none given) has no rate and no ratio, and no searches: no arrest rate.
    assert mixed.rate_per_1000 is None
    assert mixed.rate_ratio_vs_reference is None
    assert mixed.arrest_rate is None
    assert result.not_stated_share == pytest.approx(232 / result.total)
    with pytest.raises(ValueError, match="unknown group"):
        stats.disproportionality({"Purple": stats.GroupCounts(1, 1)}, not_stated=0)


def test_not_stated_bounds_allocate_every_unknown_to_white_then_to_the_group() -> None:
    groups = {"Black": stats.GroupCounts(100, 10_000), "White": stats.GroupCounts(1_000, 1_000_000)}
    bounds = stats.not_stated_bounds(groups, not_stated=50)
    # Lowest: (100 / 10,000) / (1,050 / 1,000,000) = 9.5238; highest: (150 / 10,000) / (1,000 / 1,000,000) = 15.
    assert bounds["Black"] == pytest.approx((9.5238, 15.0), abs=1e-4)
    assert bounds["Asian"] is None  # no population: no ratio either way
    assert "White" not in bounds


def test_relative_rate_index_from_population_to_search_to_arrest() -> None:
    stages = [
        stats.Stage("population", {"Black": 10_000, "White": 1_000_000}),
        stats.Stage("search", {"Black": 100, "White": 1_000}),
        stats.Stage("arrest", {"Black": 20, "White": 100}),
    ]
    search, arrest = stats.relative_rate_index(stages)
    assert (search.stage, search.previous) == ("search", "population")
    assert search.by_group["Black"] == pytest.approx(10.0)  # 1% against 0.1%
    assert arrest.by_group["Black"] == pytest.approx(2.0)  # 20% of searches against 10%
    assert arrest.by_group["White"] == pytest.approx(1.0)
    assert arrest.by_group["Asian"] is None
