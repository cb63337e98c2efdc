"""The cache keys of the national figures: the period, the forces and every force's data version
(`scrutiny.records.versions`), so that an import or a sync makes them stale at once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from panels.models import Organisation
from scrutiny.disproportionality import report as reporting
from scrutiny.records import versions
from scrutiny.records.versions import CACHE_PREFIX, database_tag

CACHE_SECONDS = reporting.CACHE_SECONDS


def cache_key(kind: str, material: Any) -> str:
    digest = hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return f"{CACHE_PREFIX}:{database_tag()}:{kind}:{digest}"


def data_versions(forces: Sequence[Organisation]) -> list[str]:
    """Every force's data version (`records.versions.records_changed`), in the order of `forces`: one cache round
    trip."""
    return versions.data_versions([f.pk for f in forces])
