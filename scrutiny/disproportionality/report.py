"""Disproportionality reports: the grouped queries over encounter records, the Census denominators, the cache, and the
JSON the command and the API return (docs/disproportionality.md holds the definitions).

Each report runs one grouped query over the records table (the database counts, never a Python loop over records),
then hands plain counts to the pure statistics in scrutiny/stats/. Reports are cached per query under a key that
holds the parameters and a data version per force; importing records for a force changes that force's version
(`records.versions.records_changed`, called by every writer of records), so a cached report never outlives the
data it was made from.

Public functions (every one takes forces, from_month, to_month and ethnicity as `ReportQuery` or plain values):
- `disproportionality_report(...)`: the contract's dict, unsuppressed (for the roles in scrutiny/reporting_access.py);
- `public_disproportionality_report(...)`: the same dict with small counts suppressed, for public pages;
- `disproportionality_breakdown(..., by=...)`: the same figures within each legislation, object of search, age range,
  gender or month;
- `monthly_trend(...)`: one entry per month of the period (months without searches included);
- `report_details(...)`: what a page or pack shows beside the contract: the officer-defined view, the share not
  stated and the ratios' bounds if those searches were allocated, arrest-rate intervals, the Relative Rate Index.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict

from django.core.cache import cache
from django.db.models import Count, Q

from common.months import month_text, parse_month
from panels.census import population_by_five_group
from panels.models import ForceArea, Organisation
from scrutiny import choices
from scrutiny import stats as st
from scrutiny.records.models import EncounterRecord
from scrutiny.records.versions import CACHE_PREFIX, data_versions, database_tag

ETHNICITY_VIEWS = ("self", "officer")
# The record's field for each view, and its codes for the five groups (anything else is "not stated").
GROUP_FIELD = {"self": "ethnic_group", "officer": "officer_defined_ethnicity"}
GROUP_CODES: dict[str, str] = {
    choices.EthnicGroup.ASIAN: "Asian",
    choices.EthnicGroup.BLACK: "Black",
    choices.EthnicGroup.MIXED: "Mixed",
    choices.EthnicGroup.WHITE: "White",
    choices.EthnicGroup.OTHER: "Other",
}
# The breakdowns a report can be split by: the record's field and its vocabulary (None: months).
BREAKDOWNS: dict[str, tuple[str, Any]] = {
    "legislation": ("legislation", choices.Legislation),
    "object_of_search": ("object_of_search", choices.ObjectOfSearch),
    "age_range": ("age_range", choices.AgeRange),
    "gender": ("gender", choices.Gender),
    "month": ("month", None),
}
CACHE_SECONDS = 24 * 60 * 60


# --- parameters --------------------------------------------------------------------------------------------------


class ReportQueryError(ValueError):
    """Parameters that do not make a report, with messages by parameter ("force", "from", "to", "ethnicity")."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ReportQuery:
    forces: tuple[Organisation, ...]  # with force_area loaded, ordered by data.police.uk id
    from_month: date
    to_month: date
    ethnicity: str = "self"

    @property
    def force_ids(self) -> list[str]:
        return [f.police_uk_id for f in self.forces]

    @property
    def population(self) -> dict[str, int]:
        """Census 2021 usual residents of the forces' areas by group (each area once)."""
        totals = dict.fromkeys(st.GROUPS, 0)
        for code in sorted({f.force_area.code for f in self.forces if f.force_area is not None}):
            for group, count in population_by_five_group(code).items():
                totals[group] += count
        return totals

    def records(self) -> Any:
        """The query's stop-and-search records still published (vehicle-only ones included: the caller chooses)."""
        return EncounterRecord.objects.current().filter(
            kind=choices.Kind.STOP_SEARCH,
            force_id__in=[f.pk for f in self.forces],
            month__gte=self.from_month,
            month__lte=self.to_month,
        )

    def header(self) -> dict[str, Any]:
        return {
            "forces": self.force_ids,
            "from": month_text(self.from_month),
            "to": month_text(self.to_month),
            "ethnicity": self.ethnicity,
        }


def report_query(
    forces: Iterable[Organisation | str], from_month: Any, to_month: Any, ethnicity: str = "self"
) -> ReportQuery:
    """Check a report's parameters; ReportQueryError saying what is wrong with each one that is.

    `forces` are data.police.uk force ids (as the command and the API take them) or force organisations.
    """
    errors: dict[str, list[str]] = {}
    wanted = list(forces)
    names = sorted({f if isinstance(f, str) else f.police_uk_id for f in wanted})
    found: list[Organisation] = []
    if not names or not all(names):
        errors["force"] = ["Give at least one force, by its data.police.uk id (e.g. cheshire)."]
    else:
        found = list(
            Organisation.objects.filter(kind=Organisation.Kind.FORCE, police_uk_id__in=names)
            .select_related("force_area")
            .order_by("police_uk_id")
        )
        unknown = sorted(set(names) - {f.police_uk_id for f in found})
        if unknown:
            errors["force"] = [f'Unknown force "{name}".' for name in unknown]
        elif any(f.force_area is None for f in found):
            # British Transport Police polices the railways: no resident population, so no rate per 1,000.
            errors["force"] = [
                f"{f.name} has no resident population, so no rates per 1,000 residents: see the national page."
                for f in found
                if f.force_area is None
            ]
    start, end = period_months(from_month, to_month, errors)
    if ethnicity not in ETHNICITY_VIEWS:
        errors["ethnicity"] = [f'Ethnicity must be "self" or "officer", not "{ethnicity}".']
    if errors:
        raise ReportQueryError(errors)
    assert start is not None
    assert end is not None
    return ReportQuery(tuple(found), start, end, ethnicity)


def period_months(from_month: Any, to_month: Any, errors: dict[str, list[str]]) -> tuple[date | None, date | None]:
    """A period's first and last months, from "YYYY-MM" texts (or dates); what is wrong with them added to `errors`
    by parameter ("from", "to")."""
    start, end = parse_month(from_month), parse_month(to_month)
    for key, which, raw, parsed in (("from", "first", from_month, start), ("to", "last", to_month, end)):
        if raw in (None, ""):
            errors[key] = [f"Give the {which} month of the period: write YYYY-MM, e.g. 2025-06."]
        elif parsed is None:
            errors[key] = [f'"{raw}" is not a month: write YYYY-MM, e.g. 2025-06.']
    if start and end and start > end:
        errors["from"] = [f"The period starts ({month_text(start)}) after it ends ({month_text(end)})."]
    return start, end


def _as_query(query: ReportQuery | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> ReportQuery:
    return query if query is not None else report_query(*args, **kwargs)


# --- the grouped queries ---------------------------------------------------------------------------------------


def _outcome_counts() -> dict[str, Count]:
    return {
        "searches": Count("pk"),
        "linked_recorded": Count("pk", filter=Q(outcome_linked_to_object__isnull=False)),
        "linked": Count("pk", filter=Q(outcome_linked_to_object=True)),
        "arrests": Count("pk", filter=Q(outcome=choices.Outcome.ARREST)),
    }


class _Cell(TypedDict):
    searches: int
    linked_recorded: int
    linked: int
    arrests: int


@dataclass
class _Tally:
    """Counts of one table (the period, or one category of a breakdown): by group, not stated, vehicle-only."""

    groups: dict[str, _Cell]
    not_stated: int = 0
    vehicle_only: int = 0

    def add(self, group: str | None, row: dict[str, Any]) -> None:
        if group is None:
            self.not_stated += row["searches"]
            return
        cell = self.groups.setdefault(group, {"searches": 0, "linked_recorded": 0, "linked": 0, "arrests": 0})
        for key in ("searches", "linked_recorded", "linked", "arrests"):
            cell[key] += row[key]


def _group_of(code: str) -> str | None:
    return GROUP_CODES.get(code)


def _period_tally(query: ReportQuery) -> _Tally:
    """One grouped query: searches and outcomes by group and by the vehicle-only flag."""
    field = GROUP_FIELD[query.ethnicity]
    rows = query.records().values(field, "vehicle_only").annotate(**_outcome_counts()).order_by()
    tally = _Tally(groups={})
    for row in rows:
        if row["vehicle_only"]:
            tally.vehicle_only += row["searches"]
        else:
            tally.add(_group_of(row[field]), row)
    return tally


def _breakdown_tallies(query: ReportQuery, by: str) -> dict[Any, _Tally]:
    """One grouped query: searches and outcomes by category and group, vehicle-only searches left out."""
    dimension = BREAKDOWNS[by][0]
    field = GROUP_FIELD[query.ethnicity]
    rows = query.records().filter(vehicle_only=False).values(dimension, field).annotate(**_outcome_counts()).order_by()
    tallies: dict[Any, _Tally] = {}
    for row in rows:
        tallies.setdefault(row[dimension], _Tally(groups={})).add(_group_of(row[field]), row)
    return tallies


# --- from counts to the contract's JSON ------------------------------------------------------------------------


def _statistics(tally: _Tally, population: dict[str, int]) -> st.Disproportionality:
    counts = {
        g: st.GroupCounts(
            searches=cell["searches"],
            population=population[g],
            outcome_linked_recorded=cell["linked_recorded"],
            outcome_linked=cell["linked"],
            arrests=cell["arrests"],
        )
        for g, cell in tally.groups.items()
    }
    for g in st.GROUPS:
        counts.setdefault(g, st.GroupCounts(0, population[g]))
    return st.disproportionality(counts, not_stated=tally.not_stated)


def _interval(value: tuple[float, float] | st.RatioInterval | None) -> list[float] | None:
    if value is None:
        return None
    if isinstance(value, st.RatioInterval):
        return [value.low, value.high]
    return [value[0], value[1]]


def group_json(g: st.GroupStats) -> dict[str, Any]:
    """One group as the contract writes it."""
    return {
        "searches": g.searches,
        "population": g.population,
        "rate_per_1000": g.rate_per_1000,
        "rate_ratio_vs_white": g.rate_ratio_vs_reference,
        "rate_ratio_ci95": _interval(g.rate_ratio_ci95),
        "find_rate": g.find_rate,
        "find_rate_ci95": _interval(g.find_rate_ci95),
        "arrest_rate": g.arrest_rate,
        "unstable": g.unstable,
    }


def public_group_json(g: st.GroupStats, reference: st.GroupStats) -> dict[str, Any]:
    """One group with small numbers suppressed: a count under 10 and anything it could be worked back from
    (its rate and ratio; a share whose numerator or denominator is under 10; every ratio when the reference group's
    count is suppressed) become null."""
    shown = not st.is_suppressed(g.searches)
    ratios = shown and not st.is_suppressed(reference.searches)
    c = g.counts
    find = shown and st.share_is_shown(c.outcome_linked, c.outcome_linked_recorded)
    arrest = shown and st.share_is_shown(c.arrests, c.searches)
    return {
        "searches": g.searches if shown else None,
        "population": g.population,
        "rate_per_1000": g.rate_per_1000 if shown else None,
        "rate_ratio_vs_white": g.rate_ratio_vs_reference if ratios else None,
        "rate_ratio_ci95": _interval(g.rate_ratio_ci95) if ratios else None,
        "find_rate": g.find_rate if find else None,
        "find_rate_ci95": _interval(g.find_rate_ci95) if find else None,
        "arrest_rate": g.arrest_rate if arrest else None,
        "unstable": g.unstable,
    }


def _contract(query: ReportQuery, tally: _Tally, *, public: bool = False) -> dict[str, Any]:
    d = _statistics(tally, query.population)
    reference = d.groups[d.reference]
    groups = {name: public_group_json(g, reference) if public else group_json(g) for name, g in d.groups.items()}
    out = {
        **query.header(),
        "total": d.total,
        "vehicle_only_excluded": tally.vehicle_only,
        "not_stated": d.not_stated,
        "groups": groups,
    }
    if public:
        cells = [g.searches for g in d.groups.values()] + [d.not_stated]
        hidden = [c for c in cells if st.is_suppressed(c)]
        out["not_stated"] = st.suppress(d.not_stated)
        out["vehicle_only_excluded"] = st.suppress(tally.vehicle_only)
        # The total minus the shown cells is the hidden cells' sum: when that is 1 to 9 people (one hidden cell,
        # or several adding up to under 10) the total would give a small number away. A sum of 0 identifies nobody.
        revealing = 0 < sum(hidden) < st.SUPPRESS_BELOW
        out["total"] = None if revealing or st.is_suppressed(d.total) else d.total
    return out


def area_forces(area: ForceArea) -> list[Organisation]:
    """The area's police forces that have a data.police.uk id (the ones whose records are reported)."""
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.FORCE, force_area=area)
        .exclude(police_uk_id="")
        .select_related("force_area")
        .order_by("police_uk_id")
    )


# --- the cache ---------------------------------------------------------------------------------------------------


def _cached(
    kind: str, query: ReportQuery, extra: dict[str, Any], compute: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    pks = sorted(f.pk for f in query.forces)
    material = json.dumps([kind, query.header(), extra, pks, data_versions(pks)], sort_keys=True, separators=(",", ":"))
    key = f"{CACHE_PREFIX}:{database_tag()}:{kind}:{hashlib.sha256(material.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


# --- the reports -------------------------------------------------------------------------------------------------


def disproportionality_report(*args: Any, query: ReportQuery | None = None, **kwargs: Any) -> dict[str, Any]:
    """The contract's report: `disproportionality_report(forces, from_month, to_month, ethnicity="self")`.

    Unsuppressed: only for the roles in scrutiny/reporting_access.py. Cached per query and data version.
    """
    q = _as_query(query, args, kwargs)
    return _cached("report", q, {}, lambda: _contract(q, _period_tally(q)))


def public_disproportionality_report(*args: Any, query: ReportQuery | None = None, **kwargs: Any) -> dict[str, Any]:
    """The contract's report with small numbers suppressed (null), for anything public."""
    q = _as_query(query, args, kwargs)
    return _cached("public", q, {}, lambda: _contract(q, _period_tally(q), public=True))


def _category_label(by: str, value: Any) -> str:
    vocabulary = BREAKDOWNS[by][1]
    if vocabulary is None:
        return month_text(value)
    try:
        return str(vocabulary(value).label)
    except ValueError:
        return str(value)


def disproportionality_breakdown(
    *args: Any, by: str, query: ReportQuery | None = None, public: bool = False, **kwargs: Any
) -> dict[str, Any]:
    """The report within each category of `by` (legislation, object_of_search, age_range, gender, month).

    `{..header, "by": by, "categories": [{"value", "label", "total", "not_stated", "groups": {...}}]}`, categories
    in their vocabulary's order ("not recorded" first), months in order; only categories with searches appear.
    Populations are the groups' whole populations (the Census table bundled is not split by age or gender).
    """
    if by not in BREAKDOWNS:
        raise ReportQueryError({"by": [f"Break down by one of {', '.join(BREAKDOWNS)}, not {by!r}."]})
    q = _as_query(query, args, kwargs)

    def compute() -> dict[str, Any]:
        tallies = _breakdown_tallies(q, by)
        vocabulary = BREAKDOWNS[by][1]
        order = [c.value for c in vocabulary] if vocabulary is not None else sorted(tallies)
        order += sorted((v for v in tallies if v not in order), key=str)
        categories = []
        for value in order:
            if value not in tallies:
                continue
            report = _contract(q, tallies[value], public=public)
            categories.append(
                {
                    "value": month_text(value) if by == "month" else value,
                    "label": _category_label(by, value),
                    "total": report["total"],
                    "not_stated": report["not_stated"],
                    "groups": report["groups"],
                }
            )
        return {**q.header(), "by": by, "categories": categories}

    return _cached("breakdown", q, {"by": by, "public": public}, compute)


def _months(start: date, end: date) -> list[date]:
    out, month = [], start
    while month <= end:
        out.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def monthly_trend(*args: Any, query: ReportQuery | None = None, public: bool = False, **kwargs: Any) -> dict[str, Any]:
    """One entry per month of the period, months without searches included (with zero searches):
    `{..header, "months": [{"month": "YYYY-MM", "total", "not_stated", "groups": {...}}]}`. The Black/White ratio
    of a month is `groups["Black"]["rate_ratio_vs_white"]`, with its interval beside it."""
    q = _as_query(query, args, kwargs)

    def compute() -> dict[str, Any]:
        by_month = {
            c["value"]: c for c in disproportionality_breakdown(query=q, by="month", public=public)["categories"]
        }
        empty = _contract(q, _Tally(groups={}), public=public)
        months = []
        for month in _months(q.from_month, q.to_month):
            entry = by_month.get(month_text(month))
            source = entry if entry is not None else empty
            months.append(
                {
                    "month": month_text(month),
                    "total": source["total"],
                    "not_stated": source["not_stated"],
                    "groups": source["groups"],
                }
            )
        return {**q.header(), "months": months}

    return _cached("trend", q, {"public": public}, compute)


def report_details(*args: Any, query: ReportQuery | None = None, **kwargs: Any) -> dict[str, Any]:
    """What a reporting page or pack shows beside the contract (unsuppressed, like `disproportionality_report`):

    `{"self": <contract, self-defined>, "officer": <contract, officer-defined>, "not_stated_share": x,
    "rate_ratio_bounds_not_stated": {group: [lo, hi]}, "arrest_rate_ci95": {group: [lo, hi]},
    "relative_rate_index": {"search": {group: x}, "arrest": {group: x}}}` (the index from population to search,
    and from search to arrest). The `ethnicity` parameter is ignored: both views are given.
    """
    q = _as_query(query, args, kwargs)
    self_q = ReportQuery(q.forces, q.from_month, q.to_month, "self")
    officer_q = ReportQuery(q.forces, q.from_month, q.to_month, "officer")

    def compute() -> dict[str, Any]:
        tally = _period_tally(self_q)
        population = self_q.population
        d = _statistics(tally, population)
        counts = {g: s.counts for g, s in d.groups.items()}
        stages = [
            st.Stage("population", population),
            st.Stage("search", {g: c.searches for g, c in counts.items()}),
            st.Stage("arrest", {g: c.arrests for g, c in counts.items()}),
        ]
        rri = st.relative_rate_index(stages)
        return {
            "self": _contract(self_q, tally),
            "officer": disproportionality_report(query=officer_q),
            "not_stated_share": d.not_stated_share,
            "rate_ratio_bounds_not_stated": {
                g: (list(b) if b else None) for g, b in st.not_stated_bounds(counts, not_stated=d.not_stated).items()
            },
            "arrest_rate_ci95": {g: _interval(s.arrest_rate_ci95) for g, s in d.groups.items()},
            "relative_rate_index": {r.stage: r.by_group for r in rri},
        }

    return _cached("details", self_q, {}, compute)
