"""Where normalised rows go: set-based writes, never one ORM save per row.

PostgreSQL: rows stream through COPY into a temporary staging table, then one INSERT ... SELECT ... ON CONFLICT DO
NOTHING moves the new ones into the records table. When the file's months already hold records for the force,
an anti-join on the fingerprint index drops the duplicates first (cheaper than letting every row conflict).

SQLite (and anything else): INSERT OR IGNORE in chunks of a few thousand rows with executemany.

Both count what they inserted; whatever was not inserted was already there (a duplicate).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

from django.db import connection

from scrutiny.importing.columns import ALL_COLUMNS
from scrutiny.importing.normalise import Normalised
from scrutiny.models import EncounterRecord

TABLE = EncounterRecord._meta.db_table
_COLUMNS_SQL = ", ".join(ALL_COLUMNS)
# pg_advisory_xact_lock(key1, key2): one import per force at a time, so two imports of overlapping files
# cannot both decide the same row is new.
_LOCK_NAMESPACE = 0x5C2071  # "scrutiny import"


class Sink(Protocol):
    def open(self) -> None: ...
    def write(self, row: Normalised, fingerprint: bytes) -> None: ...
    def finish(self, months: Iterable[str]) -> int: ...
    def abort(self) -> None: ...


def _months_around(months: Iterable[str]) -> list[date]:
    """The file's months and their neighbours (a record's month can depend on the file it came in)."""
    out: set[date] = set()
    for text in months:
        month = date.fromisoformat(text)
        out.add(month)
        out.add(date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1))
        out.add(date(month.year + (month.month == 12), month.month % 12 + 1, 1))
    return sorted(out)


class PostgresSink:
    """COPY into a temporary staging table, then set-based INSERT ... SELECT."""

    _FLUSH_ROWS = 2000

    def __init__(self, *, force_id: int, batch_id: int) -> None:
        self.force_id = force_id
        self.batch_id = batch_id
        self._tail = f"\t{force_id}\t{batch_id}\n"
        self._buffer: list[str] = []
        self._cursor: Any = None
        self._copy: Any = None
        self._copy_cm: Any = None
        self.staged = 0

    def open(self) -> None:
        cursor = connection.cursor()
        self._cursor = cursor
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, self.force_id])
        # The staging table has the records table's column types but none of its indexes or constraints.
        cursor.execute(
            f"CREATE TEMPORARY TABLE scrutiny_import_stage ON COMMIT DROP AS "  # noqa: S608 - names are constants
            f"SELECT {_COLUMNS_SQL} FROM {TABLE} WITH NO DATA"
        )
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        self._copy_cm = raw.copy(f"COPY scrutiny_import_stage ({_COLUMNS_SQL}) FROM STDIN")
        self._copy = self._copy_cm.__enter__()

    def write(self, row: Normalised, fingerprint: bytes) -> None:
        self._buffer.append(
            f"\\\\x{fingerprint.hex()}\t{row.occurred_at}+00\t{row.month}\t{row.financial_year}\t"
            f"{row.latitude or chr(92) + 'N'}\t{row.longitude or chr(92) + 'N'}\t"
            f"{_escape(row.policing_operation)}\t{row.categorical.copy}\t{row.extra.copy}{self._tail}"
        )
        if len(self._buffer) >= self._FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._copy.write("".join(self._buffer))
            self.staged += len(self._buffer)
            self._buffer = []

    def finish(self, months: Iterable[str]) -> int:
        self._flush()
        self._copy_cm.__exit__(None, None, None)
        self._copy = self._copy_cm = None
        cursor = self._cursor
        if not self.staged:
            return 0
        cursor.execute("ANALYZE scrutiny_import_stage")
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE force_id = %s AND month = ANY(%s))",  # noqa: S608
            [self.force_id, _months_around(months)],
        )
        overlap = cursor.fetchone()[0]
        if overlap:
            cursor.execute(
                f"INSERT INTO {TABLE} ({_COLUMNS_SQL}) "  # noqa: S608
                f"SELECT {_COLUMNS_SQL} FROM scrutiny_import_stage s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} r WHERE r.force_id = %s AND r.fingerprint = s.fingerprint) "
                f"ON CONFLICT DO NOTHING",
                [self.force_id],
            )
        else:
            cursor.execute(
                f"INSERT INTO {TABLE} ({_COLUMNS_SQL}) "  # noqa: S608
                f"SELECT {_COLUMNS_SQL} FROM scrutiny_import_stage ON CONFLICT DO NOTHING"
            )
        inserted: int = cursor.rowcount
        cursor.execute("DROP TABLE scrutiny_import_stage")
        return inserted

    def abort(self) -> None:
        if self._copy_cm is not None:
            # The transaction is being rolled back anyway; ending the COPY just frees the connection.
            with contextlib.suppress(Exception):
                self._copy_cm.__exit__(RuntimeError, RuntimeError("import aborted"), None)
            self._copy = self._copy_cm = None


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escape(text: str) -> str:
    return text.translate(_COPY_ESCAPES) if text else text


class ExecutemanySink:
    """INSERT OR IGNORE (SQLite) / INSERT ... ON CONFLICT DO NOTHING in chunks."""

    _CHUNK = 2000

    def __init__(self, *, force_id: int, batch_id: int) -> None:
        self._tail = (force_id, batch_id)
        # Times are UTC; SQLite stores them without an offset, as Django does.
        self._utc = "" if connection.vendor == "sqlite" else "+00"
        self._rows: list[tuple[Any, ...]] = []
        self.inserted = 0
        placeholders = ", ".join(["%s"] * len(ALL_COLUMNS))
        if connection.vendor == "sqlite":
            self._sql = f"INSERT OR IGNORE INTO {TABLE} ({_COLUMNS_SQL}) VALUES ({placeholders})"  # noqa: S608
        else:
            self._sql = f"INSERT INTO {TABLE} ({_COLUMNS_SQL}) VALUES ({placeholders}) ON CONFLICT DO NOTHING"  # noqa: S608

    def open(self) -> None:
        self._cursor = connection.cursor()

    def write(self, row: Normalised, fingerprint: bytes) -> None:
        self._rows.append(
            (
                fingerprint,
                row.occurred_at + self._utc,
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

    def _flush(self) -> None:
        if self._rows:
            self._cursor.executemany(self._sql, self._rows)
            self.inserted += max(self._cursor.rowcount, 0)
            self._rows = []

    def finish(self, months: Iterable[str]) -> int:
        self._flush()
        return self.inserted

    def abort(self) -> None:
        self._rows = []


def make_sink(*, force_id: int, batch_id: int) -> Sink:
    if connection.vendor == "postgresql":
        return PostgresSink(force_id=force_id, batch_id=batch_id)
    return ExecutemanySink(force_id=force_id, batch_id=batch_id)
