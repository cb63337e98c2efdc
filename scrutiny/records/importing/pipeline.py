"""One import: read → normalise → fingerprint → write, accounting for every row, in one transaction.

`run_import` is what the command, the background task, the benchmark and the tests call. It streams: memory
holds the vocabulary caches, a few thousand rows in flight and the batch's occurrence counter (one entry per
distinct record). Rejected rows are spooled to a temporary file while the records stream (PostgreSQL takes no
other statement in the middle of a COPY) and written at the end. Any exception rolls the whole import back.

A data.police.uk CSV going to PostgreSQL takes a hot loop (`_Run.police_uk_csv`) that does the common row
inline, with caches for the vocabulary columns, the hour and the location, and falls back to the general path
for anything unusual. Both paths build the same fingerprint for the same row; the tests check this.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import struct
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scrutiny.choices import BatchStatus, SourceFormat
from scrutiny.records import pii
from scrutiny.records.importing import pgbinary
from scrutiny.records.importing.cells import COORD_EXACT, FAST_UTC, DateError, coordinate
from scrutiny.records.importing.errors import ImportFailed
from scrutiny.records.importing.fingerprints import batch_fingerprints, epoch_seconds, fingerprint_of
from scrutiny.records.importing.normalise import (
    Normaliser,
    Rejected,
    StopSearchNormaliser,
    make_normaliser,
)
from scrutiny.records.importing.readers import CsvReader, Reader, open_reader, without_line_end
from scrutiny.records.importing.sinks import BinaryRows, PostgresSink, Sink, make_sink
from scrutiny.records.models import ImportBatch, RejectedRow

logger = logging.getLogger(__name__)

# (rows done, bytes read), every few thousand rows while importing.
Progress = Callable[[int, int], None]

PROGRESS_EVERY_ROWS = 16384
_REJECT_CHUNK = 1000
_sha256 = hashlib.sha256
_PACK_TIMESTAMP = struct.Struct(">iq").pack  # a binary timestamp field: its length (8), then microseconds


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    read: int
    imported: int
    duplicates: int
    rejected: int
    skipped: int
    # Every fingerprint the batch's rows had (imported or duplicate), when run_import was asked to keep them.
    fingerprints: frozenset[bytes] | None = None

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
    return {"raw": raw, "protected": normaliser.protect(values).kept()}


class _Run:
    """The state of one import while it reads."""

    def __init__(self, reader: Reader, normaliser: Normaliser, sink: Sink, progress: Progress | None) -> None:
        self.reader = reader
        self.normaliser = normaliser
        self.sink = sink
        self.progress = progress
        self.read = 0
        self.rejected = 0
        self.seen: dict[bytes, int] = {}
        self.rejects: IO[str] = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self.every = PROGRESS_EVERY_ROWS
        self.next_progress = self.every

    def report(self) -> None:
        if self.progress is not None:
            self.progress(self.read, self.reader.bytes_read)

    def handle(self, line: int, values: Sequence[str], problem: str | None) -> None:
        """The general path for one source row."""
        self.read += 1
        if problem is None:
            result = self.normaliser.normalise(values)
            if not isinstance(result, Rejected):
                self.sink.write(result, fingerprint_of(result.content, result.occurred_at, self.seen))
            else:
                self.reject(line, values, None, result.reasons)
        else:
            self.reject(line, values, problem, [f"line {line}: {problem}"])
        if self.read >= self.next_progress:
            self.next_progress += self.every
            self.report()

    def reject(self, line: int, values: Sequence[str], problem: str | None, reasons: list[str]) -> None:
        self.rejected += 1
        payload = _reject_payload(self.reader, self.normaliser, values, problem)
        if payload.pop("withheld", False):
            reasons = [
                *reasons,
                "the cells are not kept: in a force extract a misaligned row may put an officer's identifier in "
                "any column; correct the file and import it again",
            ]
        payload.update(line=line, reasons=[_storable(r) for r in reasons])
        raw = payload["raw"]
        if "cells" in raw:
            raw["cells"] = [_storable(c) for c in raw["cells"]]
        else:
            payload["raw"] = {k: _storable(v) for k, v in raw.items()}
        self.rejects.write(json.dumps(payload) + "\n")

    def fingerprints(self) -> frozenset[bytes]:
        return frozenset(batch_fingerprints(self.seen))

    def general(self) -> None:
        for line, values, problem in self.reader:
            self.handle(line, values, problem)

    # Long on purpose: the hot loop, written out in one function so that every name it uses per row is a local
    # (bench/README.md: what it pays); tests/scrutiny/importing/test_fast_path_agrees.py holds it to the general path.
    def police_uk_csv(  # noqa: C901, PLR0912, PLR0915
        self, reader: CsvReader, normaliser: StopSearchNormaliser, sink: PostgresSink
    ) -> None:
        """The hot loop: a data.police.uk CSV into PostgreSQL, on bytes. Anything unusual goes through `handle`.

        A row is taken here only if every cell was seen valid before, in the same bytes: each cache below is keyed
        by raw bytes and filled only after the bytes were decoded as UTF-8 and checked, so a hit needs no check.
        """
        lines = reader.lines
        fh = lines.raw
        record = reader.record
        handle = self.handle
        dates = normaliser.dates
        date_label = reader.labels[1]
        categorical = normaliser.categorical
        rows = sink.rows
        # Caches keyed by raw bytes: the vocabulary columns → (their fingerprint content and the blank extract
        # columns', their binary fields and the row's constant end); "lat,lng" → (fingerprint content, binary
        # fields); the date and hour → (month, month's binary date, the hour in seconds since 1970);
        # ":MM:SS+00:00" → seconds into the hour. Each row is then one join of cached pieces.
        cats: dict[bytes, tuple[bytes, bytes] | None] = {}
        coords: dict[bytes, tuple[bytes, bytes] | None] = {}
        hours: dict[bytes, tuple[str, bytes, int]] = {}
        tail_seconds = _TAIL_SECONDS
        seen = self.seen
        maybe_months = sink.stored.maybe
        fetched: set[str] = set()
        known = sink.known
        existing = sink.stored.existing
        fresh = sink.fresh  # emptied in place by sink.flush(), so holding it is safe
        flush_at = sink.FLUSH_ROWS
        head = rows.head
        no_operation = pgbinary.text("")
        tail = rows.tail
        extra_content = "\x1f" + normaliser.blank_extra_content
        fast_utc = FAST_UTC.fullmatch
        sha256 = _sha256
        to_bytes = int.to_bytes
        pack_timestamp = _PACK_TIMESTAMP
        join = b"".join
        unit = 1_000_000
        epoch_2000 = pgbinary.POSTGRES_EPOCH_SECONDS
        read = self.read
        number = lines.number

        def slow(number: int, raw: bytes) -> None:
            # The general path for this line (and any lines it pushes back), keeping counts in step.
            nonlocal read
            self.read = read
            lines.number = number
            try:
                item: tuple[int, str, bool] | None = (number, without_line_end(raw.decode()), True)
            except UnicodeDecodeError:
                item = (number, without_line_end(raw.decode(errors="replace")), False)
            while item is not None:
                row = record(item)
                if row is not None:
                    handle(*row)
                item = lines.next_pending()
            read = self.read

        # readline, not iteration: a Django File rewinds to the start when iterated.
        for raw in iter(fh.readline, b""):
            number += 1
            cells = raw.split(b",", 6)
            # A byte's value, not a one-byte string: `34 in raw` is a memchr, `b'"' in raw` ten times slower.
            if len(cells) != 7 or 34 in raw or 0 in raw or cells[3]:  # a quote or a NUL: the general path
                slow(number, raw)
                number = lines.number
                continue
            # The tail (gender ... removal, with the line end) cannot hold NUL, so the key is unambiguous.
            key = cells[6] + b"\x00" + cells[0] + b"\x00" + cells[2]
            cat = cats.get(key)
            if cat is None:
                if key not in cats:
                    cat = None
                    try:
                        texts = [c.decode() for c in cells]
                    except UnicodeDecodeError:
                        texts = []
                    rest = without_line_end(texts[6]).split(",") if texts else []
                    if len(rest) == 9:
                        segment = categorical(texts[:6] + rest)
                        if not isinstance(segment, list):
                            cat = ((segment.content + extra_content).encode(), no_operation + segment.binary + tail)
                    if len(cats) < 50_000:
                        cats[key] = cat
                if cat is None:
                    slow(number, raw)
                    number = lines.number
                    continue
            when = cells[1]
            hour = hours.get(when[:13])
            seconds = tail_seconds.get(when[13:])
            if hour is None or seconds is None:
                text = when.decode(errors="replace")
                if len(text) != 25 or not fast_utc(text):
                    slow(number, raw)  # another form, or not a date: the general path
                    number = lines.number
                    continue
                try:
                    _, month = dates.resolve(text, date_label)
                except DateError:
                    slow(number, raw)
                    number = lines.number
                    continue
                hour = hours[when[:13]] = (month, rows.month(month), epoch_seconds(text[:13] + ":00:00+00:00"))
                seconds = tail_seconds[when[13:]]
            place_key = cells[4] + b"," + cells[5]
            place = coords.get(place_key)
            if place is None:
                if place_key not in coords:
                    place = _place(cells[4].decode(errors="replace"), cells[5].decode(errors="replace"), rows)
                    if len(coords) < 200_000:
                        coords[place_key] = place
                if place is None:
                    slow(number, raw)
                    number = lines.number
                    continue
            # fingerprints.first_fingerprint and nth_fingerprint, inline.
            digest = sha256(join((when, place[0], cat[0]))).digest()
            at = hour[2] + seconds
            first = join((to_bytes(at, 4, "big"), digest[:8], digest[28:]))
            occurrence = seen.get(first, 0)
            seen[first] = occurrence + 1
            if occurrence:
                first = first[:12] + to_bytes(occurrence, 4, "big")
            month = hour[0]
            if month in maybe_months and month not in fetched:
                known(month)
                fetched.add(month)
            if first not in existing:  # empty unless the file's months already hold records
                fresh.append(
                    join((head, first, pack_timestamp(8, (at - epoch_2000) * unit), hour[1], place[1], cat[1]))
                )
                if len(fresh) >= flush_at:
                    sink.flush()
            read += 1
            if read >= self.next_progress:
                self.next_progress += self.every
                self.read = read
                lines.number = number
                if self.progress is not None:
                    self.progress(read, fh.tell())
        self.read = read
        lines.number = number
        lines.bytes_read = fh.tell()


# Every valid ":MM:SS+00:00" ending of a data.police.uk time, and its seconds into the hour: with the date and hour
# checked once per hour, one lookup validates the rest.
_TAIL_SECONDS = {f":{m:02d}:{s:02d}+00:00".encode(): m * 60 + s for m in range(60) for s in range(60)}


def _storable(text: str) -> str:
    """Text that PostgreSQL can store: a NUL becomes the replacement character."""
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def place_content(latitude: str, longitude: str) -> str | None:
    """A location's part of the fingerprint content, or None if it is not exactly data.police.uk's form (six
    decimal places, in range): the general path reads anything else, and says why if it is not valid."""
    if not latitude and not longitude:
        return "\x1f\x1f\x1f\x1f"
    if not (COORD_EXACT.fullmatch(latitude) and COORD_EXACT.fullmatch(longitude)):
        return None
    reasons: list[str] = []
    lat = coordinate(latitude, "Latitude", 90, reasons)
    lng = coordinate(longitude, "Longitude", 180, reasons)
    if reasons or lat is None or lng is None:
        return None
    return f"\x1f{lat}\x1f{lng}\x1f\x1f"


def _place(latitude: str, longitude: str, rows: BinaryRows) -> tuple[bytes, bytes] | None:
    """(fingerprint content, binary fields) for a location in the hot loop, or None (see place_content)."""
    content = place_content(latitude, longitude)
    if content is None:
        return None
    return content.encode(), rows.place(latitude or None, longitude or None)


def run_import(
    *,
    batch: ImportBatch,
    source: IO[bytes],
    progress: Progress | None = None,
    today: date | None = None,
    keep_fingerprints: bool = False,
    sheet: str | None = None,
) -> ImportResult:
    """Import one source into `batch` (already saved, with force and source_format set).

    With `keep_fingerprints`, the result holds every fingerprint the source's rows had (the sync compares them
    with what the force holds for the month). `sheet` names the sheet of an Excel workbook (default: its first).
    Raises ImportFailed (or anything else) with the database as it was before the call.
    """
    force = batch.force
    if not force.police_uk_id:
        raise ImportFailed(f'"{force}" has no data.police.uk force id')
    # The declared month can decide the order of dates written with slashes (slashdates.py).
    reader = open_reader(source, batch.source_format, declared_month=batch.declared_month, sheet=sheet)
    normaliser = make_normaliser(
        batch.source_format,
        labels=reader.labels,
        force=force.police_uk_id,
        pseudonym_key=settings.PSEUDONYM_KEY,
        declared_month=batch.declared_month,
        today=today,
    )
    extra_columns = batch.source_format in (SourceFormat.FORCE_EXTRACT, SourceFormat.USE_OF_FORCE)
    with transaction.atomic():
        sink = make_sink(force_id=force.pk, batch_id=batch.pk, extra_columns=extra_columns)
        run = _Run(reader, normaliser, sink, progress)
        # The loops create no reference cycles, but millions of short-lived objects, each of which would count
        # towards a collection of the whole heap: with the collector off the import runs about a third faster.
        collecting = gc.isenabled()
        gc.disable()
        try:
            sink.open()
            if _takes_hot_loop(batch, reader, normaliser, sink):
                run.police_uk_csv(reader, normaliser, sink)  # type: ignore[arg-type]
            else:
                run.general()
            imported = sink.finish()
        except BaseException:
            sink.abort()
            run.rejects.close()
            raise
        finally:
            if collecting:
                gc.enable()
        result = _finish_batch(batch, run, reader, normaliser, imported, keep_fingerprints=keep_fingerprints)
    try:
        run.report()
    except Exception:
        # The import is done; failing to say so (a closed progress bar, a lost connection) must not undo it.
        logger.warning("could not report the end of batch %s", batch.pk, exc_info=True)
    batch.refresh_from_db()
    return result


def _takes_hot_loop(batch: ImportBatch, reader: Reader, normaliser: Any, sink: Sink) -> bool:
    """Whether the source goes through the hot loop: a data.police.uk CSV whose columns are in the published
    order, into PostgreSQL."""
    return (
        isinstance(sink, PostgresSink)
        and isinstance(reader, CsvReader)
        and isinstance(normaliser, StopSearchNormaliser)
        and batch.source_format == SourceFormat.POLICE_UK_CSV
        and reader.identity
    )


def _finish_batch(
    batch: ImportBatch, run: _Run, reader: Reader, normaliser: Any, imported: int, *, keep_fingerprints: bool
) -> ImportResult:
    """Store the rejected rows and the batch's counts and notes (inside the import's transaction); its result."""
    _save_rejects(batch, run.rejects)
    run.rejects.close()
    read, rejected = run.read, run.rejected
    skipped = reader.skipped
    duplicates = read - rejected - imported
    notes = [*getattr(reader, "notes", ()), *getattr(normaliser, "notes", ())]
    ImportBatch.objects.filter(pk=batch.pk).update(
        notes=notes,
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
    return ImportResult(
        batch_id=batch.pk,
        read=read,
        imported=imported,
        duplicates=duplicates,
        rejected=rejected,
        skipped=skipped,
        fingerprints=run.fingerprints() if keep_fingerprints else None,
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
