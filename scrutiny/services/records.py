"""Writes that touch several rows or have side effects: imports, corrections, redaction checks, the audit log.

Every entry point a page, the API, the command or the background worker uses to change encounter data is here.
Permission checks belong to the caller (scrutiny/permissions.py); services take the acting user as `by` and
record it.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import logging
import time
from collections.abc import Iterator
from datetime import date
from typing import IO, Any, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from panels.models import Organisation
from scrutiny.choices import BatchStatus, SourceFormat
from scrutiny.models import AuditEvent, EncounterRecord, ImportBatch, RejectedRow
from scrutiny.records import pii
from scrutiny.records.importing import ImportFailed, ImportResult, detect_format, run_import
from scrutiny.records.importing.fingerprints import epoch_seconds, first_fingerprint, nth_fingerprint
from scrutiny.records.importing.formats import FIELDS, POLICE_UK_JSON_LABELS, Field, format_of_header, parse_file_name
from scrutiny.records.importing.normalise import Protected, Rejected, make_normaliser
from scrutiny.records.importing.readers import open_reader
from scrutiny.records.importing.sinks import ExecutemanySink, lock_force, neighbours
from scrutiny.records.importing.sniff import XLSX, container, count_rows
from scrutiny.records.importing.workbook import header_of
from scrutiny.reporting import records_changed

logger = logging.getLogger(__name__)


# --- audit ---------------------------------------------------------------------------------------------------


def audit_log(*, by: Any, action: str, obj: Any, detail: dict[str, Any] | None = None, panel: Any = None) -> AuditEvent:
    """Append one event. `obj` is a model instance; `by` a user or None for the system; `panel` the panel whose
    coordinators may read the event, if any."""
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=(actor.email if actor is not None else "system"),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        detail=detail or {},
        panel=panel,
    )


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


# --- progress ------------------------------------------------------------------------------------------------


class BatchProgress(TypedDict):
    """What the `batch.<id>` channel group receives (type "batch.progress") while a batch imports."""

    type: str
    batch: int
    status: str
    rows_done: int
    rows_total: int | None
    read: int
    imported: int
    duplicates: int
    rejected: int
    error: str


def batch_group(batch_id: int) -> str:
    return f"batch.{batch_id}"


def _broadcast(batch: ImportBatch, *, rows_done: int | None = None) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message: BatchProgress = {
        "type": "batch.progress",
        "batch": batch.pk,
        "status": batch.status,
        "rows_done": batch.rows_done if rows_done is None else rows_done,
        "rows_total": batch.rows_total,
        "read": batch.read_count,
        "imported": batch.imported_count,
        "duplicates": batch.duplicate_count,
        "rejected": batch.rejected_count,
        "error": batch.error,
    }
    try:
        async_to_sync(layer.group_send)(batch_group(batch.pk), message)
    except Exception:  # progress is a courtesy; never fail an import over it
        logger.warning("could not send progress for batch %s", batch.pk, exc_info=True)


class _ProgressReporter:
    """Writes rows_done to the batch row and tells the `batch.<id>` group, at most every half second.

    The import runs in one transaction, so progress goes through a second connection (PostgreSQL) to be visible
    to others while it runs. SQLite has one writer at a time, so there only the channel message is sent.
    """

    INTERVAL = 0.5  # seconds between reports at most

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        self._last = 0.0
        self._connection = connections.create_connection("default") if connection.vendor == "postgresql" else None

    def __call__(self, rows_done: int, bytes_read: int) -> None:
        now = time.monotonic()
        if now - self._last < self.INTERVAL:
            return
        self._last = now
        if self._connection is not None:
            with self._connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportBatch._meta.db_table} SET rows_done = %s WHERE id = %s",  # noqa: S608
                    [rows_done, self.batch.pk],
                )
        _broadcast(self.batch, rows_done=rows_done)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


# --- imports -------------------------------------------------------------------------------------------------


def file_sha256(fh: IO[bytes]) -> str:
    """SHA-256 of the whole file; leaves fh at the start."""
    digest = hashlib.sha256()
    fh.seek(0)
    while block := fh.read(1 << 20):
        digest.update(block)
    fh.seek(0)
    return digest.hexdigest()


def _detect(fh: IO[bytes], source_format: str | None, sheet: str | None = None) -> str:
    if source_format is None:
        # A workbook's format is told from its sheet's first row; another kind of spreadsheet is refused here.
        if container(fh) == XLSX:
            source_format = format_of_header(header_of(fh, sheet))
        else:
            source_format = detect_format(fh.read(64 << 10))
        fh.seek(0)
    elif source_format not in SourceFormat.values:
        raise ImportFailed(f'unknown format "{source_format}"; use one of {", ".join(SourceFormat.values)}')
    return source_format


def check_header(fh: IO[bytes], source_format: str, *, sheet: str | None = None) -> None:
    """ImportFailed if the file's header (or JSON opening) is wrong for the format, or the file cannot be read
    (another kind of spreadsheet, an encoding that cannot be told); leaves fh at the start."""
    open_reader(fh, source_format, sheet=sheet)
    fh.seek(0)


def batch_import(
    *,
    source: IO[bytes],
    file_name: str,
    force: Organisation,
    by: Any = None,
    source_format: str | None = None,
    declared_month: date | None = None,
    progress: Any = None,
    sheet: str | None = None,
) -> tuple[ImportBatch, ImportResult]:
    """Import a seekable binary file now, in this process (the command's path). `sheet` names the sheet of an
    Excel workbook (default: its first).

    All or nothing: on ImportFailed (or any error) no batch and no record is left behind.
    """
    source_format = _detect(source, source_format, sheet)
    # No separate check of the header first: run_import reads it before any row, and a wrong one rolls back the
    # batch row below with everything else (a second read of a large file's header costs a pass over the file).
    sha = file_sha256(source)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            force=force,
            source_format=source_format,
            file_name=file_name[:255],
            file_sha256=sha,
            declared_month=declared_month,
            run_by=by if getattr(by, "is_authenticated", False) else None,
            status=BatchStatus.RUNNING,
            started_at=timezone.now(),
        )
        result = run_import(batch=batch, source=source, progress=progress, sheet=sheet)
        batch.refresh_from_db()
        audit_log(by=by, action=AuditEvent.Action.BATCH_FINISHED, obj=batch, detail=result.as_json(batch.file_name))
        records_changed(force.pk)  # cached disproportionality reports of this force are stale
    return batch, result


def batch_create_from_upload(
    *, file: UploadedFile, force: Organisation, by: Any, source_format: str | None = None
) -> ImportBatch:
    """Keep an uploaded file and queue its import as background work; returns the pending batch.

    The header is checked now, so a wrong file is refused at once (ImportFailed) rather than failing later.
    Follow the batch's progress on the `batch.<id>` channel group or by polling `rows_done`.
    """
    fh: IO[bytes] = file.file  # type: ignore[assignment]
    fh.seek(0)
    source_format = _detect(fh, source_format)
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
        transaction.on_commit(lambda: batch_enqueue(batch=batch))
    return batch


def batch_enqueue(*, batch: ImportBatch) -> None:
    from scrutiny.tasks import import_batch

    result = import_batch.enqueue(batch_id=batch.pk)
    ImportBatch.objects.filter(pk=batch.pk, task_id="").update(task_id=str(result.id)[:64])


def batch_run(*, batch_id: int) -> ImportBatch:
    """Run a pending batch's import (the background task's body). Never raises for a bad file: marks it failed."""
    batch = ImportBatch.objects.select_related("force").get(pk=batch_id)
    # Claim it: only one worker moves a batch from pending to running.
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.PENDING).update(
        status=BatchStatus.RUNNING, started_at=timezone.now()
    )
    batch.refresh_from_db()
    if not claimed:
        return batch
    reporter = _ProgressReporter(batch)
    try:
        with batch.source_file.open("rb") as stored:
            # The plain file underneath: Django's File (which storages wrap in layers) rewinds when iterated.
            fh: Any = stored
            while isinstance(fh, File):
                fh = fh.file
            if batch.source_format != SourceFormat.POLICE_UK_JSON:
                total = count_rows(fh)  # lines of a text file (CR line ends too), rows of a workbook's sheet
                ImportBatch.objects.filter(pk=batch.pk).update(rows_total=total)
                batch.rows_total = total
            _broadcast(batch)
            result = run_import(batch=batch, source=fh, progress=reporter)
    except Exception as error:
        reason = str(error) if isinstance(error, ImportFailed) else f"unexpected error: {type(error).__name__}"
        if not isinstance(error, ImportFailed):
            logger.exception("import of batch %s failed", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED, error=reason, finished_at=timezone.now()
        )
        batch.refresh_from_db()
        audit_log(by=None, action=AuditEvent.Action.BATCH_FAILED, obj=batch, detail={"error": reason})
    else:
        batch.refresh_from_db()
        audit_log(by=None, action=AuditEvent.Action.BATCH_FINISHED, obj=batch, detail=result.as_json(batch.file_name))
        records_changed(batch.force_id)
    finally:
        reporter.close()
        _discard_source(batch)
    _broadcast(batch)
    return batch


def _discard_source(batch: ImportBatch) -> None:
    """The uploaded file may hold officers' identifiers and unmasked grounds: keep it no longer than the import."""
    if batch.source_file:
        batch.source_file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(source_file="")


# --- rejected rows -------------------------------------------------------------------------------------------


def _labels(source_format: str) -> tuple[str, ...]:
    if source_format == SourceFormat.POLICE_UK_JSON:
        return POLICE_UK_JSON_LABELS
    return tuple(f.label for f in FIELDS[source_format])


def rejected_rows_csv(*, batch: ImportBatch, by: Any) -> Iterator[str]:
    """The batch's unresolved rejected rows as CSV text, chunk by chunk (for a StreamingHttpResponse).

    Columns: line, reasons, then the source's columns as read (sensitive ones blank; see RejectedRow).
    """
    labels = _labels(batch.source_format)
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
        raise ValueError("This row has already been corrected.")
    batch = row.batch
    force_id = batch.force.police_uk_id
    labels = _labels(batch.source_format)
    unknown = set(values) - set(labels)
    if unknown:
        raise ValueError(f"Unknown column(s): {', '.join(sorted(unknown))}")
    current = dict(row.raw_values or {})
    if "cells" in current:
        cells = list(current.pop("cells"))
        current = {label: (str(cells[i]) if i < len(cells) else "") for i, label in enumerate(labels)}
    merged = {label: str(values.get(label, current.get(label, ""))) for label in labels}
    stored = Protected(
        officer_pseudonym=row.protected.get("officer_pseudonym", ""),
        force_reference_hash=row.protected.get("force_reference_hash", ""),
        pii_flagged=bool(row.protected.get("pii_flagged", False)),
    )
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
    row.protected = {
        k: v
        for k, v in {
            "officer_pseudonym": protected.officer_pseudonym,
            "force_reference_hash": protected.force_reference_hash,
            "pii_flagged": protected.pii_flagged,
        }.items()
        if v
    }
    if isinstance(result, Rejected):
        row.reasons = result.reasons
        row.save(update_fields=["reasons", "raw_values", "protected"])
        return {"status": "rejected", "reasons": result.reasons, "record": None}

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
        status, record_id = "duplicate", existing.pk
        counts = {"duplicate_count": F("duplicate_count") + 1}
    else:
        sink = ExecutemanySink(force_id=batch.force_id, batch_id=batch.pk)
        sink.open()
        sink.write(result, fingerprint)
        sink.finish()
        status, record_id = "imported", records.get(fingerprint=fingerprint).pk
        counts = {"imported_count": F("imported_count") + 1}
        records_changed(batch.force_id)
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
