"""The national comparison: every force of England and Wales beside the others (docs/national.md).

For a period of whole months (the latest 12 with data, or a financial year), for England and Wales as a whole and
for each force: searches per 1,000 residents by the five Census groups, the ratio against White with its interval,
find and arrest rates, totals, not stated and vehicle-only searches excluded; which force-months are missing; and,
for each group against White, where each force sits on a funnel plot and its rank with a 95 % interval.

How it is computed:
- **One grouped query** over the records of every force (`_counts`: GROUP BY force, month, ethnic group,
  vehicle-only, with the same counts as `reporting._outcome_counts`), then plain Python. Grouping by month as well
  costs little and gives, in the same pass, the months each force holds records for (coverage, below) and lets a
  missing month's records be left out with its population.
- **Coverage** (`missing_months`): a force-month is covered when its `SourceMonth` is held, or, when the force has
  no `SourceMonth` for that month (records imported by hand, the sync never run), when the force holds a current
  record in that month. Otherwise it is missing: "not published by data.police.uk" when the source month says so,
  else "not held yet". Coverage is read afresh on every call (one small query), so the label is never stale.
- **Denominators**: a force's Census population counts for the months covered only (population × covered / months),
  so that a missing month lowers neither its rate nor England and Wales's; England and Wales is the sum of the
  territorial forces. British Transport Police has no resident population: its searches, find and arrest rates
  are given, never a rate per 1,000 or a ratio, and it is left out of England and Wales and of the funnel.
- **Cache**: the counts under a key holding the period and every force's data version (`reporting.records_changed`;
  one cache round trip for the 44 versions), and the finished report under that key and the coverage, so a sync or
  an import makes both stale at once.
- **Public** (`public=True`): no count under 10 anywhere, nor a total that would give one away (see `_suppress`);
  the funnel, over-dispersion and ranks of the public report are worked from the figures it shows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from panels.census import population_by_five_group
from panels.forces import BRITISH_TRANSPORT_POLICE, FORCE_BY_ID
from panels.models import Organisation
from scrutiny import choices
from scrutiny import stats as st
from scrutiny.disproportionality import report as reporting
from scrutiny.disproportionality.access import report_forces_for_user
from scrutiny.disproportionality.report import ReportQueryError, month_text, parse_month
from scrutiny.records.models import EncounterRecord
from scrutiny.stats import funnel as fn
from scrutiny.stats import ranks as rk
from scrutiny.sync.models import SourceMonth, SourceMonthStatus

# The groups compared with White, Black first (the ratio most often asked about).
COMPARED = ("Black", "Asian", "Mixed", "Other")
MAX_MONTHS = 12
CACHE_SECONDS = reporting.CACHE_SECONDS
NOT_PUBLISHED = "not_published"
NOT_HELD = "not_held"
REASONS = {NOT_PUBLISHED: "not published by data.police.uk", NOT_HELD: "not held yet"}
# The counts kept for each force and month: per group slot (the five groups, then not stated) searches, searches
# with the outcome link recorded, with it linked, arrests; then vehicle-only searches.
SLOTS = (*st.GROUPS, None)
KEYS = ("searches", "linked_recorded", "linked", "arrests")
WIDTH = len(SLOTS) * len(KEYS) + 1


# --- who may read the unsuppressed report ------------------------------------------------------------------------

NATIONAL_REFUSAL = (
    "Only coordinators, OPCC officers, force liaison officers and site staff can read the national comparison with "
    "small numbers; everyone can read its public version."
)


def may_read_national(user: Any) -> bool:
    """The unsuppressed national report is for whoever may read some force's disproportionality report
    (scrutiny/reporting_access.py: coordinators, OPCC officers, force liaison officers, superusers) and site
    staff. It covers every force, since national figures are public data anyway; what it adds is the small counts,
    which are no more sensitive for one force than the force's own report its readers already see."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return report_forces_for_user(user).exists()


# --- the period --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NationalQuery:
    from_month: date
    to_month: date
    year: int | None = None  # the financial year's first calendar year, when the period is one

    @property
    def months(self) -> list[date]:
        return reporting._months(self.from_month, self.to_month)

    @property
    def label(self) -> str:
        if self.year is not None:
            return f"April {self.year} to March {self.year + 1}"
        if self.from_month == self.to_month:
            return f"{self.from_month:%B %Y}"
        return f"{self.from_month:%B %Y} to {self.to_month:%B %Y}"

    def header(self) -> dict[str, Any]:
        return {
            "from": month_text(self.from_month),
            "to": month_text(self.to_month),
            "year": self.year,
            "label": self.label,
            "months": len(self.months),
            "ethnicity": "self",
        }


def national_query(*, from_month: Any = None, to_month: Any = None, year: Any = None) -> NationalQuery:
    """The period of a national report: a financial year (`year=2024`: April 2024 to March 2025) or `from` and `to`
    months (both included, at most 12 months). ReportQueryError with messages by parameter otherwise."""
    errors: dict[str, list[str]] = {}
    raw_year = str(year).strip() if year not in (None, "") else ""
    given = [from_month not in (None, ""), to_month not in (None, "")]
    if raw_year and any(given):
        errors["year"] = ["Give either a financial year or a period (from and to), not both."]
        raise ReportQueryError(errors)
    if raw_year:
        if not raw_year.isdigit() or not 2000 <= int(raw_year) <= 2100:
            errors["year"] = [f'"{raw_year}" is not a financial year: write the year it starts, e.g. 2024.']
            raise ReportQueryError(errors)
        first = int(raw_year)
        return NationalQuery(date(first, 4, 1), date(first + 1, 3, 1), first)
    if not any(given):
        errors["from"] = ["Give a financial year (year=2024) or a period (from=2024-04 and to=2025-03)."]
        raise ReportQueryError(errors)
    start, end = reporting.period_months(from_month, to_month, errors)
    if start and end and start <= end and len(reporting._months(start, end)) > MAX_MONTHS:
        errors["to"] = [f"A national report covers at most {MAX_MONTHS} months; this period has more."]
    if errors:
        raise ReportQueryError(errors)
    assert start is not None
    assert end is not None
    return NationalQuery(start, end)


def financial_year_of(month: date) -> int:
    return month.year if month.month >= 4 else month.year - 1


def months_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


# --- the forces and what they hold --------------------------------------------------------------------------------


def national_forces() -> list[Organisation]:
    """The 43 territorial forces and British Transport Police (panels/forces.py), with their areas, by name."""
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.FORCE, police_uk_id__in=list(FORCE_BY_ID))
        .select_related("force_area")
        .order_by("name")
    )


def _territorial(force: Organisation) -> bool:
    return force.force_area is not None and force.police_uk_id != BRITISH_TRANSPORT_POLICE


def _key(kind: str, material: Any) -> str:
    digest = hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return f"{reporting.CACHE_PREFIX}:{reporting._database()}:{kind}:{digest}"


def data_versions(forces: Sequence[Organisation]) -> list[str]:
    """Every force's data version (`reporting.records_changed`), in the order of `forces`: one cache round trip."""
    return reporting._data_versions([f.pk for f in forces])


def data_months(
    forces: Sequence[Organisation], versions: Sequence[str] | None = None
) -> tuple[date | None, date | None]:
    """The first and the latest whole month (before this one, UK time) in which any territorial force holds current
    stop-and-search records: the period chooser's range. One query, cached with the forces' data versions
    (`versions`: `data_versions(forces)`, when the caller has them).

    Each force's first and latest month come from a subquery ordered by month with a limit of one, which the records'
    (force, month) index answers without reading the force's other records, whatever their number.
    """
    territorial = [f.pk for f in forces if _territorial(f)]
    if not territorial:
        return None, None
    this_month = timezone.localdate().replace(day=1)
    if versions is None:
        versions = data_versions(forces)
    key = _key("national-months", [[f.pk for f in forces], list(versions), month_text(this_month)])
    found = cache.get(key)
    if found is None:
        records = EncounterRecord.objects.current().filter(
            force=OuterRef("pk"), kind=choices.Kind.STOP_SEARCH, month__lt=this_month
        )
        rows = (
            Organisation.objects.filter(pk__in=territorial)
            .annotate(
                first=Subquery(records.order_by("month").values("month")[:1]),
                latest=Subquery(records.order_by("-month").values("month")[:1]),
            )
            .values_list("first", "latest")
        )
        firsts = [_as_date(a) for a, _ in rows]
        latests = [_as_date(b) for _, b in rows]
        first = min((d for d in firsts if d is not None), default=None)
        latest = max((d for d in latests if d is not None), default=None)
        found = [month_text(first) if first else None, month_text(latest) if latest else None]
        cache.set(key, found, CACHE_SECONDS)
    return parse_month(found[0]) if found[0] else None, parse_month(found[1]) if found[1] else None


def _as_date(value: Any) -> date | None:
    # SQLite gives a subquery's date back as text.
    if value is None or isinstance(value, date):
        return value
    return parse_month(str(value)[:7])


def latest_period(forces: Sequence[Organisation]) -> NationalQuery | None:
    """The latest 12 whole months with data (ending with the latest month any territorial force holds)."""
    _, latest = data_months(forces)
    if latest is None:
        return None
    return NationalQuery(months_back(latest, MAX_MONTHS - 1), latest)


# --- the grouped query --------------------------------------------------------------------------------------------


def _slot(code: str) -> int:
    group = reporting.GROUP_CODES.get(code)
    return SLOTS.index(group)


def _counts(forces: Sequence[Organisation], query: NationalQuery) -> dict[str, list[int]]:
    """One grouped query: {"<force pk>:<YYYY-MM>": [counts in SLOTS × KEYS order, then vehicle-only searches]}.

    The query is one SELECT per force joined by UNION ALL, each over that force's range of months: a range of the
    records' (force, month) index. Asked as one SELECT over every force, PostgreSQL's planner reads the whole table
    instead (a year is a tenth of ten years, too much to expect the index to pay), which costs in proportion to the
    history held rather than to the period (bench/README.md, docs/national.md)."""
    branches = [
        EncounterRecord.objects.current()
        .filter(kind=choices.Kind.STOP_SEARCH, force_id=f.pk, month__gte=query.from_month, month__lte=query.to_month)
        .values("force_id", "month", "ethnic_group", "vehicle_only")
        .annotate(**reporting._outcome_counts())
        .values_list("force_id", "month", "ethnic_group", "vehicle_only", *KEYS)
        .order_by()
        for f in forces
    ]
    if not branches:
        return {}
    combined = (branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]).order_by()
    out: dict[str, list[int]] = {}
    for force_id, month, code, vehicle_only, *numbers in _rows(combined):
        cell = out.setdefault(f"{force_id}:{month_text(_as_date(month) or query.from_month)}", [0] * WIDTH)
        if vehicle_only:
            cell[-1] += numbers[0]
            continue
        base = _slot(code) * len(KEYS)
        for i, n in enumerate(numbers):
            cell[base + i] += n
    return out


def _rows(queryset: Any) -> list[tuple[Any, ...]]:
    """The query's rows; on PostgreSQL with just-in-time compilation turned off for it.

    PostgreSQL compiles a query whose estimated cost passes `jit_above_cost` (100,000 by default, which a year of
    ten million records passes) into machine code first: measured on 9 million records, that took 1.6 s of the
    query's 1.9 s, and 29 s for the 44 SELECTs of the UNION, against 0.5 s without it. `SET LOCAL` lasts to the end
    of the transaction, so it is sent with the query in one round trip: outside a transaction the two run as one
    implicit transaction and nothing else is touched; inside one (a test, an atomic request) the rest of it runs
    without JIT too, which costs nothing on the short queries of a web request."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if _binds_on_client(raw):
            cursor.execute(f"SET LOCAL jit = off; {sql}", params)
            raw.nextset()
            return [tuple(row) for row in raw.fetchall()]
        # Server-side binding cannot send two statements at once: a transaction of its own holds the setting.
        with transaction.atomic():
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]


def _binds_on_client(cursor: Any) -> bool:
    import psycopg

    return isinstance(cursor, psycopg.ClientCursor)


def _cached_counts(forces: Sequence[Organisation], query: NationalQuery, versions: Sequence[str]) -> tuple[str, Any]:
    pks = [f.pk for f in forces]
    key = _key("national-counts", [query.header(), pks, list(versions)])
    value = cache.get(key)
    if value is None:
        value = _counts(forces, query)
        cache.set(key, value, CACHE_SECONDS)
    return key, value


# --- coverage ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingMonth:
    force: str  # data.police.uk id
    name: str
    month: date
    reason: str  # NOT_PUBLISHED or NOT_HELD

    @property
    def reason_text(self) -> str:
        return REASONS[self.reason]

    def as_json(self) -> dict[str, Any]:
        return {
            "force": self.force,
            "name": self.name,
            "month": month_text(self.month),
            "reason": self.reason,
            "reason_text": self.reason_text,
        }


def missing_months(
    forces: Sequence[Organisation],
    from_month: date,
    to_month: date,
    *,
    held: Mapping[int, Iterable[date]] | None = None,
) -> list[MissingMonth]:
    """The force-months of the period that are missing, by force name and month (the rule in this module's
    docstring). `held` gives the months each force (by pk) holds current stop-and-search records in, when the
    caller already knows them; otherwise they are read (one more query)."""
    months = reporting._months(from_month, to_month)
    pks = [f.pk for f in forces]
    source = {
        (force_id, month): (status, published)
        for force_id, month, status, published in SourceMonth.objects.filter(
            force_id__in=pks, month__gte=from_month, month__lte=to_month
        ).values_list("force_id", "month", "status", "published")
    }
    if held is None:
        found: dict[int, set[date]] = {}
        rows = (
            EncounterRecord.objects.current()
            .filter(kind=choices.Kind.STOP_SEARCH, force_id__in=pks, month__gte=from_month, month__lte=to_month)
            .values_list("force_id", "month")
            .distinct()
            .order_by()
        )
        for force_id, month in rows:
            found.setdefault(force_id, set()).add(month)
        held = found
    return _missing(forces, months, source, held)


def _missing(
    forces: Sequence[Organisation],
    months: Sequence[date],
    source: Mapping[tuple[int, date], tuple[str, bool]],
    held: Mapping[int, Iterable[date]],
) -> list[MissingMonth]:
    out = []
    for force in sorted(forces, key=lambda f: f.name):
        holds = set(held.get(force.pk, ()))
        for month in months:
            entry = source.get((force.pk, month))
            if entry is None:
                if month in holds:
                    continue
                out.append(MissingMonth(force.police_uk_id, force.name, month, NOT_HELD))
            elif entry[0] != SourceMonthStatus.HELD:
                reason = NOT_PUBLISHED if not entry[1] else NOT_HELD
                out.append(MissingMonth(force.police_uk_id, force.name, month, reason))
    return out


def missing_from_json(entries: Iterable[Mapping[str, Any]]) -> list[MissingMonth]:
    """A report's "missing" list back as MissingMonth objects."""
    out = []
    for m in entries:
        month = parse_month(m["month"])
        assert month is not None
        out.append(MissingMonth(m["force"], m["name"], month, m["reason"]))
    return out


def describe_missing(missing: Sequence[MissingMonth]) -> list[str]:
    """Each force's missing months in words, runs of months joined: "Gwent: March 2025 (not published by
    data.police.uk)", "Kent: April to June 2025 (not held yet)"."""
    out: list[str] = []
    by_force: dict[str, list[MissingMonth]] = {}
    for m in missing:
        by_force.setdefault(m.name, []).append(m)
    for name, entries in by_force.items():
        runs: list[list[MissingMonth]] = []
        for m in entries:
            last = runs[-1][-1] if runs else None
            if last is not None and last.reason == m.reason and months_back(m.month, 1) == last.month:
                runs[-1].append(m)
            else:
                runs.append([m])
        parts = [f"{_span(run[0].month, run[-1].month)} ({run[0].reason_text})" for run in runs]
        out.append(f"{name}: {'; '.join(parts)}")
    return out


def _span(first: date, last: date) -> str:
    if first == last:
        return f"{first:%B %Y}"
    if first.year == last.year:
        return f"{first:%B} to {last:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


# --- from counts to statistics --------------------------------------------------------------------------------------


@dataclass
class _Force:
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


def _gather(
    forces: Sequence[Organisation],
    months: Sequence[date],
    counts: Mapping[str, list[int]],
    missing: Sequence[MissingMonth],
) -> list[_Force]:
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
        territorial = _territorial(force)
        population: dict[str, int] = {}
        if territorial:
            assert force.force_area is not None
            whole = population_by_five_group(force.force_area.code)
            population = {g: round(whole[g] * covered / len(months)) for g in st.GROUPS}
        out.append(_Force(force, territorial, covered, cells, population))
    return out


def _total(counts: Mapping[str, st.GroupCounts], not_stated: int) -> int:
    return sum(c.searches for c in counts.values()) + not_stated


@dataclass
class _Shown:
    """Which figures of one row (a force or England and Wales) a public report may show."""

    searches: dict[str, bool]
    arrests: dict[str, bool]
    not_stated: bool
    vehicle_only: bool
    total: bool


def _all_shown() -> _Shown:
    return _Shown(dict.fromkeys(st.GROUPS, True), dict.fromkeys(st.GROUPS, True), True, True, True)


def _group_json(g: st.GroupStats, *, territorial: bool, shown: _Shown | None, white_shown: bool) -> dict[str, Any]:
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


def _row_json(
    counts: Mapping[str, st.GroupCounts], not_stated: int, vehicle_only: int, *, territorial: bool, shown: _Shown | None
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


def _suppress(rows: Sequence[_Force], national: _Force) -> tuple[dict[int, _Shown], _Shown]:
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
    return shown, _Shown(searches, arrests, not_stated, not st.is_suppressed(n.vehicle_only), whole)


def _national(rows: Sequence[_Force]) -> _Force:
    summed = [r for r in rows if r.territorial]
    cells = [sum(r.cells[i] for r in summed) for i in range(WIDTH)]
    population = {g: sum(r.population[g] for r in summed) for g in st.GROUPS}
    covered = sum(r.covered for r in summed)
    return _Force(
        org=Organisation(name="England and Wales"),
        territorial=True,
        covered=covered,
        cells=cells,
        population=population,
    )


# --- the comparison -------------------------------------------------------------------------------------------------


def _comparison(
    rows: Sequence[_Force], national: _Force, shown: Mapping[int, _Shown] | None, national_shown: _Shown | None
) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """For each compared group: England and Wales's ratio, the funnel point, position and rank of each force, and the
    over-dispersion; from the figures shown when `shown` is given (public)."""
    summary: dict[str, Any] = {}
    by_force: dict[int, dict[str, Any]] = {r.org.pk: {} for r in rows}
    totals = national.group_counts()
    white = totals["White"]
    for g in COMPARED:
        own = totals[g]
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
        summary[g] = entry
        if not visible or reference is None or reference <= 0:
            continue
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
        dispersion = fn.overdispersion([(p.observed, p.expected) for p in points])
        ranks = rk.rank_intervals(inputs)
        pk_of = {r.org.police_uk_id: r.org.pk for r in rows}
        for p in points:
            adjusted = fn.outside_adjusted(p, dispersion.tau2) if dispersion.tau2 is not None else None
            rank = ranks[p.key]
            entry["positions"][p.position] += 1
            by_force[pk_of[p.key]][g] = {
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
        entry["forces_compared"] = len(points)
        entry["overdispersion"] = {
            "forces": dispersion.units,
            "phi": dispersion.phi,
            "p_value": dispersion.p_value,
            "tau2": dispersion.tau2,
            "overdispersed": dispersion.overdispersed,
        }
    return summary, by_force


def _label(rows: Sequence[_Force], months: int, missing: Sequence[MissingMonth]) -> str:
    """What England and Wales's figures cover: "England and Wales: all 43 territorial forces, every month" or
    "England and Wales: 43 forces; 2 of 516 force-months missing: Gwent: March 2025 (not published by
    data.police.uk); ..." (the forces named when there are few)."""
    territorial = [r for r in rows if r.territorial]
    names = {r.org.police_uk_id for r in territorial}
    gaps = [m for m in missing if m.force in names]
    if not gaps:
        return f"England and Wales: all {len(territorial)} territorial forces, every month of the period"
    with_data = sum(1 for r in territorial if r.covered)
    none = len(territorial) - with_data
    partial = len({m.force for m in gaps}) - none
    head = (
        f"England and Wales: {with_data} of {len(territorial)} forces; {len(gaps)} of {len(territorial) * months} "
        f"force-month{'s' if len(territorial) * months != 1 else ''} missing"
    )
    words = describe_missing(gaps)
    if len(words) <= 3:
        return f"{head}: {'; '.join(words)}"
    parts = []
    if none:
        parts.append(f"{none} force{'s hold' if none != 1 else ' holds'} no month of the period")
    if partial:
        parts.append(f"{partial} force{'s have' if partial != 1 else ' has'} gaps")
    return f"{head} ({' and '.join(parts)}: see the missing months)"


def _build(
    query: NationalQuery,
    forces: Sequence[Organisation],
    counts: Mapping[str, list[int]],
    missing: Sequence[MissingMonth],
    *,
    public: bool,
) -> dict[str, Any]:
    months = query.months
    rows = _gather(forces, months, counts, missing)
    national = _national(rows)
    shown, national_shown = _suppress(rows, national) if public else (None, None)
    summary, compare = _comparison(rows, national, shown, national_shown)
    missing_by_force: dict[str, list[str]] = {}
    for m in missing:
        missing_by_force.setdefault(m.force, []).append(month_text(m.month))
    territorial = [r for r in rows if r.territorial]

    def force_json(r: _Force) -> dict[str, Any]:
        area = r.org.force_area
        return {
            "force": r.org.police_uk_id,
            "name": r.org.name,
            "area": area.code if area is not None and r.territorial else None,
            "area_name": area.name if area is not None and r.territorial else None,
            "territorial": r.territorial,
            "months_covered": r.covered,
            "missing": missing_by_force.get(r.org.police_uk_id, []),
            **_row_json(
                r.group_counts(),
                r.count(None),
                r.vehicle_only,
                territorial=r.territorial,
                shown=shown[r.org.pk] if shown is not None else None,
            ),
            "compare": compare.get(r.org.pk, {}),
        }

    force_months = len(territorial) * len(months)
    with_data = sum(1 for r in territorial if r.covered)
    territorial_ids = {r.org.police_uk_id for r in territorial}
    return {
        **query.header(),
        "public": public,
        "england_and_wales": {
            "label": _label(rows, len(months), missing),
            "forces": with_data,
            "territorial_forces": len(territorial),
            "force_months": force_months,
            "force_months_missing": sum(1 for m in missing if m.force in territorial_ids),
            **_row_json(
                national.group_counts(),
                national.count(None),
                national.vehicle_only,
                territorial=True,
                shown=national_shown,
            ),
        },
        "comparison": summary,
        "forces": [force_json(r) for r in rows if r.territorial],
        "other_forces": [force_json(r) for r in rows if not r.territorial],
        "missing": [m.as_json() for m in missing],
    }


# --- the report ------------------------------------------------------------------------------------------------------


def national_report(
    query: NationalQuery,
    *,
    public: bool = False,
    forces: Sequence[Organisation] | None = None,
    versions: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The national report as JSON (the API's and the pages' figures; docs/national.md). Unsuppressed unless
    `public`: only for those `may_read_national` allows. `forces`: `national_forces()`, and `versions`:
    `data_versions(forces)`, when the caller has them."""
    if forces is None:
        forces = national_forces()
    if versions is None:
        versions = data_versions(forces)
    counts_key, counts = _cached_counts(forces, query, versions)
    held: dict[int, set[date]] = {}
    for key in counts:
        pk, month = key.split(":")
        held.setdefault(int(pk), set()).add(parse_month(month) or query.from_month)
    missing = missing_months(forces, query.from_month, query.to_month, held=held)
    key = _key(
        "national-public" if public else "national",
        [
            counts_key,
            [(m.force, m.month.toordinal(), m.reason) for m in missing],
            [(f.pk, f.name, f.force_area_id) for f in forces],
        ],
    )
    value = cache.get(key)
    if value is None:
        value = _build(query, forces, counts, missing, public=public)
        cache.set(key, value, CACHE_SECONDS)
    return value


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
