"""Where normalised rows go: set-based writes, never one ORM save per row.

PostgreSQL, in the import's transaction and holding a per-force advisory lock, rows stream with COPY straight into
the records table; no row is sent that is already there:

- A row whose month (and neighbouring months) holds no record of the force yet cannot be a duplicate: the
  fingerprint covers the time, and a batch's own fingerprints are unique by construction.
- For a row in a month that does hold records, the fingerprints stored for that month are fetched once (one
  indexed query per month, on the import's own connection between two COPYs, so it also sees what this
  transaction has written) and the row is sent only if its fingerprint is not among them. Re-importing a file
  therefore reads fingerprints and writes nothing.

Measured on 1M rows this beat COPY into a staging table followed by INSERT ... SELECT ... ON CONFLICT DO NOTHING
(or an anti-join) by a wide margin: the staging table costs a second write of every row, and checking fingerprints
against a freshly loaded table in SQL visits the heap for every row (docs/import.md, bench/README.md).

SQLite (and anything else): INSERT OR IGNORE (ON CONFLICT DO NOTHING) in chunks, with executemany.

Both report how many rows they inserted; the rest of the rows they were given were already there (duplicates).
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any, Protocol

from django.db import connection
from psycopg.copy import QueuedLibpqWriter

from scrutiny.importing.columns import ALL_COLUMNS, CATEGORICAL_COLUMNS, CONSTANT_COLUMNS, ROW_COLUMNS
from scrutiny.importing.normalise import Normalised
from scrutiny.models import EncounterRecord

TABLE = EncounterRecord._meta.db_table
# What a data.police.uk row sets; the force-extract and use-of-force columns take their database defaults.
POLICE_UK_COLUMNS: tuple[str, ...] = ROW_COLUMNS + CATEGORICAL_COLUMNS + CONSTANT_COLUMNS
_LOCK_NAMESPACE = 0x5C2071  # pg_advisory_xact_lock(namespace, force id): one writer per force at a time


def lock_force(force_id: int) -> None:
    """Serialise writes of one force's records (PostgreSQL), until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, force_id])


def occupied_months(force_id: int) -> set[str]:
    """Every month that holds a record of the force ("YYYY-MM-01" strings).

    A loose index scan over (force, month): one index probe per distinct month, however many records.
    """
    with connection.cursor() as cursor:
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
        return {row[0].isoformat() for row in cursor.fetchall()}


class Sink(Protocol):
    def open(self) -> None: ...
    def write(self, row: Normalised, fingerprint: bytes) -> bool: ...
    def finish(self) -> int: ...
    def abort(self) -> None: ...


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_line(row: Normalised, fingerprint: bytes, *, extra: bool, tail: str) -> str:
    """A row in COPY text format, in POLICE_UK_COLUMNS order (or ALL_COLUMNS when `extra`)."""
    operation = row.policing_operation.translate(_COPY_ESCAPES) if row.policing_operation else ""
    middle = f"\t{row.extra.copy}" if extra else ""
    return (
        f"\\\\x{fingerprint.hex()}\t{row.occurred_at}\t{row.month}\t{row.financial_year}\t"
        f"{row.latitude or chr(92) + 'N'}\t{row.longitude or chr(92) + 'N'}\t{operation}\t"
        f"{row.categorical.copy}{middle}{tail}"
    )


class PostgresSink:
    """See the module docstring. The hot loop appends COPY lines to `fresh` itself and calls `flush_if_full()`;
    `flush()` empties the list in place, so holding a reference to it is safe."""

    FLUSH_ROWS = 65536

    def __init__(self, *, force_id: int, batch_id: int, extra_columns: bool) -> None:
        self.force_id = force_id
        self.batch_id = batch_id
        self.extra = extra_columns
        self.columns = ALL_COLUMNS if extra_columns else POLICE_UK_COLUMNS
        self.tail = f"\t{force_id}\t{batch_id}\n"
        # Months (and their neighbours) already holding records of the force: rows there may be duplicates.
        self.maybe_months: set[str] = set()
        self._occupied: set[str] = set()
        self._fetched: set[str] = set()
        # Fingerprints already stored for the months fetched so far.
        self.existing: set[bytes] = set()
        self.fresh: list[str] = []
        self.inserted = 0
        self._cursor: Any = None
        self._copy: Any = None
        self._copy_cm: Any = None

    def open(self) -> None:
        lock_force(self.force_id)
        self._occupied = occupied_months(self.force_id)
        self.maybe_months = _with_neighbours(self._occupied)
        self._cursor = connection.cursor()

    def known(self, month: str) -> set[bytes]:
        """The stored fingerprints that a row of this month could duplicate (fetched once per month).

        A record's month can depend on the file it came in (the declared-month rule), so the neighbouring months
        are fetched too. The fetch runs on the import's own connection and transaction, ending the COPY in
        progress first if there is one (the next flush starts another), so it sees everything written so far.
        """
        wanted = [m for m in _neighbours(month) if m in self._occupied and m not in self._fetched]
        if wanted:
            self._fetched.update(wanted)
            self._end_copy()
            raw = connection.connection
            with raw.cursor(name="scrutiny_import_known", binary=True) as cursor:
                cursor.execute(
                    f"SELECT fingerprint FROM {TABLE} WHERE force_id = %s AND month = ANY(%s)",  # noqa: S608
                    [self.force_id, [date.fromisoformat(m) for m in wanted]],
                )
                while rows := cursor.fetchmany(50_000):
                    self.existing.update([bytes(row[0]) for row in rows])
        return self.existing

    def write(self, row: Normalised, fingerprint: bytes) -> bool:
        """Queue the row unless it is already stored; False when it is a duplicate."""
        if row.month in self.maybe_months and fingerprint in self.known(row.month):
            return False
        self.fresh.append(copy_line(row, fingerprint, extra=self.extra, tail=self.tail))
        self.flush_if_full()
        return True

    def flush_if_full(self) -> None:
        if len(self.fresh) >= self.FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.fresh:
            if self._copy is None:
                columns = ", ".join(self.columns)
                raw = self._cursor.cursor
                # A writer thread sends while this one formats the next rows (libpq releases the GIL).
                self._copy_cm = raw.copy(f"COPY {TABLE} ({columns}) FROM STDIN", writer=_BoundedWriter(raw))
                self._copy = self._copy_cm.__enter__()
            # Each line starts with its fingerprint, so sorting a chunk sends it in fingerprint order: the unique
            # index then takes its entries page by page instead of at random (about a fifth faster measured).
            self.fresh.sort()
            self._copy.write("".join(self.fresh))
            self.inserted += len(self.fresh)
            self.fresh.clear()

    def _end_copy(self) -> None:
        self.flush()
        if self._copy_cm is not None:
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


def _neighbours(month: str) -> tuple[str, str, str]:
    d = date.fromisoformat(month)
    before = date(d.year - (d.month == 1), (d.month - 2) % 12 + 1, 1)
    after = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return before.isoformat(), month, after.isoformat()


def _with_neighbours(months: set[str]) -> set[str]:
    return {n for m in months for n in _neighbours(m)}


class ExecutemanySink:
    """INSERT OR IGNORE (SQLite) / INSERT ... ON CONFLICT DO NOTHING in chunks."""

    _CHUNK = 2000

    def __init__(self, *, force_id: int, batch_id: int) -> None:
        self._tail = (force_id, batch_id)
        self._sqlite = connection.vendor == "sqlite"
        self._rows: list[tuple[Any, ...]] = []
        self.inserted = 0
        placeholders = ", ".join(["%s"] * len(ALL_COLUMNS))
        columns = ", ".join(ALL_COLUMNS)
        verb = "INSERT OR IGNORE" if self._sqlite else "INSERT"
        suffix = "" if self._sqlite else " ON CONFLICT DO NOTHING"
        self._sql = f"{verb} INTO {TABLE} ({columns}) VALUES ({placeholders}){suffix}"

    def open(self) -> None:
        self._cursor = connection.cursor()

    def write(self, row: Normalised, fingerprint: bytes) -> bool:
        occurred_at = row.occurred_at
        if self._sqlite:
            # Django keeps times in SQLite as naive UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
            occurred_at = occurred_at[:10] + " " + occurred_at[11:-6]
        self._rows.append(
            (
                fingerprint,
                occurred_at,
                row.month,
                row.financial_year,
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
        return True  # whether it was new is known only when the chunk is written

    def _flush(self) -> None:
        if self._rows:
            self._cursor.executemany(self._sql, self._rows)
            self.inserted += max(self._cursor.rowcount, 0)
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
