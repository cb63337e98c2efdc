"""Each force's data version: a value in the cache that changes whenever the force's records change (an import, a
correction, the sync), so that anything cached from the records (disproportionality reports, the national
comparison, public pages) names the versions it was made from and is never read once they move on.

Everything that writes records calls `records_changed`; everything that caches figures reads `data_versions`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence

from django.core.cache import cache
from django.db import connection, transaction

CACHE_PREFIX = "scrutiny:report"


def database_tag() -> str:
    """A short tag of the database in use. Force ids are only unique within one database: two databases sharing a
    cache (parallel test workers, a staging copy) must not read each other's versions or reports."""
    name = str(connection.settings_dict.get("NAME") or "")
    return hashlib.sha256(name.encode()).hexdigest()[:12]


def _version_key(force_pk: int) -> str:
    return f"{CACHE_PREFIX}:{database_tag()}:records-version:{force_pk}"


def _bump(force_pks: Iterable[int]) -> None:
    cache.set_many({_version_key(pk): uuid.uuid4().hex for pk in force_pks}, timeout=None)


def records_changed(*force_pks: int) -> None:
    """The records of these forces changed: their cached reports are stale from now on.

    Bumps each force's data version at once and again when the transaction commits, so that a report read from
    the old data while the transaction was open cannot be cached under the new version.
    """
    _bump(force_pks)
    transaction.on_commit(lambda: _bump(force_pks))


def data_versions(force_pks: Sequence[int]) -> list[str]:
    """The forces' data versions, in the order given: one cache round trip (two for a version never set)."""
    keys = [_version_key(pk) for pk in force_pks]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # A version lost (evicted, or never set) is replaced by a new one, never reset to an old value.
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key)
    return [str(found[k]) for k in keys]
