"""Running an import: a file read into a force's records as a batch (the command, the sync, the demo and the
background worker), its progress broadcast to the `batch.<id>` group, a queued batch run (the task's body).

Nothing here queues work: `services.batch_create_from_upload` queues `records.tasks.import_batch`, which runs
`batch_run`, so the task module imports this one and this one imports neither.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import date
from typing import IO, Any, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.base import File
from django.db import connection, connections, transaction
from django.utils import timezone

from panels.models import Organisation
from scrutiny.audit.models import AuditEvent
from scrutiny.audit.services import audit_log
from scrutiny.choices import BatchStatus, SourceFormat
from scrutiny.records.importing import ImportFailed, ImportResult, detect_format, run_import
from scrutiny.records.importing.formats import format_of_header
from scrutiny.records.importing.readers import open_reader
from scrutiny.records.importing.sniff import XLSX, container, count_rows
from scrutiny.records.importing.workbook import header_of
from scrutiny.records.models import ImportBatch
from scrutiny.records.versions import records_changed

logger = logging.getLogger(__name__)


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


def detect_source_format(fh: IO[bytes], source_format: str | None, sheet: str | None = None) -> str:
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
    source_format = detect_source_format(source, source_format, sheet)
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
