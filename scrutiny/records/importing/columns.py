"""The encounter-record columns the importer writes, in the order every sink writes them, and their encodings.

A normalised row is three parts: values that vary per row (fingerprint, time, place, operation name), a
"categorical" segment (the vocabulary columns) and an "extra" segment (force-extract and use-of-force columns).
Segments are built once per distinct combination and cached, with both encodings ready: Python values for
executemany (SQLite) and PostgreSQL's binary COPY fields, so the hot loop only joins bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from scrutiny.records.fields import EXTRACT_FIELDS, PUBLISHED_FIELDS, USE_OF_FORCE_FIELDS
from scrutiny.records.importing import pgbinary

ROW_COLUMNS: tuple[str, ...] = (
    "fingerprint",
    "occurred_at",
    "month",
    "latitude",
    "longitude",
    "policing_operation",
)
# The vocabulary columns: the kind, then data.police.uk's fields that are not the row's own.
CATEGORICAL_COLUMNS: tuple[str, ...] = ("kind", *(f for f in PUBLISHED_FIELDS if f not in ROW_COLUMNS))
EXTRA_COLUMNS: tuple[str, ...] = (
    "grounds_text",
    "pii_flagged",
    *EXTRACT_FIELDS,
    "officer_pseudonym",
    "force_reference_hash",
    *USE_OF_FORCE_FIELDS,
)
CONSTANT_COLUMNS: tuple[str, ...] = ("force_id", "batch_id")
ALL_COLUMNS: tuple[str, ...] = ROW_COLUMNS + CATEGORICAL_COLUMNS + EXTRA_COLUMNS + CONSTANT_COLUMNS

# Columns holding lists, stored as JSON.
JSON_COLUMNS = frozenset({"uof_tactics", "uof_impact_factors", "uof_reasons"})


class Segment(NamedTuple):
    """Some columns' values, ready for either sink, and their contribution to the fingerprint."""

    values: tuple[Any, ...]  # for executemany: lists already as JSON text
    content: str
    binary: bytes  # COPY binary format (pgbinary): the fields one after another


def segment(columns: Sequence[str], values: Sequence[Any]) -> Segment:
    assert len(columns) == len(values)
    sql_values = tuple(json.dumps(v) if c in JSON_COLUMNS else v for c, v in zip(columns, values, strict=True))
    content = "\x1f".join(
        "" if v is None else ("1" if v is True else "0" if v is False else str(v)) for v in sql_values
    )
    return Segment(
        values=sql_values,
        content=content,
        binary=pgbinary.fields(values),
    )
