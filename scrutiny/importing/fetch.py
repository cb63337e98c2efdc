"""Fetch a force's stop and search for one month from data.police.uk's API, within its rate limit.

The API allows 15 requests a second with bursts of 30 (a leaky bucket) and answers 429 when exceeded. Every
request here first takes a token from one bucket shared by the process, and a 429 or a 5xx answer is retried
after the Retry-After it gives (or a growing pause). The response is streamed to a file, not held in memory.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from datetime import date
from email.message import Message
from typing import IO
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings

from scrutiny.importing.errors import ImportFailed

DEFAULT_API_URL = "https://data.police.uk/api"
USER_AGENT = "community-scrutiny-importer (+https://data.police.uk/docs/)"


class RateLimiter:
    """A token bucket: `rate` tokens a second, holding at most `burst`."""

    def __init__(
        self,
        rate: float = 15.0,
        burst: int = 30,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._at = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
                self._at = now
                if self._tokens >= 1 - 1e-9:  # a whisker of tolerance: float sums of waits land just under 1
                    self._tokens = max(self._tokens - 1, 0.0)
                    return
                wait = (1 - self._tokens) / self.rate
            self._sleep(wait)


LIMITER = RateLimiter()


def _retry_after(headers: Message | None, attempt: int) -> float:
    value = headers.get("Retry-After") if headers is not None else None
    if value:
        try:
            return min(float(value), 60.0)
        except ValueError:
            pass
    return min(2.0**attempt, 30.0)


def stops_force_url(force: str, month: date, base_url: str | None = None) -> str:
    base = (base_url or getattr(settings, "POLICE_UK_API_URL", "") or DEFAULT_API_URL).rstrip("/")
    return f"{base}/stops-force?{urlencode({'force': force, 'date': f'{month:%Y-%m}'})}"


def fetch_stops_force(
    *,
    force: str,
    month: date,
    into: IO[bytes],
    base_url: str | None = None,
    limiter: RateLimiter = LIMITER,
    attempts: int = 5,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Write the API's JSON for the force and month into `into`; returns the URL. ImportFailed if it cannot."""
    url = stops_force_url(force, month, base_url)
    request = Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})  # noqa: S310
    for attempt in range(attempts):
        limiter.acquire()
        try:
            with urlopen(request, timeout=timeout) as response:  # noqa: S310 - the URL is built above
                into.seek(0)
                into.truncate()
                shutil.copyfileobj(response, into, 1 << 16)
                return url
        except HTTPError as error:
            retryable = error.code == 429 or error.code >= 500
            if retryable and attempt + 1 < attempts:
                sleep(_retry_after(error.headers, attempt))
                continue
            if error.code == 404:
                raise ImportFailed(
                    f'data.police.uk has no stop and search for force "{force}" in {month:%Y-%m} (404)'
                ) from None
            raise ImportFailed(f"data.police.uk answered {error.code} {error.reason} for {url}") from None
        except (URLError, TimeoutError, ConnectionError) as error:
            if attempt + 1 < attempts:
                sleep(_retry_after(None, attempt))
                continue
            reason = getattr(error, "reason", error)
            raise ImportFailed(f"could not reach data.police.uk: {reason}") from None
    raise ImportFailed(f"data.police.uk did not answer after {attempts} attempts")  # pragma: no cover
