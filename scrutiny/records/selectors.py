"""Reads of encounter records, import batches and rejected rows, scoped to the user through records/permissions.py,
and what may be shown of a record beyond the coordinators (its published fields, a withdrawal)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from common.months import parse_month
from panels.models import Organisation
from scrutiny.choices import EthnicGroup, Kind
from scrutiny.records.importing.formats import FIELDS, column_labels
from scrutiny.records.models import EncounterRecord, ImportBatch, RejectedRow
from scrutiny.records.permissions import batches_for_user, forces_for_user

RECORDS_PER_PAGE = 50

REJECTED_ROWS_PER_PAGE = 50

# The flags a record list can be narrowed by.
FLAG_PII = "pii_flagged"

FLAG_REDACTION_PENDING = "redaction_pending"

FLAG_VEHICLE_ONLY = "vehicle_only"

FLAG_NOT_VEHICLE_ONLY = "not_vehicle_only"

FLAGS = {
    FLAG_PII: "Personal data found in the grounds",
    FLAG_REDACTION_PENDING: "Redaction check waiting",
    FLAG_VEHICLE_ONLY: "Vehicle-only searches",
    FLAG_NOT_VEHICLE_ONLY: "Leave out vehicle-only searches",
}


@dataclass(frozen=True)
class RecordFilters:
    """What a record list is narrowed to. Empty values filter nothing; months are first days of months."""

    force: str = ""  # data.police.uk force id
    month_from: date | None = None
    month_to: date | None = None
    legislation: str = ""
    outcome: str = ""
    ethnic_group: str = ""
    flags: frozenset[str] = field(default_factory=frozenset)


class RecordCounts(TypedDict):
    total: int
    groups: dict[str, int]  # five-group code -> count, every group present (0 if none); "not_stated" too


def records_for_user(user: Any, filters: RecordFilters | None = None) -> QuerySet[EncounterRecord]:
    """The records of the user's forces that match the filters, newest first, with their force and batch."""
    records = EncounterRecord.objects.filter(force__in=forces_for_user(user))
    return records_matching(records, filters or RecordFilters()).select_related("force").order_by("-occurred_at", "-pk")


def records_matching(records: QuerySet[EncounterRecord], f: RecordFilters) -> QuerySet[EncounterRecord]:
    """The records that match the filters (of the page and the API: records/filters.py)."""
    if f.force:
        records = records.filter(force__police_uk_id=f.force)
    if f.month_from:
        records = records.filter(month__gte=f.month_from)
    if f.month_to:
        records = records.filter(month__lte=f.month_to)
    if f.legislation:
        records = records.filter(legislation=f.legislation)
    if f.outcome:
        records = records.filter(outcome=f.outcome)
    if f.ethnic_group == EthnicGroup.NOT_STATED:
        records = records.filter(ethnic_group__in=["", EthnicGroup.NOT_STATED])
    elif f.ethnic_group:
        records = records.filter(ethnic_group=f.ethnic_group)
    if FLAG_PII in f.flags:
        records = records.filter(pii_flagged=True)
    if FLAG_REDACTION_PENDING in f.flags:
        records = records.filter(pii_flagged=True, redaction_checked_at__isnull=True)
    if FLAG_VEHICLE_ONLY in f.flags:
        records = records.filter(vehicle_only=True)
    if FLAG_NOT_VEHICLE_ONLY in f.flags:
        records = records.filter(vehicle_only=False)
    return records


def records_for_coordinator(
    user: Any, filters: RecordFilters | None = None
) -> tuple[QuerySet[EncounterRecord], RecordCounts]:
    """What a coordinator browses: the records of the forces in their panels' force areas (all, for a superuser;
    none for anyone else), narrowed by the filters, with the total and the five-group counts."""
    records = records_for_user(user, filters)
    return records, record_counts(records)


def record_page(records: QuerySet[EncounterRecord], page: Any) -> Page[EncounterRecord]:
    """One page of a record list (RECORDS_PER_PAGE a page); a page number out of range gives the nearest page."""
    return Paginator(records, RECORDS_PER_PAGE).get_page(page)


def record_counts(records: QuerySet[EncounterRecord]) -> RecordCounts:
    """The total and the count in each of the five groups, in one grouped query. Blank counts as not stated."""
    groups = {code: 0 for code in EthnicGroup.values}
    for row in records.order_by().values("ethnic_group").annotate(n=Count("pk")):
        groups[row["ethnic_group"] or EthnicGroup.NOT_STATED] += row["n"]
    return {"total": sum(groups.values()), "groups": groups}


def data_months(forces: Sequence[Organisation]) -> tuple[date | None, date | None]:
    """The first and the latest whole month (before this one, UK time) in which the forces hold current
    stop-and-search records, in one query; (None, None) when they hold none.

    Each force's first and latest month come from a subquery ordered by month with a limit of one, which the records'
    (force, month) index answers without reading the force's other records, whatever their number.
    """
    this_month = timezone.localdate().replace(day=1)
    records = EncounterRecord.objects.current().filter(
        force=OuterRef("pk"), kind=Kind.STOP_SEARCH, month__lt=this_month
    )
    rows = (
        Organisation.objects.filter(pk__in=[f.pk for f in forces])
        .annotate(
            first=Subquery(records.order_by("month").values("month")[:1]),
            latest=Subquery(records.order_by("-month").values("month")[:1]),
        )
        .values_list("first", "latest")
    )
    firsts, latests = [_month(a) for a, _ in rows], [_month(b) for _, b in rows]
    return (
        min((d for d in firsts if d is not None), default=None),
        max((d for d in latests if d is not None), default=None),
    )


def _month(value: Any) -> date | None:
    """A month as the database gives it back: SQLite gives a subquery's date back as text."""
    if value is None or isinstance(value, date):
        return value
    return parse_month(str(value)[:7])


def batches_for(user: Any, *, force: str = "") -> QuerySet[ImportBatch]:
    """Import batches of the user's forces (or of one of them), newest first."""
    batches = batches_for_user(user).select_related("force", "run_by")
    if force:
        batches = batches.filter(force__police_uk_id=force)
    return batches.order_by("-created_at", "-pk")


def rejected_rows_of(batch: ImportBatch, *, resolved: bool | None = False) -> QuerySet[RejectedRow]:
    rows = RejectedRow.objects.filter(batch=batch)
    if resolved is not None:
        rows = rows.filter(resolved=resolved)
    return rows.order_by("line_number", "pk")


def sensitive_labels(source_format: str) -> set[str]:
    """Columns whose raw values are never kept (officer identifier, force reference): given afresh or left as
    the row's stored keyed forms."""
    return {
        f.label for f in FIELDS.get(source_format, ()) if f.sensitive and f.name not in ("grounds", "operation_name")
    }


def rejected_row_values(row: RejectedRow) -> list[tuple[str, str]]:
    """(column, value as kept) for every column of the row's source, in order."""
    return values_by_column(row.raw_values, column_labels(row.batch.source_format))


def values_by_column(
    raw_values: dict[str, Any] | None, labels: Sequence[str], *, extra_columns: bool = False
) -> list[tuple[str, str]]:
    """(column, value as kept) for each of `labels`, from a rejected row's kept values. A row kept as cells that
    could not be matched to columns gives them in order, and with `extra_columns` those past the last column too
    ("Extra column 1", ...)."""
    raw = dict(raw_values or {})
    if "cells" not in raw:
        return [(label, str(raw.get(label, ""))) for label in labels]
    cells = [str(c) for c in raw["cells"]]
    pairs = [(label, cells[i] if i < len(cells) else "") for i, label in enumerate(labels)]
    if extra_columns:
        pairs += [(f"Extra column {i + 1}", c) for i, c in enumerate(cells[len(labels) :])]
    return pairs


# --- what may be shown beyond the coordinators ------------------------------------------------------------------

# The fields data.police.uk publishes for a stop and search, and nothing else (no grounds text, no pseudonyms,
# no agreed view, no scores): what an escalation or a public page may show of a record a finding names.
PUBLISHED_RECORD_FIELDS: tuple[tuple[str, str], ...] = (
    ("kind", "Type of record"),
    ("search_type", "Type of search"),
    ("legislation", "Legislation"),
    ("object_of_search", "Object of search"),
    ("outcome", "Outcome"),
    ("outcome_linked_to_object", "Outcome linked to object of search"),
    ("removal_of_more_than_outer_clothing", "Removal of more than outer clothing"),
    ("gender", "Gender"),
    ("age_range", "Age range"),
    ("self_defined_ethnicity", "Self-defined ethnicity"),
    ("officer_defined_ethnicity", "Officer-defined ethnicity"),
)


def published_fields(record: EncounterRecord) -> list[tuple[str, str]]:
    """(label, value) of a record's published data.police.uk fields, its date first; blanks left out."""
    rows = [("Date", f"{timezone.localtime(record.occurred_at):%d %B %Y}")]
    for name, label in PUBLISHED_RECORD_FIELDS:
        value = getattr(record, name)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            shown = "Yes" if value else "No"
        else:
            display = getattr(record, f"get_{name}_display", None)
            shown = str(display()) if display else str(value)
        rows.append((label, shown))
    return rows


def withdrawn_note(withdrawn_at: datetime | None) -> str:
    """What a review session says of a record data.police.uk no longer publishes ("" for one it still does)."""
    if withdrawn_at is None:
        return ""
    day = timezone.localtime(withdrawn_at)
    return f"data.police.uk no longer publishes this record (withdrawn on {day.day} {day:%B %Y})."
