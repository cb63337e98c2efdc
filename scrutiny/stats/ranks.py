"""Ranks with uncertainty: where each force's rate ratio stands among the others, with a 95 % interval of ranks,
so that no force is called "the highest" on a difference chance could explain (docs/national.md).

Pure: plain numbers in, plain numbers out.

Method: simulation from each force's sampling distribution. A force's ratio is (O/Pg) / (W/Pw), with O and W
Poisson counts. Each draw takes the two Poisson means from their Jeffreys posteriors, Gamma(O + ½) and Gamma(W + ½)
(defined at a count of 0, and close to the counts' own spread at any size), forms every force's ratio and ranks
them, 1 being the highest ratio. The rank interval is the 2.5th to 97.5th percentile of a force's ranks over
`DRAWS` draws. The generator is seeded with a fixed number and the forces are taken in the order of their keys, so
the same figures always give the same intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SEED = 20050401  # any fixed number: the intervals must not change between two views of the same figures
DRAWS = 2000
LEVEL = 0.95


@dataclass(frozen=True)
class RankInput:
    key: str
    observed: int  # searches of the group
    reference: int  # searches of White people
    population: int  # residents of the group
    reference_population: int


@dataclass(frozen=True)
class Rank:
    key: str
    rank: int  # 1 = the highest ratio; ties share the best rank
    low: int  # the 95 % interval of ranks, best to worst
    high: int
    of: int  # how many forces were ranked

    @property
    def clearly_highest(self) -> bool:
        """Highest in (nearly) every draw: the only case in which "the highest" may be said."""
        return self.low == self.high == 1

    @property
    def clearly_lowest(self) -> bool:
        return self.low == self.high == self.of


def _ranks_descending(values: np.ndarray) -> np.ndarray:
    """Along the last axis: 1 + the number of values strictly greater (ties share the best rank)."""
    greater = (values[..., None, :] > values[..., :, None]).sum(axis=-1)
    return np.asarray(greater + 1)


def rank_intervals(units: Sequence[RankInput], *, draws: int = DRAWS, seed: int = SEED) -> dict[str, Rank]:
    """Each unit's rank on its ratio, 1 = highest, with its 95 % interval of ranks.

    Units without a ratio (no White searches, or a population of 0) cannot be ranked and are left out.
    """
    usable = sorted(
        (u for u in units if u.reference > 0 and u.population > 0 and u.reference_population > 0),
        key=lambda u: u.key,
    )
    if len(usable) != len({u.key for u in usable}):
        raise ValueError("every unit needs its own key")
    if not usable:
        return {}
    n = len(usable)
    observed = np.array([u.observed for u in usable], dtype=float)
    reference = np.array([u.reference for u in usable], dtype=float)
    scale = np.array([u.reference_population / u.population for u in usable], dtype=float)
    ratios = observed / reference * scale
    point = _ranks_descending(ratios)

    rng = np.random.default_rng(seed)
    simulated = rng.gamma(observed + 0.5, size=(draws, n)) / rng.gamma(reference + 0.5, size=(draws, n)) * scale
    # Simulated ratios are continuous, so ties have probability 0: a draw's ranks are the order of its ratios.
    ranks = np.argsort(np.argsort(-simulated, axis=1), axis=1) + 1
    # The percentiles of each force's ranks, as numpy's quantile with method "lower" and "higher" would give them.
    ranks.sort(axis=0)
    tail = (1 - LEVEL) / 2
    low = ranks[math.floor(tail * (draws - 1))]
    high = ranks[math.ceil((1 - tail) * (draws - 1))]
    return {u.key: Rank(u.key, int(point[i]), int(low[i]), int(high[i]), n) for i, u in enumerate(usable)}


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def describe(rank: Rank) -> str:
    """The rank in words, never claiming more than its interval allows: "the highest" (or "the lowest") only when
    its whole interval is that one rank; otherwise the rank with the range it could plausibly take."""
    if rank.of == 1:
        return "the only force that can be ranked"
    if rank.clearly_highest:
        return f"the highest of {rank.of} forces, even allowing for chance"
    if rank.clearly_lowest:
        return f"the lowest of {rank.of} forces, even allowing for chance"
    if rank.low == rank.high:
        return f"{ordinal(rank.rank)} of {rank.of} forces (1st = highest ratio), even allowing for chance"
    return (
        f"{ordinal(rank.rank)} of {rank.of} forces (1st = highest ratio); allowing for chance, anywhere from "
        f"{ordinal(rank.low)} to {ordinal(rank.high)}"
    )
