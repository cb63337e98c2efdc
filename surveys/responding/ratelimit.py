"""Counting responses a minute across server processes, for the flood limit (SURVEY_RESPONSES_PER_MINUTE).

Each process counts in its own memory and adds its count to the shared one (the cache: Redis in production) at
most once every `SYNC_EVERY` seconds per survey, reading back the total of every process. The count a response sees
is that total plus what this process has counted since. So a burst costs one round trip to the shared cache a
second, not one a response (a round trip was a sixth of a response's server time under load), and a flood spread over
several processes is seen within `SYNC_EVERY` seconds. With one process (make run, tests) the count is exact.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache

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


@functools.cache
def minute_counter() -> MinuteCounter:
    """The process's counter of responses a minute (`MinuteCounter`), adding to the count in the shared cache.

    One cache client for the whole process: `django.core.cache.cache` is one per request under ASGI (each request
    runs in a context of its own), which with Redis meant a new connection, and its handshake, for every response.
    With Redis, INCRBY and EXPIRE go together in one round trip. Keys are made by the cache, so they carry its prefix
    and version as its own keys do."""
    cache = caches.create_connection(DEFAULT_CACHE_ALIAS)
    if isinstance(cache, RedisCache):
        location = settings.CACHES[DEFAULT_CACHE_ALIAS]["LOCATION"]
        primary = (location.split(",") if isinstance(location, str) else location)[0]  # writes go to the first
        client = redis.Redis.from_url(primary)

        def add_redis(key: str, amount: int) -> int:
            full_key = cache.make_and_validate_key(key)
            pipe = client.pipeline(transaction=False)
            pipe.incrby(full_key, amount)
            pipe.expire(full_key, 120)
            total, _ = pipe.execute()
            return int(total)

        return MinuteCounter(add_redis)

    def add_cache(key: str, amount: int) -> int:  # the local-memory cache (make run, tests): its lock keeps it exact
        try:
            return cache.incr(key, amount)
        except ValueError:  # the minute's first count: start it, unless another thread just did
            return amount if cache.add(key, amount, timeout=120) else cache.incr(key, amount)

    return MinuteCounter(add_cache)
