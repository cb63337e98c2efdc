"""Keyed pseudonyms for identifiers that must never be stored: officers' identifiers and forces' references.

HMAC-SHA256 under settings.PSEUDONYM_KEY (passed in, so these stay pure). The same officer in the same force always
gets the same pseudonym, so patterns can be seen ("one officer made 40% of the section 60 searches") without
naming anyone; without the key the pseudonym cannot be turned back into the identifier, even by trying every
collar number. Each use has its own domain prefix, so an officer pseudonym can never equal a reference hash.
"""

from __future__ import annotations

import hashlib
import hmac


def normalise_identifier(raw: str) -> str:
    """ "pc 1234", "PC1234" and " PC 1234 " are one identifier."""
    return "".join(raw.split()).upper()


def _keyed(domain: str, force: str, value: str, key: str) -> str:
    message = f"{domain}\x1f{force}\x1f{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def officer_pseudonym(raw: str, *, force: str, key: str) -> str:
    """The officer's pseudonym (64 hex characters), or "" when no identifier was given."""
    value = normalise_identifier(raw)
    return _keyed("officer", force, value, key) if value else ""


def force_reference_hash(raw: str, *, force: str, key: str) -> str:
    """A keyed hash of the force's own reference for the encounter, or "" when none was given."""
    value = normalise_identifier(raw)
    return _keyed("force-reference", force, value, key) if value else ""
