"""The figures of each force and of England and Wales over a period, and what a public report may show of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from common.months import month_text
from panels.census import population_by_five_group
from panels.models import Organisation
from scrutiny import stats as st
from scrutiny.disproportionality import report as reporting
from scrutiny.disproportionality.national.counts import KEYS, SLOTS, WIDTH
from scrutiny.disproportionality.national.coverage import MissingMonth
from scrutiny.disproportionality.national.forces import is_territorial


@dataclass
class ForceFigures:
    """One force's counts over its covered months, and its populations for those months."""

    org: Organisation
    territorial: bool
    covered: int
    cells: list[int]  # SLOTS × KEYS then vehicle-only
    population: dict[str, int] = field(default_factory=dict)

    def count(self, group: str | None, key: str = "searches") -> int:
        return self.cells[SLOTS.index(group) * len(KEYS) + KEYS.index(key)]

    @property
    def vehicle_only(self) -> int:
        return self.cells[-1]

    def group_counts(self) -> dict[str, st.GroupCounts]:
        return {
            g: st.GroupCounts(
                searches=self.count(g),
                population=self.population.get(g, 0),
                outcome_linked_recorded=self.count(g, "linked_recorded"),
                outcome_linked=self.count(g, "linked"),
                arrests=self.count(g, "arrests"),
            )
            for g in st.GROUPS
        }


def gather(
    forces: Sequence[Organisation],
    months: Sequence[date],
    counts: Mapping[str, list[int]],
    missing: Sequence[MissingMonth],
) -> list[ForceFigures]:
    gone = {(m.force, m.month) for m in missing}
    out = []
    for force in forces:
        cells = [0] * WIDTH
        covered = 0
        for month in months:
            if (force.police_uk_id, month) in gone:
                continue  # a missing month's records, if any, are left out with its population
            covered += 1
            for i, v in enumerate(counts.get(f"{force.pk}:{month_text(month)}", ())):
                cells[i] += v
        territorial = is_territorial(force)
        population: dict[str, int] = {}
        if territorial:
            assert force.force_area is not None
            whole = population_by_five_group(force.force_area.code)
            population = {g: round(whole[g] * covered / len(months)) for g in st.GROUPS}
        out.append(ForceFigures(force, territorial, covered, cells, population))
    return out


def _total(counts: Mapping[str, st.GroupCounts], not_stated: int) -> int:
    return sum(c.searches for c in counts.values()) + not_stated


@dataclass
class Shown:
    """Which figures of one row (a force or England and Wales) a public report may show."""

    searches: dict[str, bool]
    arrests: dict[str, bool]
    not_stated: bool
    vehicle_only: bool
    total: bool


def _all_shown() -> Shown:
    return Shown(dict.fromkeys(st.GROUPS, True), dict.fromkeys(st.GROUPS, True), True, True, True)


def _group_json(g: st.GroupStats, *, territorial: bool, shown: Shown | None, white_shown: bool) -> dict[str, Any]:
    out = reporting.group_json(g)
    if not territorial:
        # No resident population: no rate per 1,000 and no ratio (docs/national.md).
        out.update(population=None, rate_per_1000=None, rate_ratio_vs_white=None, rate_ratio_ci95=None)
    if shown is None:
        return out
    visible = shown.searches[g.group]
    c = g.counts
    find = visible and st.share_is_shown(c.outcome_linked, c.outcome_linked_recorded)
    if not visible:
        out.update(searches=None, rate_per_1000=None)
    if not (visible and white_shown):
        out.update(rate_ratio_vs_white=None, rate_ratio_ci95=None)
    if not find:
        out.update(find_rate=None, find_rate_ci95=None)
    if not (visible and shown.arrests[g.group]):
        out["arrest_rate"] = None
    return out


def row_json(
    counts: Mapping[str, st.GroupCounts], not_stated: int, vehicle_only: int, *, territorial: bool, shown: Shown | None
) -> dict[str, Any]:
    d = st.disproportionality(counts, not_stated=not_stated)
    white = shown is None or shown.searches["White"]
    return {
        "total": d.total if shown is None or shown.total else None,
        "vehicle_only_excluded": vehicle_only if shown is None or shown.vehicle_only else None,
        "not_stated": d.not_stated if shown is None or shown.not_stated else None,
        "groups": {
            name: _group_json(g, territorial=territorial, shown=shown, white_shown=white)
            for name, g in d.groups.items()
        },
    }


def suppress(rows: Sequence[ForceFigures], national: ForceFigures) -> tuple[dict[int, Shown], Shown]:
    """What a public report may show of each force and of England and Wales.

    Every count under 10 is hidden. England and Wales adds up the territorial forces, so each of its figures is a
    published sum: for each group's searches, not stated, vehicle-only searches, each group's arrests (an arrest rate
    and a count of searches give the arrests back) and the totals, while the forces' hidden cells add up to 1 to 9
    the smallest cell still shown is hidden as well (`stats.cells_to_hide`). Within a row, a total is hidden when
    its hidden cells add up to 1 to 9, as in the per-force public report. British Transport Police is not part of
    any sum, so only its own small counts are hidden.
    """
    shown = {r.org.pk: _all_shown() for r in rows}
    summed = [r for r in rows if r.territorial]

    def column(get: Any, mark: Any, also: Iterable[int] = ()) -> None:
        cells = {r.org.pk: get(r) for r in summed}
        for pk in st.cells_to_hide(cells, also=also):
            mark(shown[pk])
        for r in rows:
            if not r.territorial and st.is_suppressed(get(r)):
                mark(shown[r.org.pk])

    for g in st.GROUPS:
        column(lambda r, g=g: r.count(g), lambda s, g=g: s.searches.__setitem__(g, False))
        searches_hidden = [r.org.pk for r in summed if not shown[r.org.pk].searches[g]]
        column(
            lambda r, g=g: r.count(g, "arrests"),
            lambda s, g=g: s.arrests.__setitem__(g, False),
            also=searches_hidden,
        )
    column(lambda r: r.count(None), lambda s: setattr(s, "not_stated", False))
    column(lambda r: r.vehicle_only, lambda s: setattr(s, "vehicle_only", False))
    for r in rows:
        s = shown[r.org.pk]
        hidden = [r.count(g) for g in st.GROUPS if not s.searches[g]] + ([] if s.not_stated else [r.count(None)])
        total = _total(r.group_counts(), r.count(None))
        s.total = not (st.is_suppressed(total) or 0 < sum(hidden) < st.SUPPRESS_BELOW)
    totals_hidden = [r.org.pk for r in summed if not shown[r.org.pk].total]
    column(lambda r: _total(r.group_counts(), r.count(None)), lambda s: setattr(s, "total", False), totals_hidden)

    # England and Wales's own figures: its small counts hidden, its total by the row rule.
    n = national
    searches = {g: not st.is_suppressed(n.count(g)) for g in st.GROUPS}
    arrests = {g: searches[g] and st.share_is_shown(n.count(g, "arrests"), n.count(g)) for g in st.GROUPS}
    hidden = [n.count(g) for g in st.GROUPS if not searches[g]]
    not_stated = not st.is_suppressed(n.count(None))
    if not not_stated:
        hidden.append(n.count(None))
    total = _total(n.group_counts(), n.count(None))
    whole = not (st.is_suppressed(total) or 0 < sum(hidden) < st.SUPPRESS_BELOW)
    return shown, Shown(searches, arrests, not_stated, not st.is_suppressed(n.vehicle_only), whole)


def england_and_wales(rows: Sequence[ForceFigures]) -> ForceFigures:
    summed = [r for r in rows if r.territorial]
    cells = [sum(r.cells[i] for r in summed) for i in range(WIDTH)]
    population = {g: sum(r.population[g] for r in summed) for g in st.GROUPS}
    covered = sum(r.covered for r in summed)
    return ForceFigures(
        org=Organisation(name="England and Wales"),
        territorial=True,
        covered=covered,
        cells=cells,
        population=population,
    )
