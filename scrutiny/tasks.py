"""Background work queued before the records' task moved to its sub-domain names it by this path: this module
keeps the name (`scrutiny.records.tasks` defines it; `scrutiny.sync.tasks` has the sync's)."""

from __future__ import annotations

from scrutiny.records.tasks import import_batch

__all__ = ["import_batch"]
