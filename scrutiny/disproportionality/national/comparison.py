"""How the forces compare: for each group against White, England and Wales's ratio, each force's place on the funnel
plot (Spiegelhalter's control limits, `scrutiny.stats.funnel`) and its rank with a 95 % interval
(`scrutiny.stats.ranks`), and the over-dispersion; then, from a finished report, how one force compares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from panels.models import Organisation
from scrutiny import stats as st
from scrutiny.disproportionality.national.figures import ForceFigures, Shown
from scrutiny.stats import funnel as fn
from scrutiny.stats import ranks as rk

# The groups compared with White, Black first (the ratio most often asked about).
COMPARED = ("Black", "Asian", "Mixed", "Other")


def compare(
    rows: Sequence[ForceFigures],
    national: ForceFigures,
    shown: Mapping[int, Shown] | None,
    national_shown: Shown | None,
) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """For each compared group: England and Wales's ratio, the funnel point, position and rank of each force, and the
    over-dispersion; from the figures shown when `shown` is given (public)."""
    summary: dict[str, Any] = {}
    by_force: dict[int, dict[str, Any]] = {r.org.pk: {} for r in rows}
    totals = national.group_counts()
    pk_of = {r.org.police_uk_id: r.org.pk for r in rows}
    for g in COMPARED:
        reference, entry = _group_entry(g, totals, national_shown)
        summary[g] = entry
        if reference is None:
            continue
        points, inputs = _funnel_inputs(rows, g, reference, shown)
        dispersion = fn.overdispersion([(p.observed, p.expected) for p in points])
        ranks = rk.rank_intervals(inputs)
        for p in points:
            entry["positions"][p.position] += 1
            by_force[pk_of[p.key]][g] = _force_entry(p, reference, dispersion.tau2, ranks[p.key])
        entry["forces_compared"] = len(points)
        entry["overdispersion"] = {
            "forces": dispersion.units,
            "phi": dispersion.phi,
            "p_value": dispersion.p_value,
            "tau2": dispersion.tau2,
            "overdispersed": dispersion.overdispersed,
        }
    return summary, by_force


def _group_entry(
    g: str, totals: Mapping[str, st.GroupCounts], national_shown: Shown | None
) -> tuple[float | None, dict[str, Any]]:
    """England and Wales's ratio for the group, as the funnel's reference (None: not shown, or none to draw a funnel
    around), and the group's summary, its counts of forces still to be filled in."""
    own, white = totals[g], totals["White"]
    reference = st.rate_ratio(own.searches, own.population, white.searches, white.population)
    interval = st.rate_ratio_ci(own.searches, own.population, white.searches, white.population)
    visible = national_shown is None or (national_shown.searches[g] and national_shown.searches["White"])
    entry: dict[str, Any] = {
        "reference_ratio": reference if visible else None,
        "reference_ci95": [interval.low, interval.high] if visible and interval else None,
        "forces_compared": 0,
        "overdispersion": None,
        "positions": dict.fromkeys(fn.POSITIONS, 0),
    }
    if not visible or reference is None or reference <= 0:
        return None, entry
    return reference, entry


def _funnel_inputs(
    rows: Sequence[ForceFigures], g: str, reference: float, shown: Mapping[int, Shown] | None
) -> tuple[list[fn.FunnelPoint], list[rk.RankInput]]:
    """The funnel points and rank inputs of the territorial forces with figures to compare for the group (in a
    public report, only those whose searches of the group and of White people it shows)."""
    points: list[fn.FunnelPoint] = []
    inputs: list[rk.RankInput] = []
    for r in rows:
        if not r.territorial or r.covered == 0:
            continue
        c = r.group_counts()
        o, w = c[g], c["White"]
        if w.searches == 0 or o.population <= 0 or w.population <= 0:
            continue
        if shown is not None and not (shown[r.org.pk].searches[g] and shown[r.org.pk].searches["White"]):
            continue
        expected = fn.expected_count(reference, w.searches, o.population, w.population)
        points.append(fn.funnel_point(r.org.police_uk_id, o.searches, expected, reference))
        inputs.append(rk.RankInput(r.org.police_uk_id, o.searches, w.searches, o.population, w.population))
    return points, inputs


def _force_entry(p: fn.FunnelPoint, reference: float, tau2: float | None, rank: rk.Rank) -> dict[str, Any]:
    """Where one force sits for one group: its point, the limits at its volume, and its rank."""
    adjusted = fn.outside_adjusted(p, tau2) if tau2 is not None else None
    return {
        "observed": p.observed,
        "expected": p.expected,
        "ratio": p.ratio,
        "standardised": p.standardised,
        "position": p.position,
        "position_text": fn.POSITION_SHORT[p.position],
        "limits": {
            "lower_998": p.limits.lower_998 * reference,
            "lower_95": p.limits.lower_95 * reference,
            "upper_95": p.limits.upper_95 * reference,
            "upper_998": p.limits.upper_998 * reference,
        },
        "outside_limits_allowing_overdispersion": adjusted,
        "rank": {"rank": rank.rank, "low": rank.low, "high": rank.high, "of": rank.of},
        "rank_text": rk.describe(rank),
    }


@dataclass(frozen=True)
class GroupComparison:
    """How one force compares for one group against White: its ratio beside England and Wales's, where it sits
    on the funnel and its rank. `shown` False: the force is not on the funnel for this group (too few searches to
    show, in a public report, or none of White people)."""

    group: str
    shown: bool
    ratio: float | None = None
    interval: list[float] | None = None
    reference_ratio: float | None = None
    position: str | None = None
    position_label: str = ""
    rank_text: str = ""


def how_force_compares(report: Mapping[str, Any], police_uk_id: str) -> list[GroupComparison] | None:
    """For a territorial force with months held: one entry per compared group (Black first). None otherwise."""
    row = force_comparison(report, police_uk_id)
    if row is None or not row["territorial"] or not row["months_covered"]:
        return None
    out = []
    for g in COMPARED:
        c = row["compare"].get(g)
        reference = report["comparison"][g]["reference_ratio"]
        if c is None:
            out.append(GroupComparison(g, False, reference_ratio=reference))
            continue
        out.append(
            GroupComparison(
                group=g,
                shown=True,
                ratio=c["ratio"],
                interval=row["groups"][g]["rate_ratio_ci95"],
                reference_ratio=reference,
                position=c["position"],
                position_label=fn.POSITION_LABELS[c["position"]],
                rank_text=c["rank_text"],
            )
        )
    return out


@dataclass(frozen=True)
class ForceComparison:
    """How one force compares with the others over a national report's period: a comparison per group, and how
    many of the period's months it holds."""

    force: Organisation
    groups: list[GroupComparison]
    months_covered: int
    months: int


def forces_compared(report: Mapping[str, Any], forces: Iterable[Organisation]) -> list[ForceComparison]:
    """How each of `forces` compares in the report (the force area's page and the pack): those it holds figures
    for, in the order given."""
    out = []
    for force in forces:
        groups = how_force_compares(report, force.police_uk_id)
        row = force_comparison(report, force.police_uk_id)
        if groups is not None and row is not None:
            out.append(ForceComparison(force, groups, row["months_covered"], report["months"]))
    return out


def force_comparison(report: Mapping[str, Any], police_uk_id: str) -> dict[str, Any] | None:
    """One force's row of a national report (its figures and where it sits), or None if it is not in it."""
    for row in [*report["forces"], *report["other_forces"]]:
        if row["force"] == police_uk_id:
            return row
    return None
