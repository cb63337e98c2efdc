"""Pure statistics for panel reviews (DESIGN.md §4): plain numbers in, plain numbers out, no ORM."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Counts below this are marked as small numbers wherever a share is shown.
SMALL_NUMBER = 10


@dataclass(frozen=True)
class Kappa:
    value: float | None  # None when it cannot be computed (fewer than two items with two or more ratings)
    items: int  # items that counted (two or more ratings)
    raters_mean: float
    observed: float | None  # P-bar, the mean agreement per item
    expected: float | None  # P-e, the agreement expected by chance

    @property
    def interpretation(self) -> str:
        """Landis and Koch's labels; a reading aid, not a test."""
        if self.value is None:
            return "not enough ratings"
        v = self.value
        for bound, label in ((0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
            if v <= bound:
                return label
        return "almost perfect"


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> Kappa:
    """Fleiss' kappa from a matrix of items × categories, each cell the number of raters choosing that category.

    Items may have different numbers of raters (members miss records): each item's agreement is taken over its own
    raters, and the category shares over all ratings, as in Fleiss (1971) with n_i in place of a constant n.
    Items with fewer than two ratings say nothing about agreement and are left out.
    """
    rows = [list(r) for r in counts if sum(r) >= 2]
    if len(rows) < 2:
        return Kappa(None, len(rows), _mean([sum(r) for r in rows]), None, None)
    total = sum(sum(r) for r in rows)
    categories = len(rows[0])
    if any(len(r) != categories for r in rows):
        raise ValueError("every item needs a count for every category")
    shares = [sum(r[j] for r in rows) / total for j in range(categories)]
    per_item = [(sum(c * c for c in r) - sum(r)) / (sum(r) * (sum(r) - 1)) for r in rows]
    observed = sum(per_item) / len(per_item)
    expected = sum(p * p for p in shares)
    value = 1.0 if expected == 1 else (observed - expected) / (1 - expected)
    return Kappa(value, len(rows), total / len(rows), observed, expected)


def _mean(values: Sequence[int]) -> float:
    return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True)
class Share:
    key: str
    hits: int
    total: int

    @property
    def share(self) -> float | None:
        return self.hits / self.total if self.total else None

    @property
    def small(self) -> bool:
        return self.total < SMALL_NUMBER


def shares_by(pairs: Iterable[tuple[str, bool]], order: Sequence[str] = ()) -> list[Share]:
    """For (group, judged) pairs, the share judged in each group; groups in `order` first, then the rest sorted."""
    hits: dict[str, int] = {}
    totals: dict[str, int] = {}
    for key, judged in pairs:
        totals[key] = totals.get(key, 0) + 1
        hits[key] = hits.get(key, 0) + int(judged)
    keys = [k for k in order if k in totals] + sorted(k for k in totals if k not in order)
    return [Share(k, hits[k], totals[k]) for k in keys]
