"""Sample specifications and the draw, as plain data."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrutiny.reviews.sampling import (
    PROPORTIONAL,
    STRATA,
    STRATIFIED,
    Candidate,
    SampleSpec,
    SpecError,
    compare,
    draw,
    is_cannabis_smell_only,
    proportional_allocation,
)


def candidates(n: int) -> list[Candidate]:
    return [Candidate(i, STRATA[i % 5]) for i in range(1, n + 1)]


def test_the_draw_does_not_depend_on_the_order_candidates_arrive_in() -> None:
    spec = SampleSpec(size=7, seed=42)
    forward = candidates(40)
    assert draw(forward, spec) == draw(list(reversed(forward)), spec)


@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=60))
def test_a_random_draw_is_distinct_and_the_right_size(seed: int, size: int) -> None:
    picked = draw(candidates(50), SampleSpec(size=size, seed=seed))
    ids = [i for i, _ in picked]
    assert len(ids) == len(set(ids)) == min(size, 50)


def test_stratified_takes_what_a_small_group_has() -> None:
    pool = [Candidate(i, "white") for i in range(1, 30)] + [Candidate(100, "black")]
    picked = draw(pool, SampleSpec(method=STRATIFIED, size=5, seed=1))
    assert [g for _, g in picked].count("white") == 5
    assert [g for _, g in picked].count("black") == 1


@given(st.dictionaries(st.sampled_from(STRATA), st.integers(min_value=0, max_value=500)), st.integers(0, 300))
def test_proportional_allocation_adds_up_and_never_exceeds_a_group(sizes: dict[str, int], total: int) -> None:
    allocation = proportional_allocation(sizes, total)
    assert sum(allocation.values()) == min(total, sum(sizes.values()))
    assert all(allocation[g] <= sizes[g] for g in sizes)


def test_a_proportional_draw_follows_the_groups() -> None:
    pool = [Candidate(i, "white") for i in range(1, 61)] + [Candidate(i, "black") for i in range(100, 120)]
    picked = draw(pool, SampleSpec(method=PROPORTIONAL, size=8, seed=5))
    assert sorted(g for _, g in picked).count("white") == 6


def test_a_spec_round_trips_through_json() -> None:
    spec = SampleSpec(
        method=STRATIFIED,
        size=3,
        seed=9,
        month_from=date(2025, 4, 1),
        month_to=date(2025, 9, 1),
        legislation=("cjpoa_s60",),
        bwv_missing=True,
        hand_picked=(4, 5),
    )
    assert SampleSpec.from_json(spec.as_json()) == spec
    assert "3 from each ethnic group" in spec.describe()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"size": 0}, "at least one record"),
        ({"size": 501}, "between 1 and 500"),
        ({"method": "vibes"}, "Unknown sampling method"),
        ({"month_from": "2025-09", "month_to": "2025-01"}, "after the last"),
        ({"month_from": "June"}, "is not a month"),
        ({"outcome": ["banana"]}, "Unknown outcome"),
        ({"legislation": "cjpoa_s60"}, "must be a list"),
        ({"bwv_missing": "yes"}, "true or false"),
        ({"colour": "red"}, "Unknown sample settings"),
        ({"size": "ten"}, "not valid"),
    ],
)
def test_a_bad_spec_says_what_to_change(data: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        SampleSpec.from_json(data)


@pytest.mark.parametrize(
    ("grounds", "expected"),
    [
        ("Strong smell of cannabis coming from the male.", True),
        ("Officer smelt weed on approach", True),
        ("Odour of cannabis from the vehicle", True),
        ("Smell of cannabis and male seen discarding a package", False),
        ("Information received that the male was carrying a knife", False),
        ("Male was nervous and evasive", False),
        ("", False),
    ],
)
def test_cannabis_smell_only_grounds(grounds: str, expected: bool) -> None:
    assert is_cannabis_smell_only(grounds) is expected


def test_compare_gives_shares_of_population_and_sample() -> None:
    rows = compare({"white": 80, "black": 20}, {"white": 5, "black": 5})
    assert rows[0] == {"key": "white", "population": 80, "population_share": 0.8, "sample": 5, "sample_share": 0.5}
    assert compare({}, {})[:1] == []
