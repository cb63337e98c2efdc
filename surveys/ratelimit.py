"""Counting responses a minute across server processes, for the flood limit (SURVEY_RESPONSES_PER_MINUTE).

Each process counts in its own memory and adds its count to the shared one (the cache: Redis in production) at
most once every `SYNC_EVERY` seconds per survey, reading back the total of every process. The count a response sees
is that total plus what this process has counted since. So a burst costs one round trip to the shared cache a
second, not one a response (a round trip was a sixth of a response's server time under load), and a flood spread over
several processes is seen within `SYNC_EVERY` seconds. With one process (make run, tests) the count is exact.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

SYNC_EVERY = 1.0  # seconds between a process's additions to the shared count, per survey


@dataclass
class _Minute:
    minute: int
    shared: int = 0  # the total of every process, as last read
    pending: int = 0  # counted here since then
    synced_at: float = float("-inf")


class MinuteCounter:
    """Counts events per key in each calendar minute (by `clock`, seconds since the epoch).

    `add_shared(key, amount)` adds to the shared count of `key` (a key of its own per minute), keeps it a little
    over a minute, and returns the new total."""

    def __init__(
        self,
        add_shared: Callable[[str, int], int],
        *,
        sync_every: float = SYNC_EVERY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._add_shared = add_shared
        self._sync_every = sync_every
        self._clock = clock
        self._lock = threading.Lock()
        self._minutes: dict[str, _Minute] = {}

    def add(self, key: str) -> int:
        """Count one event for `key`; return the count this minute so far, this one included."""
        now = self._clock()
        minute = int(now // 60)
        with self._lock:  # held over the shared cache's round trip: a process's threads wait for it once a second
            entry = self._minutes.get(key)
            if entry is None or entry.minute != minute:
                entry = self._minutes[key] = _Minute(minute)
            entry.pending += 1
            if now - entry.synced_at >= self._sync_every:
                entry.shared = self._add_shared(f"{key}:{minute}", entry.pending)
                entry.pending, entry.synced_at = 0, now
            return entry.shared + entry.pending
