"""Review statistics against published figures and hand-worked cases."""

from __future__ import annotations

import pytest

from scrutiny.stats import SMALL_NUMBER, fleiss_kappa, shares_by

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
