"""The conversion of a stored 32-byte fingerprint to the 16-byte form (scrutiny/records/importing/fingerprints.py),
for migration scrutiny/0005, which imports it from here: an applied migration is never edited, so this module stays
at the path it names. Nothing else uses it."""

from __future__ import annotations

from datetime import datetime


def from_legacy(old: bytes, occurred_at: datetime) -> bytes:
    """The fingerprint of a record stored with the former 32-byte form: the time, then the old hash's bytes 0-7 and
    28-31 (where a repeat held its occurrence), exactly as the 16-byte form lays them out."""
    old = bytes(old)
    if len(old) == 16:
        return old
    return int(occurred_at.timestamp()).to_bytes(4, "big") + old[:8] + old[28:32]
