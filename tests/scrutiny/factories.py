"""Forces, import batches, records and rejected rows for the page, API and consumer tests of encounter records."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from itertools import count
from typing import Any

from panels.models import ForceArea, Organisation
from scrutiny import choices
from scrutiny.models import EncounterRecord, ImportBatch, RejectedRow
from tests.factories import force_area

_n = count(1)


def make_force(
    code: str = "E23000006", police_uk_id: str = "cheshire", name: str = "Cheshire Constabulary"
) -> Organisation:
    return Organisation.objects.create(
        name=name,
        slug=police_uk_id,
        kind=Organisation.Kind.FORCE,
        force_area=ForceArea.objects.get(code=code) if code else force_area(),
        police_uk_id=police_uk_id,
    )


def make_batch(force: Organisation, **extra: Any) -> ImportBatch:
    fields: dict[str, Any] = {
        "source_format": choices.SourceFormat.POLICE_UK_CSV,
        "file_name": f"2025-06-{force.police_uk_id}-stop-and-search.csv",
        "file_sha256": "0" * 64,
        "status": choices.BatchStatus.FINISHED,
        "read_count": 2,
        "imported_count": 1,
        "rejected_count": 1,
    }
    fields.update(extra)
    return ImportBatch.objects.create(force=force, **fields)


def make_record(batch: ImportBatch, **extra: Any) -> EncounterRecord:
    occurred = extra.pop("occurred_at", datetime(2025, 6, 15, 12, 0, tzinfo=UTC))
    fields: dict[str, Any] = {
        "kind": choices.Kind.STOP_SEARCH,
        "search_type": choices.SearchType.PERSON,
        "month": occurred.date().replace(day=1),
        "financial_year": "2025-26",
        "legislation": choices.Legislation.MISUSE_OF_DRUGS_S23,
        "outcome": choices.Outcome.NO_FURTHER_ACTION,
        "ethnic_group": choices.EthnicGroup.WHITE,
        "self_defined_ethnicity": choices.SelfDefinedEthnicity.WHITE_BRITISH,
    }
    fields.update(extra)
    return EncounterRecord.objects.create(
        force=batch.force,
        batch=batch,
        fingerprint=hashlib.sha256(str(next(_n)).encode()).digest(),
        occurred_at=occurred,
        **fields,
    )


def make_rejected_row(batch: ImportBatch, **extra: Any) -> RejectedRow:
    fields: dict[str, Any] = {
        "line_number": 3,
        "raw_values": {"Type": "Person search", "Date": "not a date"},
        "reasons": ["Date: not a date and time"],
    }
    fields.update(extra)
    return RejectedRow.objects.create(batch=batch, **fields)
