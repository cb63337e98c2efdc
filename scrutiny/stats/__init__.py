"""Pure statistics (DESIGN.md §4): plain numbers in, plain numbers out, no ORM.

Panel reviews: Fleiss' kappa and shares judged. Disproportionality (docs/disproportionality.md): rates per 1,000,
rate ratios with their 95% intervals, find and arrest rates with Wilson intervals, the bounds a ratio could take if
the searches with ethnicity not stated were allocated, the Relative Rate Index, and the small-number rules.
The database queries that feed these live in scrutiny/disproportionality/report.py.

Comparing forces (docs/national.md): funnel plots and over-dispersion in `scrutiny.stats.funnel`, ranks with their
intervals in `scrutiny.stats.ranks`; the queries that feed them live in scrutiny/disproportionality/national/.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from scipy.special import betaincinv

from common.intervals import Z_95, wilson_interval

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


# --- Disproportionality ------------------------------------------------------------------------------------------

# The five Census 2021 broad groups, in the order the Home Office publishes them, and the group every ratio is
# taken against.
GROUPS: tuple[str, ...] = ("Asian", "Black", "Mixed", "White", "Other")
REFERENCE = "White"
# Counts under SUPPRESS_BELOW are never shown in a public output; a rate or share from fewer than UNSTABLE_BELOW
# events is flagged unstable. An interval for a rate ratio is exact (conditional binomial) when either count is
# below EXACT_BELOW, and the log (Katz) interval otherwise.
SUPPRESS_BELOW = SMALL_NUMBER
UNSTABLE_BELOW = 20
EXACT_BELOW = 20
# Z_95 and wilson_interval are common.intervals' (survey results use them too); imported above.

Interval = tuple[float, float]


def is_suppressed(count: int | None) -> bool:
    """Whether a public output must hide this count (under 10, zero included; None is already hidden)."""
    return count is None or count < SUPPRESS_BELOW


def suppress(count: int | None) -> int | None:
    """The count as a public output may show it: None in place of a count under 10."""
    return None if is_suppressed(count) else count


def is_unstable(events: int) -> bool:
    """Whether a rate or share from this many events is flagged unstable (fewer than 20)."""
    return events < UNSTABLE_BELOW


def rate_per_1000(count: int, population: int) -> float | None:
    """Events per 1,000 of the population; None without a population."""
    if count < 0 or population < 0:
        raise ValueError("counts and populations cannot be negative")
    return count / population * 1000 if population else None


def rate_ratio(a: int, population_a: int, b: int, population_b: int) -> float | None:
    """(a / population_a) / (b / population_b); None when either rate is missing or the second is zero."""
    rate_a, rate_b = rate_per_1000(a, population_a), rate_per_1000(b, population_b)
    if rate_a is None or rate_b is None or rate_b == 0:
        return None
    return rate_a / rate_b


def rate_ratio_ci_log(a: int, population_a: int, b: int, population_b: int, z: float = Z_95) -> Interval | None:
    """The log (Katz) interval: exp(ln RR ± z·√(1/a + 1/b)), treating the populations as fixed.

    None when either count is zero (the logarithm is undefined); use the exact interval there.
    """
    ratio = rate_ratio(a, population_a, b, population_b)
    if ratio is None or a == 0:
        return None
    half = z * math.sqrt(1 / a + 1 / b)
    return math.exp(math.log(ratio) - half), math.exp(math.log(ratio) + half)


def rate_ratio_ci_exact(
    a: int, population_a: int, b: int, population_b: int, confidence: float = 0.95
) -> Interval | None:
    """The exact conditional interval for a ratio of two Poisson rates.

    Given n = a + b events, a is binomial with p = RR·Pa / (RR·Pa + Pb). The Clopper-Pearson interval for p,
    mapped through RR = p / (1 − p) · Pb / Pa, is the interval for RR. Guaranteed coverage at any count, so it is
    the one used for small counts. None when b is zero (the ratio is unbounded) or a population is missing.
    """
    if b == 0 or population_a <= 0 or population_b <= 0:
        return None
    low, high = clopper_pearson(a, a + b, confidence)
    scale = population_b / population_a
    return low / (1 - low) * scale, high / (1 - high) * scale


@dataclass(frozen=True)
class RatioInterval:
    low: float
    high: float
    method: str  # "log" or "exact"


def rate_ratio_ci(a: int, population_a: int, b: int, population_b: int) -> RatioInterval | None:
    """The 95% interval the reports show: exact when either count is under 20, log (Katz) otherwise."""
    if min(a, b) < EXACT_BELOW:
        exact = rate_ratio_ci_exact(a, population_a, b, population_b)
        return RatioInterval(exact[0], exact[1], "exact") if exact else None
    log = rate_ratio_ci_log(a, population_a, b, population_b)
    return RatioInterval(log[0], log[1], "log") if log else None


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> Interval:
    """The exact (Clopper-Pearson) interval for a binomial proportion k/n, from beta quantiles (scipy's inverse of
    the regularised incomplete beta function)."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got {k} of {n}")
    alpha = 1 - confidence
    low = 0.0 if k == 0 else float(betaincinv(k, n - k + 1, alpha / 2))
    high = 1.0 if k == n else float(betaincinv(k + 1, n - k, 1 - alpha / 2))
    return low, high


# --- one group, one report ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupCounts:
    """What the database gives for one group (vehicle-only searches already left out)."""

    searches: int
    population: int
    outcome_linked_recorded: int = 0  # searches whose "outcome linked to object of search" is true or false
    outcome_linked: int = 0  # of those, true
    arrests: int = 0


@dataclass(frozen=True)
class GroupStats:
    group: str
    counts: GroupCounts
    rate_per_1000: float | None
    rate_ratio_vs_reference: float | None  # 1.0 for the reference group itself
    rate_ratio_ci95: RatioInterval | None  # None for the reference group
    find_rate: float | None  # None when no search of the group has the link recorded
    find_rate_ci95: Interval | None
    arrest_rate: float | None  # None when the group has no searches
    arrest_rate_ci95: Interval | None
    unstable: bool  # fewer than 20 searches

    @property
    def searches(self) -> int:
        return self.counts.searches

    @property
    def population(self) -> int:
        return self.counts.population


@dataclass(frozen=True)
class Disproportionality:
    groups: dict[str, GroupStats]  # in GROUPS order
    total: int  # every search counted, not stated included
    not_stated: int
    reference: str = REFERENCE

    @property
    def not_stated_share(self) -> float | None:
        return self.not_stated / self.total if self.total else None


def group_stats(group: str, counts: GroupCounts, reference: GroupCounts, *, is_reference: bool) -> GroupStats:
    ratio = rate_ratio(counts.searches, counts.population, reference.searches, reference.population)
    if is_reference:
        ratio, interval = (1.0 if ratio is not None else None), None
    else:
        interval = rate_ratio_ci(counts.searches, counts.population, reference.searches, reference.population)
    recorded = counts.outcome_linked_recorded
    return GroupStats(
        group=group,
        counts=counts,
        rate_per_1000=rate_per_1000(counts.searches, counts.population),
        rate_ratio_vs_reference=ratio,
        rate_ratio_ci95=interval,
        find_rate=counts.outcome_linked / recorded if recorded else None,
        find_rate_ci95=wilson_interval(counts.outcome_linked, recorded),
        arrest_rate=counts.arrests / counts.searches if counts.searches else None,
        arrest_rate_ci95=wilson_interval(counts.arrests, counts.searches),
        unstable=is_unstable(counts.searches),
    )


def disproportionality(
    groups: Mapping[str, GroupCounts], *, not_stated: int, reference: str = REFERENCE
) -> Disproportionality:
    """Rates, ratios against the reference group and outcome rates for each group in GROUPS.

    `groups` holds the searches of each group (a group missing has none); `not_stated` the searches with no
    ethnicity stated, which count in the total but in no group, as the Home Office counts them.
    """
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown group(s): {sorted(unknown)}")
    full = {g: groups.get(g, GroupCounts(0, 0)) for g in GROUPS}
    ref = full[reference]
    stats = {g: group_stats(g, c, ref, is_reference=(g == reference)) for g, c in full.items()}
    total = sum(c.searches for c in full.values()) + not_stated
    return Disproportionality(groups=stats, total=total, not_stated=not_stated, reference=reference)


def not_stated_bounds(
    groups: Mapping[str, GroupCounts], *, not_stated: int, reference: str = REFERENCE
) -> dict[str, Interval | None]:
    """For each group, the range its ratio against the reference could take if every search with ethnicity not
    stated belonged to one group: lowest when they all go to the reference group, highest when they all go to
    this group (allocating them to a third group leaves this ratio as it is)."""
    ref = groups.get(reference, GroupCounts(0, 0))
    bounds: dict[str, Interval | None] = {}
    for g in GROUPS:
        if g == reference:
            continue
        own = groups.get(g, GroupCounts(0, 0))
        low = rate_ratio(own.searches, own.population, ref.searches + not_stated, ref.population)
        high = rate_ratio(own.searches + not_stated, own.population, ref.searches, ref.population)
        bounds[g] = (low, high) if low is not None and high is not None else None
    return bounds


@dataclass(frozen=True)
class Stage:
    name: str  # e.g. "population", "search", "arrest"
    counts: dict[str, int]  # by group


@dataclass(frozen=True)
class RelativeRate:
    stage: str
    previous: str
    by_group: dict[str, float | None] = field(default_factory=dict)  # each group's RRI against the reference


def relative_rate_index(stages: Sequence[Stage], reference: str = REFERENCE) -> list[RelativeRate]:
    """The Relative Rate Index between consecutive stages (population → search → arrest, say).

    At each stage, a group's rate is its count there over its count at the stage before; the index is that rate
    over the reference group's. 1 means no difference at that step; None where a rate cannot be formed.
    """
    out = []
    for before, stage in pairwise(stages):
        by_group: dict[str, float | None] = {}
        for g in GROUPS:
            by_group[g] = rate_ratio(
                stage.counts.get(g, 0),
                before.counts.get(g, 0),
                stage.counts.get(reference, 0),
                before.counts.get(reference, 0),
            )
        out.append(RelativeRate(stage.name, before.name, by_group))
    return out


def share_is_shown(hits: int, n: int) -> bool:
    """A share may be public when both its numerator and its denominator are 10 or more."""
    return not is_suppressed(hits) and not is_suppressed(n)


def cells_to_hide[K](cells: Mapping[K, int], also: Iterable[K] = ()) -> set[K]:
    """The cells of a published sum (a column whose total is shown) that must be hidden: every count under 10 (and
    the cells in `also`, hidden for another reason), and then, while the hidden cells add up to 1 to 9 (the total
    less the cells shown would give that small number away), the smallest cell still shown as well (the first key
    on a tie). Hidden cells adding up to 0 identify nobody."""
    hidden = {k for k, v in cells.items() if is_suppressed(v)} | (set(also) & set(cells))
    while 0 < sum(cells[k] for k in hidden) < SUPPRESS_BELOW:
        shown = sorted((k for k in cells if k not in hidden), key=lambda k: (cells[k], str(k)))
        if not shown:
            break
        hidden.add(shown[0])
    return hidden
