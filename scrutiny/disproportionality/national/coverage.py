"""Which force-months of a period are missing, and why (the rule in the package's docstring)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from common.months import add_months, month_text, months_between, parse_month
from panels.models import Organisation
from scrutiny import choices
from scrutiny.records.models import EncounterRecord
from scrutiny.sync.models import SourceMonth, SourceMonthStatus

NOT_PUBLISHED = "not_published"
NOT_HELD = "not_held"
REASONS = {NOT_PUBLISHED: "not published by data.police.uk", NOT_HELD: "not held yet"}


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
    months = list(months_between(from_month, to_month))
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
            if last is not None and last.reason == m.reason and add_months(m.month, -1) == last.month:
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
