"""Pure statistics for surveys and consultations (DESIGN.md §4, docs/survey-methods.md).

Plain numbers in, plain numbers out: nothing here touches the database, so every function can be checked by hand or
against a published table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from common.intervals import Z_95, wilson_interval

# DESIGN.md §4: counts under 10 are suppressed in anything public.
SUPPRESSION_THRESHOLD = 10

OPT_IN_NOTE = (
    "This was an opt-in survey: the people who answered chose to, so the results describe them and cannot be "
    "generalised with a margin of error."
)
PROBABILITY_NOTE = (
    "This was a probability sample: responses are weighted to the population of the force area, and each "
    "percentage has a 95% margin of error that allows for the weighting."
)


# --- Small-number suppression ----------------------------------------------------------------------------------------


class Suppression(StrEnum):
    PRIMARY = "primary"  # the count itself is under the threshold
    SECONDARY = "secondary"  # big enough, but hidden so that a primary cell cannot be recovered by subtraction


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts with the reason each cell (and each total) is hidden, or None where it may be shown."""

    counts: tuple[tuple[int, ...], ...]
    cells: tuple[tuple[Suppression | None, ...], ...]
    row_totals: tuple[Suppression | None, ...]
    column_totals: tuple[Suppression | None, ...]
    grand_total: Suppression | None

    def masked(self) -> list[list[int | None]]:
        """The counts with every hidden cell replaced by None, ready for a public table."""
        return [
            [None if flag else count for count, flag in zip(row, flags, strict=True)]
            for row, flags in zip(self.counts, self.cells, strict=True)
        ]

    @property
    def any_suppressed(self) -> bool:
        return any(flag for row in self.cells for flag in row)


def suppress_table(counts: Sequence[Sequence[int]], *, threshold: int = SUPPRESSION_THRESHOLD) -> SuppressedTable:
    """Mark the cells of a table of counts (rows = options, columns = breakdown groups) that must not be published.

    The rule, applied to the cells and then, the same way, to the row totals and column totals:

    1. Primary suppression: every count under `threshold` (10) is hidden, zeros included, because "none of the
       three Black respondents agreed" discloses as much as "one of them did".
    2. Secondary suppression: row and column totals are published, so a line (row or column) with exactly one hidden
       cell would give it away by subtraction. In such a line one more cell is hidden: the smallest count not yet
       hidden (ties: the first), except that a cell whose crossing line also has a lone hidden cell is taken first,
       since hiding it mends both lines at once rather than starting a cascade. Hiding a cell can leave a lone hidden
       cell in the crossing line, so this repeats until every row and every column has no hidden cells or at least
       two.
    3. Totals: a row or column total under the threshold is hidden, and the totals of the rows (which add up to the
       grand total) and of the columns are treated as a line each, as in 2. The grand total is hidden only when it is
       itself under the threshold.

    A line with one hidden cell and nothing else left to hide can only arise when that cell is the whole line, in
    which case the line's total is under the threshold and hidden by 3. The rule stops exact recovery by subtraction;
    like any cell-suppression rule it can still let someone bound a hidden cell between two numbers.
    """
    table = tuple(tuple(int(c) for c in row) for row in counts)
    if any(c < 0 for row in table for c in row):
        raise ValueError("counts cannot be negative")
    width = len(table[0]) if table else 0
    if any(len(row) != width for row in table):
        raise ValueError("every row needs the same number of columns")
    flags = _suppress_cells(table, width, threshold)
    row_totals = _suppress_line([sum(row) for row in table], threshold)
    column_totals = _suppress_line([sum(row[c] for row in table) for c in range(width)], threshold)
    grand = sum(sum(row) for row in table)
    return SuppressedTable(
        counts=table,
        cells=tuple(tuple(row) for row in flags),
        row_totals=tuple(row_totals),
        column_totals=tuple(column_totals),
        grand_total=Suppression.PRIMARY if grand < threshold else None,
    )


def _suppress_cells(table: Sequence[Sequence[int]], width: int, threshold: int) -> list[list[Suppression | None]]:
    """Steps 1 and 2 of `suppress_table`: each cell's flag."""
    flags: list[list[Suppression | None]] = [
        [Suppression.PRIMARY if c < threshold else None for c in row] for row in table
    ]
    rows = [[(r, c) for c in range(width)] for r in range(len(table))]
    columns = [[(r, c) for r in range(len(table))] for c in range(width)]

    def lone_hidden(cells: Sequence[tuple[int, int]]) -> bool:
        return sum(1 for r, c in cells if flags[r][c]) == 1

    def choice(cell: tuple[int, int], along_row: bool) -> tuple[bool, int]:
        # Prefer a cell whose crossing line also has a lone hidden cell: hiding it mends both lines at once, where
        # the smallest cell elsewhere would start a new lone cell and cascade across the table.
        r, c = cell
        return not lone_hidden(columns[c] if along_row else rows[r]), table[r][c]

    lines = [(cells, True) for cells in rows] + [(cells, False) for cells in columns]
    changed = True
    while changed:
        changed = False
        for cells, along_row in lines:
            shown = [(r, c) for r, c in cells if not flags[r][c]]
            if lone_hidden(cells) and shown:
                r, c = min(shown, key=lambda cell: choice(cell, along_row))
                flags[r][c] = Suppression.SECONDARY
                changed = True
    return flags


def _suppress_line(values: Sequence[int], threshold: int) -> list[Suppression | None]:
    flags: list[Suppression | None] = [Suppression.PRIMARY if v < threshold else None for v in values]
    shown = [i for i, flag in enumerate(flags) if not flag]
    if len(values) - len(shown) == 1 and shown:
        flags[min(shown, key=lambda i: values[i])] = Suppression.SECONDARY
    return flags


# --- Raking ----------------------------------------------------------------------------------------------------------


class RakingError(ValueError):
    """The weights cannot be raked to these margins; the message says why and what to change."""


@dataclass(frozen=True)
class RakingResult:
    weights: tuple[float, ...]  # one per respondent, in input order, scaled to average 1
    iterations: int
    max_gap: float  # the largest |achieved share − target share| over all margins at the end


def rake(
    respondents: Sequence[Mapping[str, str | None]],
    margins: Mapping[str, Mapping[str, float]],
    *,
    normalise: bool = False,
    tolerance: float = 1e-6,
    max_iterations: int = 100,
    totals_tolerance: float = 0.01,
) -> RakingResult:
    """Rake (iterative proportional fitting) respondent weights so that weighted shares match population margins.

    `respondents`: each respondent's category per dimension, e.g. {"ethnicity": "Black", "sex": "Female",
    "age": None}; None (or a missing key) means not answered / prefer not to say.
    `margins`: per dimension, the population per category, as counts (e.g. Census 2021 residents) or as shares.

    Each dimension's margin is turned into shares. Margins given as counts must describe the same population, so
    their totals must agree within `totals_tolerance` (relative) or RakingError is raised; pass `normalise=True` to
    take each margin as shares whatever its total (e.g. shares from different sources).

    Respondents missing a dimension are left out of that dimension's adjustment: their weight is not changed by it,
    and the respondents who did answer are adjusted among themselves, keeping their total weight, so that their
    weighted shares match the margin. The margin is thereby assumed to hold for those who answered; the
    non-answerers are still adjusted by the other dimensions they did answer.

    Converged when every weighted share among answerers is within `tolerance` of its target; otherwise RakingError
    after `max_iterations` sweeps. Weights are scaled to average 1 so that they sum to the number of respondents.
    RakingError is also raised when a margin category with a positive target has no respondents, when a
    respondent's category is not in the margin, and when a category with respondents has a zero target.
    """
    if not respondents:
        raise RakingError("there are no respondents to weight")
    targets = _targets(margins, normalise=normalise, totals_tolerance=totals_tolerance)
    members = {dimension: _members(respondents, dimension, target) for dimension, target in targets.items()}
    weights = [1.0] * len(respondents)
    gap = _largest_gap(weights, members, targets)
    iterations = 0
    while gap > tolerance:
        if iterations == max_iterations:
            raise RakingError(
                f"raking did not converge in {max_iterations} iterations (largest gap {gap:.2g}); "
                "the margins may be inconsistent with who answered: merge sparse categories"
            )
        iterations += 1
        _rake_once(weights, members, targets)
        gap = _largest_gap(weights, members, targets)

    scale = len(weights) / sum(weights)
    return RakingResult(weights=tuple(w * scale for w in weights), iterations=iterations, max_gap=gap)


def _targets(
    margins: Mapping[str, Mapping[str, float]], *, normalise: bool, totals_tolerance: float
) -> dict[str, dict[str, float]]:
    """Each margin as shares; RakingError if one cannot be, or (unless `normalise`) their totals disagree."""
    targets: dict[str, dict[str, float]] = {}
    totals: dict[str, float] = {}
    for dimension, margin in margins.items():
        if any(v < 0 or not math.isfinite(v) for v in margin.values()):
            raise RakingError(f"the {dimension} margin has a negative or non-finite target")
        total = float(sum(margin.values()))
        if total <= 0:
            raise RakingError(f"the {dimension} margin adds up to nothing")
        totals[dimension] = total
        targets[dimension] = {category: value / total for category, value in margin.items()}
    if not normalise and totals:
        low, high = min(totals.values()), max(totals.values())
        if (high - low) / high > totals_tolerance:
            listed = ", ".join(f"{d} {t:g}" for d, t in totals.items())
            raise RakingError(
                f"the margins' totals disagree ({listed}), so they do not describe the same population; "
                "give them for the same population or pass normalise=True to use each as shares"
            )
    return targets


def _members(
    respondents: Sequence[Mapping[str, str | None]], dimension: str, target: Mapping[str, float]
) -> dict[str, list[int]]:
    """The respondents (by position) in each category of a dimension; RakingError if they cannot be raked to it."""
    groups: dict[str, list[int]] = {category: [] for category in target}
    for i, respondent in enumerate(respondents):
        category = respondent.get(dimension)
        if category is None:
            continue
        if category not in groups:
            raise RakingError(
                f"respondent {i} has {dimension} {category!r}, which is not in the margin "
                f"({', '.join(target)}); add it or map it to one of them"
            )
        groups[category].append(i)
    if not any(groups.values()):
        raise RakingError(f"nobody answered {dimension}, so there is nothing to rake it on")
    for category, share in target.items():
        if share > 0 and not groups[category]:
            raise RakingError(
                f"no respondent is in {dimension} {category!r}, which is {share:.1%} of the population: "
                "cannot rake; merge it with a neighbouring category or drop the dimension"
            )
        if share == 0 and groups[category]:
            raise RakingError(
                f"{len(groups[category])} respondent(s) are in {dimension} {category!r}, whose target is zero"
            )
    return groups


def _rake_once(
    weights: list[float], members: Mapping[str, Mapping[str, list[int]]], targets: Mapping[str, Mapping[str, float]]
) -> None:
    """One sweep: each dimension in turn, the answerers' weights scaled so that each category has its share."""
    for dimension, groups in members.items():
        answered = sum(weights[i] for group in groups.values() for i in group)
        for category, group in groups.items():
            if not group:
                continue
            current = sum(weights[i] for i in group)
            factor = targets[dimension][category] * answered / current
            for i in group:
                weights[i] *= factor


def _largest_gap(
    weights: Sequence[float], members: Mapping[str, Mapping[str, list[int]]], targets: Mapping[str, Mapping[str, float]]
) -> float:
    gap = 0.0
    for dimension, groups in members.items():
        answered = sum(weights[i] for group in groups.values() for i in group)
        for category, group in groups.items():
            achieved = sum(weights[i] for i in group) / answered
            gap = max(gap, abs(achieved - targets[dimension][category]))
    return gap


def weighted_margins(
    respondents: Sequence[Mapping[str, str | None]], weights: Sequence[float], dimension: str
) -> dict[str, float]:
    """Weighted shares of each category of `dimension` among the respondents who answered it."""
    totals: dict[str, float] = {}
    for respondent, weight in zip(respondents, weights, strict=True):
        category = respondent.get(dimension)
        if category is not None:
            totals[category] = totals.get(category, 0.0) + weight
    answered = sum(totals.values())
    return {category: total / answered for category, total in totals.items()} if answered else {}


# --- Kish effective sample size and weighted shares -----------------------------------------------------------------


def effective_sample_size(weights: Sequence[float]) -> float:
    """Kish's effective sample size (Σw)² / Σw²: equal weights give n; unequal weights give less."""
    if any(w < 0 for w in weights):
        raise ValueError("weights cannot be negative")
    squares = sum(w * w for w in weights)
    return sum(weights) ** 2 / squares if squares else 0.0


def design_effect(weights: Sequence[float]) -> float:
    """Kish's design effect from weighting, n / n_eff (= 1 + the squared coefficient of variation of the weights)."""
    n_eff = effective_sample_size(weights)
    if not n_eff:
        raise ValueError("the design effect needs at least one positive weight")
    return len(weights) / n_eff


@dataclass(frozen=True)
class WeightedShare:
    share: float  # Σw over those choosing the option / Σw over those answering
    n: int  # respondents answering the question
    n_eff: float
    design_effect: float
    margin_of_error: float  # z·√(p(1−p)/n_eff), the "± points" figure
    low: float  # Wilson interval on the effective sample size
    high: float


def weighted_proportion(chose: Sequence[bool], weights: Sequence[float], z: float = Z_95) -> WeightedShare | None:
    """The weighted share choosing an option among respondents who answered, with a margin of error using n_eff.

    `chose` and `weights` are one entry per respondent who answered the question. None when nobody did.
    The margin of error is the normal approximation z·√(p(1−p)/n_eff). The interval is the Wilson interval with
    n_eff in place of n (and p·n_eff successes), which agrees with p ± margin for middling p and n but, unlike it,
    stays within [0, 1] and does not collapse to zero width when p is 0 or 1.
    """
    if len(chose) != len(weights):
        raise ValueError("one weight per respondent")
    if not chose:
        return None
    total = sum(weights)
    if total <= 0:
        raise ValueError("weights must add up to more than zero")
    p = sum(w for c, w in zip(chose, weights, strict=True) if c) / total
    p = min(1.0, max(0.0, p))
    n_eff = effective_sample_size(weights)
    interval = wilson_interval(p * n_eff, n_eff, z)
    assert interval is not None  # n_eff > 0 because the total weight is
    return WeightedShare(
        share=p,
        n=len(chose),
        n_eff=n_eff,
        design_effect=len(chose) / n_eff,
        margin_of_error=z * math.sqrt(p * (1 - p) / n_eff),
        low=interval[0],
        high=interval[1],
    )


# --- How a survey is reported ----------------------------------------------------------------------------------------


class SamplingDesign(StrEnum):
    OPT_IN = "opt_in"  # anyone could answer: a consultation, a link shared online, a form at a meeting
    PROBABILITY = "probability"  # respondents were drawn at random from a known frame


@dataclass(frozen=True)
class Reporting:
    design: SamplingDesign
    weighted: bool
    margin_of_error: bool
    note: str  # the sentence shown with every table of results


def reporting_for(design: SamplingDesign | str) -> Reporting:
    """How results of a survey of this design are reported (DESIGN.md §4): only a probability sample is weighted
    and given a margin of error; an opt-in survey gets plain counts and shares, and the sentence saying why."""
    design = SamplingDesign(design)
    if design is SamplingDesign.PROBABILITY:
        return Reporting(design, weighted=True, margin_of_error=True, note=PROBABILITY_NOTE)
    return Reporting(design, weighted=False, margin_of_error=False, note=OPT_IN_NOTE)


# --- Trust and confidence: shares by wave and group, and the change between waves -----------------------------------


@dataclass(frozen=True)
class TrustShare:
    """Of `base` respondents who answered a trust measure, `positive` agreed (or rated good/excellent, or were
    confident), with the Wilson 95% interval. `suppressed`: hidden in shared outputs (docs/trust.md); a shared
    output must then show none of positive, base, share or interval."""

    positive: int
    base: int
    share: float | None
    low: float | None
    high: float | None
    suppressed: bool

    def shared(self) -> TrustShare:
        """This share as an output beyond the panel may carry it: numbers gone when suppressed."""
        if not self.suppressed:
            return self
        return TrustShare(positive=0, base=0, share=None, low=None, high=None, suppressed=True)


def trust_share(positive: int, base: int, *, suppressed: bool = False) -> TrustShare:
    interval = wilson_interval(positive, base)
    return TrustShare(
        positive=positive,
        base=base,
        share=positive / base if base else None,
        low=interval[0] if interval else None,
        high=interval[1] if interval else None,
        suppressed=suppressed,
    )


@dataclass(frozen=True)
class Difference:
    """A difference of two proportions, later − earlier, with its 95% interval."""

    difference: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        """The interval leaves out zero: a change unlikely to be chance alone (at the 5% level)."""
        return self.low > 0 or self.high < 0


def newcombe_difference(x1: int, n1: int, x2: int, n2: int, z: float = Z_95) -> Difference | None:
    """p2 − p1 for two independent proportions x1/n1 (earlier) and x2/n2 (later), with Newcombe's hybrid score
    interval (Newcombe 1998, "Interval estimation for the difference between independent proportions", method 10).

    From the Wilson intervals (l1, u1) and (l2, u2): low = d − √((p2 − l2)² + (u1 − p1)²) and
    high = d + √((u2 − p2)² + (p1 − l1)²). Unlike the Wald interval it stays within [−1, 1] and does not collapse
    when a share is 0 or 1. None when either base is 0.
    """
    first, second = wilson_interval(x1, n1, z), wilson_interval(x2, n2, z)
    if first is None or second is None:
        return None
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = first, second
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return Difference(difference=d, low=max(-1.0, low), high=min(1.0, high))


@dataclass(frozen=True)
class TrustChange:
    """The change in a trust share from one wave to the next. `suppressed` when either wave's share is: the change
    and one share would give the other away."""

    earlier: str
    later: str
    change: Difference | None
    suppressed: bool


@dataclass(frozen=True)
class TrustBreakdown:
    """One trust measure in one wave: the share for everyone, and per group of one demographic dimension.

    `groups` holds the groups asked for, in order; respondents in none of them (not answered, prefer not to say)
    count in `overall` only, but are part of the suppression table so that they cannot be recovered by subtraction.
    """

    overall: TrustShare
    groups: dict[str, TrustShare]


NO_GROUP = "\x00none"  # the column of respondents in no listed group, in the suppression table only


def trust_breakdown(
    answers: Sequence[tuple[bool, str | None]],
    groups: Sequence[str] = (),
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> TrustBreakdown:
    """Shares positive overall and by group for one measure in one wave.

    `answers`: one (positive, group) per respondent who answered the measure; group None (or not in `groups`) for
    a respondent in no listed group. Suppression is `suppress_table` over the table whose rows are positive and not
    positive and whose columns are the groups plus "no group": a group's share is hidden when either of its cells
    is, the overall share when either row total is. So a share never reveals a count under `threshold` of either
    kind ("3 of 40 disagreed" discloses as much as "3 agreed"), nor one that subtraction would give back.
    """
    columns = [*groups, NO_GROUP]
    index = {g: i for i, g in enumerate(groups)}
    counts = [[0] * len(columns) for _ in range(2)]
    for positive, group in answers:
        column = index.get(group, len(groups)) if group is not None else len(groups)
        counts[0 if positive else 1][column] += 1
    table = suppress_table(counts, threshold=threshold)
    yes_total, no_total = sum(counts[0]), sum(counts[1])
    overall = trust_share(yes_total, yes_total + no_total, suppressed=any(table.row_totals))
    by_group = {
        group: trust_share(
            counts[0][i], counts[0][i] + counts[1][i], suppressed=bool(table.cells[0][i] or table.cells[1][i])
        )
        for i, group in enumerate(groups)
    }
    return TrustBreakdown(overall=overall, groups=by_group)


def trust_changes(waves: Sequence[str], shares: Mapping[str, TrustShare]) -> list[TrustChange]:
    """The change from each wave to the next (waves in date order) for waves that have a share with a base."""
    present = [w for w in waves if w in shares and shares[w].base]
    changes = []
    for earlier, later in pairwise(present):
        a, b = shares[earlier], shares[later]
        changes.append(
            TrustChange(
                earlier=earlier,
                later=later,
                change=newcombe_difference(a.positive, a.base, b.positive, b.base),
                suppressed=a.suppressed or b.suppressed,
            )
        )
    return changes
