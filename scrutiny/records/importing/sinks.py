"""Where normalised rows go: set-based writes, never one ORM save per row, and no row sent that is already stored.

One rule decides what is already stored, for every database (`StoredFingerprints`), under a per-force lock:

- A row whose month (and neighbouring months) holds no record of the force yet cannot be a duplicate: the
  fingerprint covers the time, and a batch's own fingerprints are unique by construction.
- For a row in a month that does hold records, the fingerprints stored for that month and its two neighbours are
  fetched once (one index-only range per month on the (force, month, fingerprint) index, on the import's own
  connection, so it also sees what this transaction has written) and the row is sent only if its fingerprint is
  not among them. Neighbours, because a record's month can depend on the month its file declares
  (cells.Dates), so the same content may have been stored under the month before or after.

PostgreSQL: rows stream with binary COPY (pgbinary) straight into the records table, in chunks sorted by
fingerprint (that is, by time), with a writer thread sending while Python builds the next chunk. Measured on 1M rows
this beats a staging table with INSERT ... SELECT ... ON CONFLICT or an anti-join (bench/README.md): the staging table
is a second write of every row.

SQLite (and anything else): INSERT in chunks with executemany.

Both report how many rows they inserted; the rest of the rows they were given were already there (duplicates).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection
from psycopg.copy import QueuedLibpqWriter

from common.months import add_months
from scrutiny.records.importing import pgbinary
from scrutiny.records.importing.columns import ALL_COLUMNS, CATEGORICAL_COLUMNS, CONSTANT_COLUMNS, ROW_COLUMNS
from scrutiny.records.importing.normalise import Normalised
from scrutiny.records.models import EncounterRecord

TABLE = EncounterRecord._meta.db_table
# What a data.police.uk row sets; the force-extract and use-of-force columns take their database defaults.
POLICE_UK_COLUMNS: tuple[str, ...] = ROW_COLUMNS + CATEGORICAL_COLUMNS + CONSTANT_COLUMNS
_LOCK_NAMESPACE = 0x5C2071  # pg_advisory_xact_lock(namespace, force id): one writer per force at a time


def lock_force(force_id: int) -> None:
    """Serialise writes of one force's records (PostgreSQL; SQLite has one writer at all), until the transaction
    ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, force_id])


def occupied_months(force_id: int) -> set[str]:
    """Every month that holds a record of the force ("YYYY-MM-01" strings).

    PostgreSQL: a loose index scan over (force, month), one index probe per distinct month, however many records.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                WITH RECURSIVE months(month) AS (
                    SELECT min(month) FROM {TABLE} WHERE force_id = %s
                    UNION ALL
                    SELECT (SELECT min(month) FROM {TABLE} WHERE force_id = %s AND month > months.month)
                    FROM months WHERE months.month IS NOT NULL
                )
                SELECT month FROM months WHERE month IS NOT NULL
                """,  # noqa: S608 - the table name is a constant
                [force_id, force_id],
            )
        else:
            cursor.execute(f"SELECT DISTINCT month FROM {TABLE} WHERE force_id = %s", [force_id])  # noqa: S608
        return {str(row[0])[:10] for row in cursor.fetchall()}


def neighbours(month: str) -> tuple[str, str, str]:
    """The month before, the month and the month after ("YYYY-MM-01" strings)."""
    d = date.fromisoformat(month)
    return add_months(d, -1).isoformat(), month, add_months(d, 1).isoformat()


def fetch_fingerprint_blob(force_id: int, months: Iterable[str]) -> bytes:
    """The fingerprints stored for the force in these months, end to end (16 bytes each), on the current connection.

    PostgreSQL sends them as one value: a million come back as 16 MB in one row instead of a million rows each turned
    into a Python object by the driver (and with no GROUP BY, nothing to sort).
    """
    wanted = [date.fromisoformat(m) for m in months]
    if not wanted:
        return b""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT string_agg(fingerprint, ''::bytea) FROM {TABLE} "  # noqa: S608
                "WHERE force_id = %s AND month = ANY(%s)",
                [force_id, wanted],
            )
            joined = cursor.fetchone()[0]
            return b"" if joined is None else bytes(joined)
        placeholders = ", ".join(["%s"] * len(wanted))
        cursor.execute(
            f"SELECT fingerprint FROM {TABLE} WHERE force_id = %s AND month IN ({placeholders})",  # noqa: S608
            [force_id, *wanted],
        )
        return b"".join(bytes(row[0]) for row in cursor.fetchall())


def fetch_fingerprints(force_id: int, months: Iterable[str]) -> set[bytes]:
    """The same, as a set."""
    blob = fetch_fingerprint_blob(force_id, months)
    return {blob[i : i + 16] for i in range(0, len(blob), 16)}


class StoredFingerprints:
    """What the force already holds, as far as this import's rows could duplicate it (see the module docstring).

    `maybe` holds the months (with neighbours) where a row may be a duplicate; `known(month)` fetches, once, the
    stored fingerprints of the month and its neighbours into `existing`. `before_fetch` runs first (PostgreSQL
    ends its COPY in progress, so the fetch sees every row written so far).
    """

    def __init__(self, force_id: int) -> None:
        self.force_id = force_id
        self.occupied: set[str] = set()
        self.maybe: set[str] = set()
        self.existing: set[bytes] = set()
        self._fetched: set[str] = set()

    def load_months(self) -> None:
        self.occupied = occupied_months(self.force_id)
        self.maybe = {n for m in self.occupied for n in neighbours(m)}

    def known(self, month: str, before_fetch: Any = None) -> set[bytes]:
        wanted = [m for m in neighbours(month) if m in self.occupied and m not in self._fetched]
        if wanted:
            self._fetched.update(wanted)
            if before_fetch is not None:
                before_fetch()
            self.existing |= fetch_fingerprints(self.force_id, wanted)
        return self.existing

    def is_stored(self, month: str, fingerprint: bytes, before_fetch: Any = None) -> bool:
        return month in self.maybe and fingerprint in self.known(month, before_fetch)


def unix_micros(occurred_at: str) -> int:
    """Microseconds since 1970 of an ISO 8601 time with an offset."""
    moment = datetime.fromisoformat(occurred_at)
    return (moment - _UNIX_EPOCH) // _MICROSECOND


_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class BinaryRows:
    """Binary COPY rows for the records table (pgbinary), with the per-value pieces cached: a month's date, a
    place's two numerics. `tail` is the constant end of every row (force and batch)."""

    def __init__(self, *, force_id: int, batch_id: int, extra: bool) -> None:
        count = len(ALL_COLUMNS if extra else POLICE_UK_COLUMNS)
        self.head = pgbinary.row_header(count) + pgbinary.length(16)  # the field count, the fingerprint's length
        self.tail = pgbinary.int8(force_id) + pgbinary.int8(batch_id)
        self.extra = extra
        self._months: dict[str, bytes] = {}
        self._places: dict[tuple[str | None, str | None], bytes] = {}

    def month(self, month: str) -> bytes:
        found = self._months.get(month)
        if found is None:
            found = self._months[month] = pgbinary.day(month)
        return found

    def place(self, latitude: str | None, longitude: str | None) -> bytes:
        key = (latitude, longitude)
        found = self._places.get(key)
        if found is None:
            found = pgbinary.numeric(latitude) + pgbinary.numeric(longitude)
            if len(self._places) < 200_000:
                self._places[key] = found
        return found

    def row(self, row: Normalised, fingerprint: bytes) -> bytes:
        """The whole row, in POLICE_UK_COLUMNS order (or ALL_COLUMNS when `extra`)."""
        return b"".join(
            (
                self.head,
                fingerprint,
                pgbinary.timestamptz_micros(unix_micros(row.occurred_at)),
                self.month(row.month),
                self.place(row.latitude, row.longitude),
                pgbinary.text(row.policing_operation),
                row.categorical.binary,
                row.extra.binary if self.extra else b"",
                self.tail,
            )
        )


class Sink:
    """Rows in, records out: `open()`, `write()` each normalised row, then `finish()` (or `abort()`)."""

    def __init__(self, *, force_id: int, batch_id: int) -> None:
        self.force_id = force_id
        self.batch_id = batch_id
        self.stored = StoredFingerprints(force_id)
        self.inserted = 0

    def open(self) -> None:
        lock_force(self.force_id)
        self.stored.load_months()

    def write(self, row: Normalised, fingerprint: bytes) -> bool:
        """Queue the row unless it is already stored; False when it is a duplicate."""
        raise NotImplementedError

    def finish(self) -> int:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError


class PostgresSink(Sink):
    """Binary COPY into the records table. The hot loop (pipeline) appends rows built with `rows` to `fresh` itself
    and calls `flush()` when it holds FLUSH_ROWS; `flush()` empties the list in place, so holding it is safe."""

    FLUSH_ROWS = 65536

    def __init__(self, *, force_id: int, batch_id: int, extra_columns: bool) -> None:
        super().__init__(force_id=force_id, batch_id=batch_id)
        self.columns = ALL_COLUMNS if extra_columns else POLICE_UK_COLUMNS
        self.rows = BinaryRows(force_id=force_id, batch_id=batch_id, extra=extra_columns)
        self.fresh: list[bytes] = []
        self._cursor: Any = None
        self._copy: Any = None
        self._copy_cm: Any = None

    def open(self) -> None:
        super().open()
        self._cursor = connection.cursor()

    def known(self, month: str) -> set[bytes]:
        return self.stored.known(month, self._end_copy)

    def write(self, row: Normalised, fingerprint: bytes) -> bool:
        if self.stored.is_stored(row.month, fingerprint, self._end_copy):
            return False
        self.fresh.append(self.rows.row(row, fingerprint))
        if len(self.fresh) >= self.FLUSH_ROWS:
            self.flush()
        return True

    def flush(self) -> None:
        if self.fresh:
            if self._copy is None:
                columns = ", ".join(self.columns)
                raw = self._cursor.cursor
                # A writer thread sends while this one builds the next rows (libpq releases the GIL).
                self._copy_cm = raw.copy(
                    f"COPY {TABLE} ({columns}) FROM STDIN (FORMAT BINARY)", writer=_BoundedWriter(raw)
                )
                self._copy = self._copy_cm.__enter__()
                self._copy.write(pgbinary.SIGNATURE)
            # Every row starts with the same field count and length, then its fingerprint, which starts with the
            # time: a sorted chunk fills the (force, month, fingerprint) index page by page instead of at random.
            self.fresh.sort()
            self._copy.write(b"".join(self.fresh))
            self.inserted += len(self.fresh)
            self.fresh.clear()

    def _end_copy(self) -> None:
        self.flush()
        if self._copy_cm is not None:
            self._copy.write(pgbinary.TRAILER)
            self._copy_cm.__exit__(None, None, None)
            self._copy = self._copy_cm = None

    def finish(self) -> int:
        self._end_copy()
        return self.inserted

    def abort(self) -> None:
        # The transaction is being rolled back anyway; ending the COPY just frees the connection for the rollback.
        if self._copy_cm is not None:
            with contextlib.suppress(Exception):
                self._copy_cm.__exit__(RuntimeError, RuntimeError("import aborted"), None)
        self._copy = self._copy_cm = None


class _BoundedWriter(QueuedLibpqWriter):
    """psycopg's writer thread, with a short queue: when PostgreSQL is slower than the file is read, the reader
    waits instead of queueing the file in memory (psycopg's default queue holds up to 1024 blocks)."""

    def __init__(self, cursor: Any) -> None:
        super().__init__(cursor)
        self._queue = type(self._queue)(maxsize=256)


class ExecutemanySink(Sink):
    """INSERT in chunks (SQLite, or PostgreSQL for a single corrected row)."""

    _CHUNK = 2000

    def __init__(self, *, force_id: int, batch_id: int) -> None:
        super().__init__(force_id=force_id, batch_id=batch_id)
        self._tail = (force_id, batch_id)
        self._sqlite = connection.vendor == "sqlite"
        self._rows: list[tuple[Any, ...]] = []
        placeholders = ", ".join(["%s"] * len(ALL_COLUMNS))
        self._sql = f"INSERT INTO {TABLE} ({', '.join(ALL_COLUMNS)}) VALUES ({placeholders})"  # noqa: S608
        self._cursor: Any = None

    def open(self) -> None:
        super().open()
        self._cursor = connection.cursor()

    def write(self, row: Normalised, fingerprint: bytes) -> bool:
        if self.stored.is_stored(row.month, fingerprint, self._flush):
            return False
        occurred_at = row.occurred_at
        if self._sqlite:
            # Django keeps times in SQLite as naive UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
            occurred_at = occurred_at[:10] + " " + occurred_at[11:-6]
        self._rows.append(
            (
                fingerprint,
                occurred_at,
                row.month,
                row.latitude,
                row.longitude,
                row.policing_operation,
                *row.categorical.values,
                *row.extra.values,
                *self._tail,
            )
        )
        if len(self._rows) >= self._CHUNK:
            self._flush()
        return True

    def _flush(self) -> None:
        if self._rows:
            self._cursor.executemany(self._sql, self._rows)
            self.inserted += len(self._rows)
            self._rows = []

    def finish(self) -> int:
        self._flush()
        return self.inserted

    def abort(self) -> None:
        self._rows = []


def make_sink(*, force_id: int, batch_id: int, extra_columns: bool) -> Sink:
    if connection.vendor == "postgresql":
        return PostgresSink(force_id=force_id, batch_id=batch_id, extra_columns=extra_columns)
    return ExecutemanySink(force_id=force_id, batch_id=batch_id)
