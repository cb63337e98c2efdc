"""Writes that touch several rows or have side effects: imports, corrections, redaction checks.

Every entry point a page, the API, the command or the background worker uses to change encounter data is here.
Permission checks belong to the caller (records/permissions.py); services take the acting user as `by` and record
it in the audit log (scrutiny/audit/).
"""

from __future__ import annotations

import csv
import difflib
import io
import logging
from collections.abc import Iterator
from typing import IO, Any, TypedDict

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from common.errors import DomainError
from panels.models import Organisation
from scrutiny.audit.models import AuditEvent
from scrutiny.audit.services import audit_log
from scrutiny.records import pii
from scrutiny.records.importing import ImportFailed
from scrutiny.records.importing.fingerprints import epoch_seconds, first_fingerprint, nth_fingerprint
from scrutiny.records.importing.formats import FIELDS, Field, column_labels, parse_file_name
from scrutiny.records.importing.normalise import Normalised, Protected, Rejected, make_normaliser
from scrutiny.records.importing.sinks import ExecutemanySink, lock_force, neighbours
from scrutiny.records.imports import check_header, detect_source_format, file_sha256
from scrutiny.records.models import EncounterRecord, ImportBatch, RejectedRow
from scrutiny.records.selectors import values_by_column
from scrutiny.records.tasks import import_batch
from scrutiny.records.versions import records_changed

logger = logging.getLogger(__name__)


# --- views of records -----------------------------------------------------------------------------------------


def record_viewed(*, record: EncounterRecord, by: Any, context: str = "") -> None:
    """Log a view of a record whose grounds text was shown. Views of records without grounds are not logged."""
    if record.grounds_text:
        audit_log(
            by=by, action=AuditEvent.Action.RECORD_VIEWED, obj=record, detail={"context": context} if context else {}
        )


# --- forces --------------------------------------------------------------------------------------------------


def force_for_police_uk_id(police_uk_id: str) -> Organisation:
    """The force with this data.police.uk id (every force of England and Wales exists from the first migrate), or
    ImportFailed naming the ids there are."""
    force = Organisation.objects.filter(kind=Organisation.Kind.FORCE, police_uk_id=police_uk_id).first()
    if force is None:
        known = Organisation.objects.filter(kind=Organisation.Kind.FORCE).exclude(police_uk_id="")
        close = difflib.get_close_matches(police_uk_id, list(known.values_list("police_uk_id", flat=True)), n=1)
        hint = f'did you mean "{close[0]}"? ' if close else ""
        raise ImportFailed(
            f'unknown force "{police_uk_id}": {hint}the data.police.uk force ids are listed in docs/forces.md'
        )
    return force


# --- uploads -------------------------------------------------------------------------------------------------


def batch_create_from_upload(
    *,
    file: UploadedFile,
    force: Organisation,
    by: Any,
    source_format: str | None = None,
) -> ImportBatch:
    """Keep an uploaded file and queue its import as background work; returns the pending batch.

    The header is checked now, so a wrong
    file is refused at once (ImportFailed) rather than failing later. Follow the batch's progress on the
    `batch.<id>` channel group or by polling `rows_done`.
    """
    fh: IO[bytes] = file.file  # type: ignore[assignment]
    fh.seek(0)
    source_format = detect_source_format(fh, source_format)
    check_header(fh, source_format)
    name = file.name or "upload"
    info = parse_file_name(name)
    if info is not None and info.force != force.police_uk_id:
        raise ImportFailed(f'the file is named for force "{info.force}", not "{force.police_uk_id}"')
    with transaction.atomic():
        batch = ImportBatch(
            force=force,
            source_format=source_format,
            file_name=name[:255],
            file_sha256=file_sha256(fh),
            declared_month=info.month if info else None,
            run_by=by,
        )
        batch.source_file.save(name, file, save=False)
        batch.save()
        audit_log(by=by, action=AuditEvent.Action.BATCH_CREATED, obj=batch, detail={"file": batch.file_name})
        transaction.on_commit(lambda: _queue(batch))
    return batch


def _queue(batch: ImportBatch) -> None:
    task_id = str(import_batch.enqueue(batch_id=batch.pk).id)
    ImportBatch.objects.filter(pk=batch.pk, task_id="").update(task_id=task_id[:64])


# --- rejected rows -------------------------------------------------------------------------------------------


def rejected_rows_csv(*, batch: ImportBatch, by: Any) -> Iterator[str]:
    """The batch's unresolved rejected rows as CSV text, chunk by chunk (for a StreamingHttpResponse).

    Columns: line, reasons, then the source's columns as read (sensitive ones blank; see RejectedRow).
    """
    labels = column_labels(batch.source_format)
    audit_log(by=by, action=AuditEvent.Action.REJECTED_ROWS_EXPORTED, obj=batch)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Line", "Reasons", *labels])
    rows = RejectedRow.objects.filter(batch=batch, resolved=False).order_by("line_number", "pk")
    for row in rows.iterator(chunk_size=2000):
        raw = row.raw_values or {}
        cells = [str(c) for c in raw["cells"]] if "cells" in raw else [str(raw.get(label, "")) for label in labels]
        writer.writerow([row.line_number, "; ".join(row.reasons), *cells])
        if buffer.tell() > 64 << 10:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class CorrectionError(DomainError):
    """A correction that cannot be applied (the row was corrected already, a column it does not have)."""


class CorrectionOutcome(TypedDict):
    status: str  # "imported", "duplicate" or "rejected"
    reasons: list[str]
    record: int | None


def _sensitive_fields(source_format: str) -> list[Field]:
    return [f for f in FIELDS.get(source_format, ()) if f.sensitive]


@transaction.atomic
def rejected_row_correct(*, row: RejectedRow, values: dict[str, str], by: Any) -> CorrectionOutcome:
    """Re-run normalisation on a rejected row with corrected cells and, if it now passes, import it into the
    same batch: rejected goes down by one and imported (or duplicates) up by one, so the batch still adds up.

    `values` maps column labels (as in the rejected row) to corrected text; columns not given keep their value.
    An officer identifier or force reference may be given afresh; if not, the row's stored keyed forms are used.
    If the row is still not valid it stays rejected, with the new reasons.
    """
    row = RejectedRow.objects.select_for_update().select_related("batch__force").get(pk=row.pk)
    lock_force(row.batch.force_id)
    if row.resolved:
        raise CorrectionError("This row has already been corrected.")
    batch = row.batch
    force_id = batch.force.police_uk_id
    labels = column_labels(batch.source_format)
    merged = _corrected_cells(row, labels, values)
    stored = Protected.from_kept(row.protected)
    normaliser = make_normaliser(
        batch.source_format,
        labels=labels,
        force=force_id,
        pseudonym_key=settings.PSEUDONYM_KEY,
        declared_month=batch.declared_month,
    )
    ordered = [merged[label] for label in labels]
    result = normaliser.normalise(ordered, stored)
    # Whatever happens, the row keeps only safe forms of the sensitive cells.
    protected = normaliser.protect(ordered, stored)
    for f in _sensitive_fields(batch.source_format):
        merged[f.label] = pii.mask(merged[f.label]).text if f.name in ("grounds", "operation_name") else ""
    row.raw_values = merged
    row.protected = protected.kept()
    if isinstance(result, Rejected):
        row.reasons = result.reasons
        row.save(update_fields=["reasons", "raw_values", "protected"])
        return {"status": "rejected", "reasons": result.reasons, "record": None}

    status, record_id, counts = _store_corrected(batch, result)
    ImportBatch.objects.filter(pk=batch.pk).update(rejected_count=F("rejected_count") - 1, **counts)
    row.resolved = True
    row.resolved_at = timezone.now()
    row.resolved_by = by
    row.record_id = record_id
    row.reasons = []
    row.save()
    audit_log(
        by=by,
        action=AuditEvent.Action.REJECTED_ROW_CORRECTED,
        obj=row,
        detail={"batch": batch.pk, "line": row.line_number, "status": status, "record": record_id},
    )
    return {"status": status, "reasons": [], "record": record_id}


def _corrected_cells(row: RejectedRow, labels: tuple[str, ...], values: dict[str, str]) -> dict[str, str]:
    """The row's cells by column as kept, with the corrections laid over them; CorrectionError for a column the
    row's source does not have."""
    unknown = set(values) - set(labels)
    if unknown:
        raise CorrectionError(f"Unknown column(s): {', '.join(sorted(unknown))}")
    current = dict(values_by_column(row.raw_values, labels))
    return {label: str(values.get(label, current[label])) for label in labels}


def _store_corrected(batch: ImportBatch, result: Normalised) -> tuple[str, int, dict[str, Any]]:
    """Store a corrected row's record in its batch, or find the record it duplicates: (status, record id, the
    batch count it adds to)."""
    # Its occurrence in the batch: after any identical record this batch already holds. Stored records of the
    # same content can only be in its month or a neighbour (sinks.StoredFingerprints).
    first = first_fingerprint(result.content, epoch_seconds(result.occurred_at))
    records = EncounterRecord.objects.filter(force=batch.force, month__in=neighbours(result.month))
    occurrence = 0
    while True:
        fingerprint = nth_fingerprint(first, occurrence)
        existing = records.filter(fingerprint=fingerprint).only("pk", "batch_id").first()
        if existing is None or existing.batch_id != batch.pk:
            break
        occurrence += 1
    if existing is not None:
        return "duplicate", existing.pk, {"duplicate_count": F("duplicate_count") + 1}
    sink = ExecutemanySink(force_id=batch.force_id, batch_id=batch.pk)
    sink.open()
    sink.write(result, fingerprint)
    sink.finish()
    record_id = records.get(fingerprint=fingerprint).pk
    records_changed(batch.force_id)
    return "imported", record_id, {"imported_count": F("imported_count") + 1}


# --- redaction -----------------------------------------------------------------------------------------------


@transaction.atomic
def record_redaction_check(*, record: EncounterRecord, by: Any, grounds_text: str | None = None) -> EncounterRecord:
    """A coordinator has read the masked grounds (and optionally masked more by hand): members may now see them.

    Edited text is masked again, so a check can only remove personal data, never put it back.
    """
    text = None if grounds_text is None else pii.mask(grounds_text).text
    before = record.grounds_text
    record.mark_redaction_checked(by=by, grounds_text=text)
    audit_log(
        by=by,
        action=AuditEvent.Action.REDACTION_CHECKED,
        obj=record,
        detail={"edited": text is not None and text != before},
    )
    return record
