"""What identifies a record: a 16-byte fingerprint of its normalised content.

    time (4 bytes) | SHA-256 of the content, bytes 0-7 | SHA-256 bytes 28-31, or the occurrence (4 bytes)

- The time is the record's instant in whole seconds since 1970 (UTC), big-endian, so fingerprints sort by time.
  A data.police.uk file lists a month's searches in time order, so its rows fill the (force, month, fingerprint)
  index from left to right instead of at random pages (bench/README.md measures what this saves).
- The content is the normalised row (docs/import.md): the same search gives the same content whatever file,
  format or re-saved copy it came from, so importing it again adds nothing.
- Two identical searches in one batch are both kept: the first has the hash's bytes 28-31 in its last four bytes,
  the n-th repeat (n = 1, 2, ...) has n there instead. Bytes 8-27 of the hash are dropped; within one second of
  one force, 64 bits of hash still separate different content.

This keeps exactly the bytes of the 32-byte fingerprint used before (the hash, with the occurrence in its last four
bytes for repeats), so migration scrutiny/0005 converted stored fingerprints without re-reading any file
(scrutiny/importing/fingerprints.py, where that migration finds the conversion).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

_sha256 = hashlib.sha256


def first_fingerprint(content: bytes, epoch_seconds: int) -> bytes:
    """The fingerprint of the first occurrence of `content` in a batch."""
    digest = _sha256(content).digest()
    return epoch_seconds.to_bytes(4, "big") + digest[:8] + digest[28:]


def nth_fingerprint(first: bytes, occurrence: int) -> bytes:
    """The fingerprint of the occurrence-th repeat (from 0) of the content whose first fingerprint is `first`."""
    return first if not occurrence else first[:12] + occurrence.to_bytes(4, "big")


def epoch_seconds(occurred_at: str) -> int:
    """Whole seconds since 1970 of an ISO 8601 time with an offset, e.g. "2025-06-01T00:03:00+00:00"."""
    return int(datetime.fromisoformat(occurred_at).timestamp())


def fingerprint_of(content: bytes, occurred_at: str, seen: dict[bytes, int]) -> bytes:
    """The row's fingerprint, counting its content's occurrences in the batch so far in `seen` (keyed by the first
    fingerprint)."""
    first = first_fingerprint(content, epoch_seconds(occurred_at))
    occurrence = seen.get(first, 0)
    seen[first] = occurrence + 1
    return nth_fingerprint(first, occurrence)


def batch_fingerprints(seen: dict[bytes, int]) -> set[bytes]:
    """Every fingerprint a batch's rows had, from its occurrence counter."""
    return {nth_fingerprint(first, n) for first, count in seen.items() for n in range(count)}
