"""A re-import checked column by column: when every row of a data.police.uk CSV is already stored, say so at about
the speed PostgreSQL reads the file, instead of fingerprinting it row by row in Python.

The pipeline asks this first for a data.police.uk CSV going to PostgreSQL whose first row falls in a month the force
already holds (a file imported again, or a copy of one). It applies the hot loop's rules (pipeline._Run.police_uk_csv)
to whole columns with polars, each rule still decided in Python once per distinct value (the normaliser's vocabulary
lookups per combination of the vocabulary columns, the dates per hour, `pipeline._place` per location), and hashes
the same content with SHA-256, so each row gets the same fingerprint the row loop would give it (the tests compare
them). It answers "all N rows are stored" or nothing: on nothing (any row the hot loop would not take itself, any row
in a month the force does not hold, any fingerprint not stored) the row loop imports the file as usual, so nothing
here decides what is stored or written.

A fingerprint is handled as four unsigned 32-bit integers (its bytes 0-3, 4-7, 8-11 and 12-15, big-endian): the time,
two words of the hash, and the last word, which is the hash's bytes 28-31 or the occurrence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import polars as pl
import polars_hash as plh

from scrutiny.importing.fingerprints import epoch_seconds
from scrutiny.importing.normalise import FAST_UTC, DateError, StopSearchNormaliser
from scrutiny.importing.sinks import StoredFingerprints, fetch_fingerprint_blob, neighbours

KEYS = ["t", "h0", "h1", "b"]


@dataclass(frozen=True)
class AllStored:
    rows: int
    fingerprints: frozenset[bytes] | None  # when asked for


def _lines(source: Path | bytes, skip: int) -> pl.LazyFrame:
    """Each physical line after the first `skip` as one string (no quoting: a line with a quote is not the hot
    loop's anyway); a blank line is null."""
    return pl.scan_csv(
        source,
        has_header=False,
        separator="\x01",
        quote_char=None,
        infer_schema=False,
        new_columns=["line"],
        skip_rows=skip,
    )


def _parts(lines: pl.LazyFrame) -> pl.LazyFrame:
    """The cells as the hot loop splits them: type, date, operation, operation name, latitude, longitude, and the rest
    (gender ... removal), with whether the line is one the hot loop would take at all."""
    line = pl.col("line")
    parts = line.str.splitn(",", 7).struct
    return lines.select(
        (
            line.is_not_null()
            & (line.str.count_matches(",", literal=True) == 14)
            & ~line.str.contains('"', literal=True)
            & ~line.str.contains("\x00", literal=True)
        ).alias("plain"),
        parts.field("field_0").alias("type"),
        parts.field("field_1").alias("date"),
        parts.field("field_2").alias("operation"),
        parts.field("field_3").alias("name"),
        parts.field("field_4").alias("lat"),
        parts.field("field_5").alias("lng"),
        parts.field("field_6").alias("rest"),
    ).with_columns(
        pl.concat_str(["rest", "type", "operation"], separator="\x00").alias("cat_key"),
        pl.concat_str(["lat", "lng"], separator=",").alias("place_key"),
        pl.col("date").str.slice(0, 13).alias("hour_key"),
    )


def _collect(frame: pl.LazyFrame) -> pl.DataFrame:
    return frame.collect(engine="streaming")


def all_stored(
    *,
    source: Path | bytes,
    skip: int,
    normaliser: StopSearchNormaliser,
    date_label: str,
    stored: StoredFingerprints,
    place_content: Callable[[str, str], str | None],
    keep_fingerprints: bool = False,
) -> AllStored | None:
    """Whether every row after the first `skip` lines of a data.police.uk CSV (UTF-8, comma-separated, the format's
    columns in order) is already stored for the force; None when not, or when the row loop must decide."""
    try:
        parts = _parts(_lines(source, skip))
        # First pass: the distinct values (each then checked once in Python with the row loop's own rules), and
        # whether every line is one the hot loop would take at all.
        first = _collect(
            parts.select(
                pl.col("plain").all().alias("plain"),
                (pl.col("name") == "").all().alias("no_names"),
                ((pl.col("date").str.len_bytes() == 25) & pl.col("date").str.contains("^" + FAST_UTC.pattern + "$"))
                .all()
                .alias("dates"),
                pl.len().alias("rows"),
                pl.col("cat_key").unique().implode().alias("cat_keys"),
                pl.col("place_key").unique().implode().alias("place_keys"),
                pl.col("hour_key").unique().implode().alias("hour_keys"),
            )
        ).row(0, named=True)
    except pl.exceptions.PolarsError:
        return None  # not UTF-8, a ragged line...: the row loop reads it and says what is wrong
    if not (first["plain"] and first["no_names"] and first["dates"]) or not first["rows"]:
        return None
    cat_keys, place_keys, hour_keys = first["cat_keys"], first["place_keys"], first["hour_keys"]

    cats: dict[str, str] = {}
    for key in cat_keys:
        rest, type_, operation = key.split("\x00")
        values = rest.split(",")
        segment = normaliser.categorical([type_, "", operation, "", "", "", *values])
        if isinstance(segment, list):
            return None
        cats[key] = segment.content
    places: dict[str, str] = {}
    for key in place_keys:
        latitude, longitude = key.split(",")
        content = place_content(latitude, longitude)
        if content is None:
            return None
        places[key] = content
    hour_months: dict[str, str] = {}
    hour_epochs: dict[str, int] = {}
    for key in hour_keys:
        try:
            _, month = normaliser.dates.resolve(key + ":00:00+00:00", date_label)
        except DateError:
            return None
        if month not in stored.maybe:
            return None  # nothing of the force is stored in or next to that month: a row there is new
        hour_months[key] = month
        hour_epochs[key] = _epoch(key)

    # Second pass: every row's content, hash and first fingerprint, as the row loop builds them.
    extra = "\x1f" + normaliser.blank_extra_content
    digest = pl.col("hash")
    keys = _collect(
        parts.select(
            pl.concat_str(
                [
                    pl.col("date"),
                    pl.col("place_key").replace_strict(places),
                    pl.col("cat_key").replace_strict(cats),
                    pl.lit(extra),
                ]
            ).alias("content"),
            (
                pl.col("hour_key").replace_strict(hour_epochs, return_dtype=pl.Int64)
                + pl.col("date").str.slice(14, 2).cast(pl.Int64) * 60
                + pl.col("date").str.slice(17, 2).cast(pl.Int64)
            ).alias("t"),
            pl.col("hour_key").replace_strict(hour_months).alias("month"),
        )
        .with_columns(plh.col("content").chash.sha2_256().alias("hash"))
        .select(
            pl.col("t").cast(pl.UInt32),
            digest.str.slice(0, 8).str.to_integer(base=16).cast(pl.UInt32).alias("h0"),
            digest.str.slice(8, 8).str.to_integer(base=16).cast(pl.UInt32).alias("h1"),
            digest.str.slice(56, 8).str.to_integer(base=16).cast(pl.UInt32).alias("b"),
            pl.col("month"),
        )
    )
    # Repeats of the same content in the file, numbered in file order: the n-th repeat's last word is n.
    occurrence = pl.int_range(pl.len(), dtype=pl.UInt32).over(KEYS)
    keys = keys.with_columns(pl.when(occurrence == 0).then(pl.col("b")).otherwise(occurrence).alias("b"))

    months = set(keys["month"].unique().to_list())
    wanted = sorted({n for m in months for n in neighbours(m)} & stored.occupied)
    existing = _frame(fetch_fingerprint_blob(stored.force_id, wanted))
    if keys.join(existing, on=KEYS, how="anti").height:
        return None
    fingerprints = frozenset(_fingerprints(keys)) if keep_fingerprints else None
    return AllStored(rows=keys.height, fingerprints=fingerprints)


def _epoch(hour_key: str) -> int:
    return epoch_seconds(hour_key + ":00:00+00:00")


def _frame(blob: bytes) -> pl.DataFrame:
    words = np.frombuffer(blob, dtype=">u4").reshape(-1, 4).astype(np.uint32)
    return pl.DataFrame({name: words[:, i] for i, name in enumerate(KEYS)})


def _fingerprints(keys: pl.DataFrame) -> list[bytes]:
    words = np.column_stack([keys[name].to_numpy() for name in KEYS]).astype(">u4")
    blob = words.tobytes()
    return [blob[i : i + 16] for i in range(0, len(blob), 16)]


def source_of(fh: IO[bytes]) -> Path | bytes:
    """What polars reads: the file's path when it has one on disk, else its bytes (small uploads in tests)."""
    name = getattr(fh, "name", None)
    if isinstance(name, str) and Path(name).is_file():
        return Path(name)
    here = fh.tell()
    fh.seek(0)
    data = fh.read()
    fh.seek(here)
    return data
