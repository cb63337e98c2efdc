"""Building the national picture in tests: searches for many forces at once (bulk), and data.police.uk's
coverage (SourceMonth rows), for the national report, its pages and its API (tests/*/test_national*.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from itertools import count
from typing import Any

from panels.forces import FORCE_BY_ID
from panels.models import Organisation
from scrutiny import choices
from scrutiny.models import EncounterRecord, SourceMonth
from scrutiny.records import versions
from scrutiny.sync.models import SourceMonthStatus
from tests.scrutiny.factories import make_batch

_n = count(1)
CODES = {
    "Asian": choices.EthnicGroup.ASIAN,
    "Black": choices.EthnicGroup.BLACK,
    "Mixed": choices.EthnicGroup.MIXED,
    "White": choices.EthnicGroup.WHITE,
    "Other": choices.EthnicGroup.OTHER,
    "not stated": choices.EthnicGroup.NOT_STATED,
}


def force(police_uk_id: str) -> Organisation:
    """One of the 44 forces every database holds from its first migrate."""
    assert police_uk_id in FORCE_BY_ID, police_uk_id
    return Organisation.objects.select_related("force_area").get(police_uk_id=police_uk_id)


def add_searches(
    org: Organisation,
    month: date,
    counts: Mapping[str, int],
    *,
    arrests: Mapping[str, int] | None = None,
    linked: Mapping[str, int] | None = None,
    vehicle_only: int = 0,
    withdrawn: int = 0,
) -> None:
    """Stop-and-search records of a force in a month: `counts` by group name (or "not stated"), the first
    `arrests[group]` of each ending in arrest and the first `linked[group]` with the outcome linked to the object
    (the rest recorded as not linked); `vehicle_only` vehicle searches and `withdrawn` withdrawn White searches on
    top. Marks the force's data as changed."""
    batch = make_batch(org)
    when = datetime(month.year, month.month, 10, 12, tzinfo=UTC)
    records = []

    def record(**fields: Any) -> EncounterRecord:
        values: dict[str, Any] = {
            "search_type": choices.SearchType.PERSON,
            "legislation": choices.Legislation.MISUSE_OF_DRUGS_S23,
            **fields,
        }
        return EncounterRecord(
            force=org,
            batch=batch,
            kind=choices.Kind.STOP_SEARCH,
            fingerprint=hashlib.sha256(f"national {next(_n)}".encode()).digest()[:16],
            occurred_at=when,
            month=month,
            **values,
        )

    for group, n in counts.items():
        for i in range(n):
            records.append(
                record(
                    ethnic_group=CODES[group],
                    outcome=choices.Outcome.ARREST
                    if i < (arrests or {}).get(group, 0)
                    else choices.Outcome.NO_FURTHER_ACTION,
                    outcome_linked_to_object=i < (linked or {}).get(group, 0),
                )
            )
    for _ in range(vehicle_only):
        records.append(record(ethnic_group=CODES["White"], vehicle_only=True, search_type=choices.SearchType.VEHICLE))
    for _ in range(withdrawn):
        records.append(record(ethnic_group=CODES["White"], withdrawn_at=when))
    EncounterRecord.objects.bulk_create(records)
    versions.records_changed(org.pk)


def source_months(
    org: Organisation, months: Iterable[date], *, status: str = SourceMonthStatus.HELD, published: bool = True
) -> None:
    """The sync's record of data.police.uk's months for a force."""
    for month in months:
        SourceMonth.objects.update_or_create(
            force=org, month=month, defaults={"status": status, "published": published}
        )


def months(start: date, n: int) -> list[date]:
    out = []
    for i in range(n):
        index = start.year * 12 + start.month - 1 + i
        out.append(date(index // 12, index % 12 + 1, 1))
    return out
