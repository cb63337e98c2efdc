"""The national report as JSON (the API's and the pages' figures; docs/national.md): the period's figures for each
force and for England and Wales, how the forces compare, the missing months; cached."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.cache import cache

from common.months import month_text, parse_month
from panels.models import Organisation
from scrutiny.disproportionality.national.caching import CACHE_SECONDS, cache_key, data_versions
from scrutiny.disproportionality.national.comparison import compare
from scrutiny.disproportionality.national.counts import cached_counts
from scrutiny.disproportionality.national.coverage import MissingMonth, describe_missing, missing_months
from scrutiny.disproportionality.national.figures import (
    ForceFigures,
    Shown,
    england_and_wales,
    gather,
    row_json,
    suppress,
)
from scrutiny.disproportionality.national.forces import national_forces
from scrutiny.disproportionality.national.period import NationalQuery


def _label(rows: Sequence[ForceFigures], months: int, missing: Sequence[MissingMonth]) -> str:
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
    rows = gather(forces, months, counts, missing)
    national = england_and_wales(rows)
    shown, national_shown = suppress(rows, national) if public else (None, None)
    summary, compared = compare(rows, national, shown, national_shown)
    missing_by_force: dict[str, list[str]] = {}
    for m in missing:
        missing_by_force.setdefault(m.force, []).append(month_text(m.month))

    def force_json(r: ForceFigures) -> dict[str, Any]:
        return _force_json(
            r,
            missing=missing_by_force.get(r.org.police_uk_id, []),
            shown=shown[r.org.pk] if shown is not None else None,
            compared=compared.get(r.org.pk, {}),
        )

    return {
        **query.header(),
        "public": public,
        "england_and_wales": _england_and_wales_json(rows, national, len(months), missing, shown=national_shown),
        "comparison": summary,
        "forces": [force_json(r) for r in rows if r.territorial],
        "other_forces": [force_json(r) for r in rows if not r.territorial],
        "missing": [m.as_json() for m in missing],
    }


def _force_json(
    r: ForceFigures, *, missing: list[str], shown: Shown | None, compared: dict[str, Any]
) -> dict[str, Any]:
    """One force's row of the report: who it is, its months, its figures (as shown) and how it compares."""
    area = r.org.force_area
    return {
        "force": r.org.police_uk_id,
        "name": r.org.name,
        "area": area.code if area is not None and r.territorial else None,
        "area_name": area.name if area is not None and r.territorial else None,
        "territorial": r.territorial,
        "months_covered": r.covered,
        "missing": missing,
        **row_json(r.group_counts(), r.count(None), r.vehicle_only, territorial=r.territorial, shown=shown),
        "compare": compared,
    }


def _england_and_wales_json(
    rows: Sequence[ForceFigures],
    national: ForceFigures,
    months: int,
    missing: Sequence[MissingMonth],
    *,
    shown: Shown | None,
) -> dict[str, Any]:
    """England and Wales's row: what it covers and its figures (as shown)."""
    territorial = [r for r in rows if r.territorial]
    territorial_ids = {r.org.police_uk_id for r in territorial}
    return {
        "label": _label(rows, months, missing),
        "forces": sum(1 for r in territorial if r.covered),
        "territorial_forces": len(territorial),
        "force_months": len(territorial) * months,
        "force_months_missing": sum(1 for m in missing if m.force in territorial_ids),
        **row_json(national.group_counts(), national.count(None), national.vehicle_only, territorial=True, shown=shown),
    }


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
    counts_key, counts = cached_counts(forces, query, versions)
    held: dict[int, set[date]] = {}
    for key in counts:
        pk, month = key.split(":")
        held.setdefault(int(pk), set()).add(parse_month(month) or query.from_month)
    missing = missing_months(forces, query.from_month, query.to_month, held=held)
    key = cache_key(
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
