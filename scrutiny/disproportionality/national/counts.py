"""The records' counts behind the national figures: one grouped query over every force, by force and month."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from common.months import month_text
from panels.models import Organisation
from scrutiny import choices
from scrutiny import stats as st
from scrutiny.disproportionality import report as reporting
from scrutiny.disproportionality.national.caching import CACHE_SECONDS, cache_key
from scrutiny.disproportionality.national.period import NationalQuery, as_date
from scrutiny.records.models import EncounterRecord

# The counts kept for each force and month: per group slot (the five groups, then not stated) searches, searches
# with the outcome link recorded, with it linked, arrests; then vehicle-only searches.
SLOTS = (*st.GROUPS, None)
KEYS = ("searches", "linked_recorded", "linked", "arrests")
WIDTH = len(SLOTS) * len(KEYS) + 1


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
        cell = out.setdefault(f"{force_id}:{month_text(as_date(month) or query.from_month)}", [0] * WIDTH)
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


def cached_counts(forces: Sequence[Organisation], query: NationalQuery, versions: Sequence[str]) -> tuple[str, Any]:
    """`_counts`, cached under a key of the period, the forces and their data versions; the key and the counts."""
    pks = [f.pk for f in forces]
    key = cache_key("national-counts", [query.header(), pks, list(versions)])
    value = cache.get(key)
    if value is None:
        value = _counts(forces, query)
        cache.set(key, value, CACHE_SECONDS)
    return key, value
