"""PostgreSQL's binary COPY format, for the records the importer sends.

PostgreSQL takes rows in binary about an eighth faster than as text (bench/README.md: it skips parsing timestamps,
dates and numerics), and the importer builds most of each row from pieces cached per distinct value, so the binary
form costs Python no more than the text one. A row is a 16-bit field count, then each field as a 32-bit length
(-1 for NULL) and its bytes. Numerics use psycopg's own encoder; the fixed-width types are packed here.

https://www.postgresql.org/docs/current/sql-copy.html ("Binary Format") describes the layout.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from psycopg.types.numeric import DecimalBinaryDumper

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
NULL = b"\xff\xff\xff\xff"

_int2 = struct.Struct(">h").pack
_int4 = struct.Struct(">i").pack
_field_int8 = struct.Struct(">iq").pack
_POSTGRES_EPOCH_DAYS = date(2000, 1, 1).toordinal()
POSTGRES_EPOCH_SECONDS = 946_684_800  # 2000-01-01T00:00:00Z in Unix seconds
_numeric = DecimalBinaryDumper(Decimal)

TRUE = _int4(1) + b"\x01"
FALSE = _int4(1) + b"\x00"


def row_header(fields: int) -> bytes:
    return _int2(fields)


def length(size: int) -> bytes:
    """A field's length word."""
    return _int4(size)


def text(value: str) -> bytes:
    data = value.encode()
    return _int4(len(data)) + data


def bytea(value: bytes) -> bytes:
    return _int4(len(value)) + value


def boolean(value: bool | None) -> bytes:
    return NULL if value is None else TRUE if value else FALSE


def int8(value: int) -> bytes:
    return _field_int8(8, value)


def day(value: date | str) -> bytes:
    """A date (or "YYYY-MM-DD")."""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return _int4(4) + _int4(d.toordinal() - _POSTGRES_EPOCH_DAYS)


def timestamptz_micros(unix_micros: int) -> bytes:
    """A timestamp with time zone, from microseconds since 1970-01-01 UTC."""
    return _field_int8(8, unix_micros - POSTGRES_EPOCH_SECONDS * 1_000_000)


def numeric(value: str | None) -> bytes:
    """A numeric from its decimal text ("53.190012"), or NULL."""
    if value is None:
        return NULL
    data = bytes(_numeric.dump(Decimal(value)))  # type: ignore[arg-type]
    return _int4(len(data)) + data


def jsonb(value: Any) -> bytes:
    data = b"\x01" + json.dumps(value).encode()  # jsonb's binary form: a version byte, then the JSON text
    return _int4(len(data)) + data


def field(value: Any) -> bytes:
    """A text, boolean, NULL or list (jsonb) field, as the records table's columns hold them."""
    if value is None:
        return NULL
    if value is True or value is False:
        return boolean(value)
    if isinstance(value, list):
        return jsonb(value)
    return text(str(value))


def fields(values: Sequence[Any]) -> bytes:
    return b"".join(field(v) for v in values)
