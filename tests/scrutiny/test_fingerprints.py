"""The 16-byte fingerprint: time first, then the content's hash, repeats numbered; and its conversion from the
32-byte form stored before (migration scrutiny/0005)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from scrutiny.importing.fingerprints import from_legacy
from scrutiny.records.importing.columns import CATEGORICAL_COLUMNS, EXTRA_COLUMNS
from scrutiny.records.importing.fingerprints import (
    batch_fingerprints,
    epoch_seconds,
    fingerprint_of,
    first_fingerprint,
    nth_fingerprint,
)

CONTENT = b"2025-06-01T00:03:00+00:00\x1f53.190012\x1f-2.890034\x1f\x1fstop_search"


def test_the_fingerprint_starts_with_the_time_so_fingerprints_sort_by_time() -> None:
    earlier = first_fingerprint(b"z", epoch_seconds("2025-06-01T00:03:00+00:00"))
    later = first_fingerprint(b"a", epoch_seconds("2025-06-01T00:03:01+00:00"))
    assert len(earlier) == len(later) == 16
    assert earlier < later
    assert earlier[:4] == int(datetime(2025, 6, 1, 0, 3, tzinfo=UTC).timestamp()).to_bytes(4, "big")


def test_the_same_instant_written_with_another_offset_gives_the_same_time_bytes() -> None:
    assert epoch_seconds("2025-06-01T01:03:00+01:00") == epoch_seconds("2025-06-01T00:03:00+00:00")


def test_repeats_in_a_batch_are_numbered_and_all_kept() -> None:
    seen: dict[bytes, int] = {}
    a = fingerprint_of(CONTENT, "2025-06-01T00:03:00+00:00", seen)
    b = fingerprint_of(CONTENT, "2025-06-01T00:03:00+00:00", seen)
    c = fingerprint_of(CONTENT, "2025-06-01T00:03:00+00:00", seen)
    assert len({a, b, c}) == 3
    assert b == a[:12] + (1).to_bytes(4, "big") == nth_fingerprint(a, 1)
    assert c[12:] == (2).to_bytes(4, "big")
    assert batch_fingerprints(seen) == {a, b, c}


def test_different_content_in_the_same_second_differs() -> None:
    when = epoch_seconds("2025-06-01T00:03:00+00:00")
    assert first_fingerprint(CONTENT, when) != first_fingerprint(CONTENT + b"x", when)


def test_a_stored_32_byte_fingerprint_converts_to_what_the_importer_now_computes() -> None:
    when = datetime(2025, 6, 1, 0, 3, tzinfo=UTC)
    digest = hashlib.sha256(CONTENT).digest()
    first_new = first_fingerprint(CONTENT, int(when.timestamp()))
    # The old form: the full hash for the first occurrence, its first 28 bytes and the occurrence for repeats.
    assert from_legacy(digest, when) == first_new
    for occurrence in (1, 2, 300):
        old = digest[:28] + occurrence.to_bytes(4, "big")
        assert from_legacy(old, when) == nth_fingerprint(first_new, occurrence)
    assert from_legacy(first_new, when) == first_new  # already converted: unchanged


def test_the_columns_keep_the_order_every_stored_fingerprint_was_made_in() -> None:
    # The content hashed joins the values in this order (records/fields.py declares the groups): reordering them
    # would give every record already held a new fingerprint, so re-imports would no longer be seen as duplicates.
    assert CATEGORICAL_COLUMNS == (
        "kind",
        "search_type",
        "vehicle_only",
        "part_of_policing_operation",
        "gender",
        "age_range",
        "self_defined_ethnicity",
        "ethnic_group",
        "officer_defined_ethnicity",
        "legislation",
        "object_of_search",
        "outcome",
        "anything_found",
        "outcome_linked_to_object",
        "removal_of_more_than_outer_clothing",
    )
    assert EXTRA_COLUMNS == (
        "grounds_text",
        "pii_flagged",
        "body_worn_video",
        "supervisor_signed_off",
        "initiation",
        "officer_pseudonym",
        "force_reference_hash",
        "uof_tactics",
        "uof_impact_factors",
        "uof_reasons",
        "subject_age_band",
        "subject_injured",
        "subject_injury",
        "officer_injured",
        "uof_outcome",
    )
