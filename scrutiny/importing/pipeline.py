"""One import: read → normalise → fingerprint → write, accounting for every row, in one transaction.

`run_import` is what the command, the background task and the tests call. It streams: memory holds the
vocabulary caches, one chunk of rows, and the per-batch occurrence counter (32 bytes a distinct record).
Rejected rows are spooled to a temporary file while the records stream (PostgreSQL cannot take other statements
in the middle of a COPY) and written afterwards. Any exception rolls the whole import back.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scrutiny import pii
from scrutiny.choices import BatchStatus, SourceFormat
from scrutiny.importing.errors import ImportFailed
from scrutiny.importing.formats import FIELDS
from scrutiny.importing.normalise import Normaliser, Rejected, make_normaliser
from scrutiny.importing.readers import CsvReader, Reader, open_reader
from scrutiny.importing.sinks import make_sink
from scrutiny.models import ImportBatch, RejectedRow

# (rows done, bytes read) every so often while importing.
Progress = Callable[[int, int], None]

_PROGRESS_EVERY_ROWS = 8192
_REJECT_CHUNK = 1000


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    read: int
    imported: int
    duplicates: int
    rejected: int
    skipped: int

    def as_json(self, file: str) -> dict[str, Any]:
        return {
            "file": file,
            "batch": self.batch_id,
            "read": self.read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
        }


def _reject_payload(
    reader: Reader, normaliser: Normaliser, values: Sequence[str], problem: str | None
) -> dict[str, Any]:
    """What is kept of a rejected row: its cells by column, except what must never be stored.

    An officer's identifier and a force reference are kept only in their keyed forms (`protected`), free text only
    masked. A row whose cells could not be matched to columns keeps them only if the format holds nothing
    sensitive: in a force extract a misaligned row may put an officer's identifier in any cell.
    """
    if problem is not None:
        if any(reader.sensitive):
            return {"raw": {}, "protected": {}, "withheld": True}
        return {"raw": {"cells": list(values)}, "protected": {}}
    raw: dict[str, str] = {}
    for name, label, secret, value in zip(reader.names, reader.labels, reader.sensitive, values, strict=True):
        if not secret:
            raw[label] = value
        elif name in ("grounds", "operation_name"):
            raw[label] = pii.mask(value).text
        else:
            raw[label] = ""
    protected = normaliser.protect(values)
    kept = {
        "officer_pseudonym": protected.officer_pseudonym,
        "force_reference_hash": protected.force_reference_hash,
        "pii_flagged": protected.pii_flagged,
    }
    return {"raw": raw, "protected": {k: v for k, v in kept.items() if v}}


def run_import(
    *,
    batch: ImportBatch,
    source: IO[bytes],
    progress: Progress | None = None,
    today: date | None = None,
) -> ImportResult:
    """Import one source into `batch` (already saved, with force and source_format set).

    Raises ImportFailed (or anything else) with the database as it was before the call.
    """
    force = batch.force
    if not force.police_uk_id:
        raise ImportFailed(f'"{force}" has no data.police.uk force id')
    reader = open_reader(source, batch.source_format)
    normaliser = make_normaliser(
        batch.source_format,
        labels=reader.labels,
        force=force.police_uk_id,
        pseudonym_key=settings.PSEUDONYM_KEY,
        declared_month=batch.declared_month,
        today=today,
    )
    read = rejected = 0
    months: set[str] = set()
    seen: dict[bytes, int] = {}
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")  # noqa: SIM115
    with transaction.atomic():
        sink = make_sink(force_id=force.pk, batch_id=batch.pk)
        sink.open()
        try:
            sha256 = hashlib.sha256
            write = sink.write
            normalise = normaliser.normalise
            next_progress = _PROGRESS_EVERY_ROWS
            for line, values, problem in reader:
                read += 1
                if problem is None:
                    result = normalise(values)
                    if not isinstance(result, Rejected):
                        if result.month not in months:
                            months.add(result.month)
                        first = sha256(result.content).digest()
                        occurrence = seen.get(first, 0)
                        seen[first] = occurrence + 1
                        write(
                            result,
                            first if not occurrence else sha256(first + occurrence.to_bytes(4, "big")).digest(),
                        )
                    else:
                        rejected += 1
                        payload = _reject_payload(reader, normaliser, values, None)
                        payload.update(line=line, reasons=result.reasons)
                        spool.write(json.dumps(payload) + "\n")
                else:
                    rejected += 1
                    payload = _reject_payload(reader, normaliser, values, problem)
                    reasons = [f"line {line}: {problem}"] if problem else []
                    if payload.get("withheld"):
                        reasons.append(
                            "the cells are not kept: in a force extract a misaligned row may put an officer's "
                            "identifier in any column; correct the file and import it again"
                        )
                    payload.update(line=line, reasons=reasons)
                    spool.write(json.dumps(payload) + "\n")
                if progress is not None and read >= next_progress:
                    next_progress += _PROGRESS_EVERY_ROWS
                    progress(read, reader.bytes_read)
            imported = sink.finish(months)
        except BaseException:
            sink.abort()
            raise
        _save_rejects(batch, spool)
        spool.close()
        skipped = reader.skipped if isinstance(reader, CsvReader) else 0
        duplicates = read - rejected - imported
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FINISHED,
            read_count=read,
            imported_count=imported,
            duplicate_count=duplicates,
            rejected_count=rejected,
            skipped_lines=skipped,
            rows_done=read,
            finished_at=timezone.now(),
            error="",
        )
    if progress is not None:
        progress(read, reader.bytes_read)
    batch.refresh_from_db()
    return ImportResult(
        batch_id=batch.pk, read=read, imported=imported, duplicates=duplicates, rejected=rejected, skipped=skipped
    )


def _save_rejects(batch: ImportBatch, spool: IO[str]) -> None:
    spool.seek(0)
    chunk: list[RejectedRow] = []
    for text in spool:
        payload = json.loads(text)
        chunk.append(
            RejectedRow(
                batch=batch,
                line_number=payload["line"],
                raw_values=payload["raw"],
                protected=payload["protected"],
                reasons=payload["reasons"],
            )
        )
        if len(chunk) >= _REJECT_CHUNK:
            RejectedRow.objects.bulk_create(chunk)
            chunk = []
    if chunk:
        RejectedRow.objects.bulk_create(chunk)


def count_lines(fh: IO[bytes]) -> int:
    """Roughly how many records a CSV holds (its lines less the header), for progress; leaves fh at the start."""
    count = 0
    while block := fh.read(1 << 20):
        count += block.count(b"\n")
    fh.seek(0)
    return max(count - 1, 0)


__all__ = ["FIELDS", "ImportFailed", "ImportResult", "Progress", "SourceFormat", "count_lines", "run_import"]
