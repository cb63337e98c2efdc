"""Fetch from data.police.uk's API within its rate limit: a force's stop and search for one month, and the list of
which months and forces it publishes (the availability list).

The API allows 15 requests a second with bursts of 30 (a leaky bucket) and answers 429 when exceeded. Every
request here first takes a token from one bucket shared by the process, and a 429 or a 5xx answer is retried
after the Retry-After it gives (or a growing pause). A timeout, a dropped connection or an answer cut short is
retried the same way. The response is streamed to a file (hashed on the way), not held in memory.

An answer must be a whole JSON array: one that does not start with "[" is refused at once; one that does not end
with "]", or is shorter than its Content-Length says, is truncated, and retried. (The importer then reads every
element; anything else wrong fails the import.)
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from email.message import Message
from http.client import HTTPException
from typing import IO
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings

from common.months import parse_month
from scrutiny.records.importing.errors import ImportFailed

DEFAULT_API_URL = "https://data.police.uk/api"
USER_AGENT = "community-scrutiny-importer (+https://data.police.uk/docs/)"
_CHUNK = 1 << 16
_SPACE = b" \t\r\n"


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


@dataclass(frozen=True)
class Fetched:
    """What one successful fetch wrote: the URL, the SHA-256 of the bytes and their number."""

    url: str
    sha256: str
    size: int


class _Truncated(Exception):
    pass


class _NotAnArray(Exception):
    pass


def _retry_after(headers: Message | None, attempt: int) -> float:
    value = headers.get("Retry-After") if headers is not None else None
    if value:
        try:
            return min(float(value), 60.0)
        except ValueError:
            pass
    return min(2.0**attempt, 30.0)


def api_base_url(base_url: str | None = None) -> str:
    return (base_url or getattr(settings, "POLICE_UK_API_URL", "") or DEFAULT_API_URL).rstrip("/")


def stops_force_url(force: str, month: date, base_url: str | None = None) -> str:
    return f"{api_base_url(base_url)}/stops-force?{urlencode({'force': force, 'date': f'{month:%Y-%m}'})}"


def availability_url(base_url: str | None = None) -> str:
    return f"{api_base_url(base_url)}/crimes-street-dates"


def _copy_json_array(response: IO[bytes], into: IO[bytes], *, length: int | None, give_up_at: float) -> Fetched:
    """Stream the answer into `into`, hashing it; _Truncated unless it is a whole JSON array."""
    into.seek(0)
    into.truncate()
    digest = hashlib.sha256()
    size = 0
    first = b""
    last = b""
    while chunk := response.read(_CHUNK):
        into.write(chunk)
        digest.update(chunk)
        size += len(chunk)
        if not first:
            first = chunk.lstrip(_SPACE)[:1]
        stripped = chunk.rstrip(_SPACE)
        if stripped:
            last = stripped[-1:]
        if time.monotonic() > give_up_at:
            raise TimeoutError("the answer took too long")
    # http.client returns a short body without complaint when the connection closes early: count it.
    if length is not None and size < length:
        raise _Truncated(f"{size} of {length} bytes arrived")
    if first != b"[":
        raise _NotAnArray(first)
    if last != b"]":
        raise _Truncated("the JSON array is not closed")
    into.flush()
    return Fetched(url="", sha256=digest.hexdigest(), size=size)


def fetch_json_array(
    url: str,
    *,
    into: IO[bytes],
    limiter: RateLimiter = LIMITER,
    attempts: int = 5,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    what: str = "",
    not_found: str = "",
) -> Fetched:
    """Write the JSON array at `url` into `into`; ImportFailed, saying why in one line, if it cannot.

    `timeout` bounds each wait for the server (connecting, or between bytes); a whole answer may take at most ten
    times that. `what` names what was asked for in the messages (e.g. 'force "kent" in 2025-06'); `not_found` is the
    message for a 404.
    """
    request = Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})  # noqa: S310
    what = what or url
    for attempt in range(attempts):
        last_attempt = attempt + 1 >= attempts
        limiter.acquire()
        try:
            with urlopen(request, timeout=timeout) as response:  # noqa: S310 - the URL is built by the callers
                declared = response.headers.get("Content-Length")
                length = int(declared) if declared and declared.isdigit() else None
                fetched = _copy_json_array(response, into, length=length, give_up_at=time.monotonic() + 10 * timeout)
                return Fetched(url=url, sha256=fetched.sha256, size=fetched.size)
        except HTTPError as error:
            retryable = error.code == 429 or error.code >= 500
            if retryable and not last_attempt:
                sleep(_retry_after(error.headers, attempt))
                continue
            raise _refusal(error, what=what, not_found=not_found, attempts=attempts) from None
        except _NotAnArray:
            # Not a transfer gone wrong but an answer of another kind (an error page, say): trying again won't help.
            raise ImportFailed(f"data.police.uk's answer for {what} is not the JSON array expected") from None
        except (_Truncated, HTTPException) as error:
            if not last_attempt:
                sleep(_retry_after(None, attempt))
                continue
            detail = str(error) or type(error).__name__
            raise ImportFailed(
                f"data.police.uk's answer for {what} was cut short: truncated JSON ({detail}; {attempts} attempts)"
            ) from None
        except (URLError, TimeoutError, ConnectionError) as error:
            if not last_attempt:
                sleep(_retry_after(None, attempt))
                continue
            reason = getattr(error, "reason", None) or error
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                raise ImportFailed(
                    f"data.police.uk did not answer in time for {what} ({timeout:g} s, {attempts} attempts)"
                ) from None
            raise ImportFailed(f"could not reach data.police.uk: {reason}") from None
    raise ImportFailed(f"data.police.uk did not answer after {attempts} attempts")  # pragma: no cover


def _refusal(error: HTTPError, *, what: str, not_found: str, attempts: int) -> ImportFailed:
    """What an HTTP error that is not tried again (any more) says."""
    if error.code == 404:
        return ImportFailed(not_found or f"data.police.uk has nothing for {what} (404)")
    if error.code == 429:
        return ImportFailed(f"data.police.uk kept answering 429 Too Many Requests for {what} ({attempts} attempts)")
    return ImportFailed(f"data.police.uk answered {error.code} {error.reason} for {what}")


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
    fetch_json_array(
        url,
        into=into,
        limiter=limiter,
        attempts=attempts,
        timeout=timeout,
        sleep=sleep,
        what=f'force "{force}" in {month:%Y-%m}',
        not_found=f'data.police.uk has no stop and search for force "{force}" in {month:%Y-%m} (404)',
    )
    return url


# --- the availability list ------------------------------------------------------------------------------------


def parse_availability(data: bytes) -> dict[date, frozenset[str]]:
    """data.police.uk's `/api/crimes-street-dates` → {first day of month: the force ids with stop and search}.

    The answer is a JSON array of {"date": "YYYY-MM", "stop-and-search": ["force-id", ...]}, newest first. Anything
    else is ImportFailed saying what is wrong, so that a changed API is noticed rather than read as "no data".
    """
    try:
        entries = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFailed(f"the availability list is not valid JSON ({error})") from None
    if not isinstance(entries, list):
        raise ImportFailed("the availability list is not a JSON array")
    available: dict[date, frozenset[str]] = {}
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ImportFailed(f"the availability list's entry {n} is not an object")
        raw_month = entry.get("date")
        month = parse_month(raw_month) if isinstance(raw_month, str) else None
        if month is None:
            raise ImportFailed(f'the availability list\'s entry {n} has no "date" written YYYY-MM')
        forces = entry.get("stop-and-search")
        if not isinstance(forces, list) or not all(isinstance(f, str) for f in forces):
            raise ImportFailed(f'the availability list\'s entry for {raw_month} has no "stop-and-search" list')
        if month in available:
            raise ImportFailed(f"the availability list names {raw_month} twice")
        available[month] = frozenset(forces)
    return available


def fetch_availability(
    *,
    base_url: str | None = None,
    limiter: RateLimiter = LIMITER,
    attempts: int = 5,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[date, frozenset[str]]:
    """Which months data.police.uk publishes stop and search for, and for which forces; ImportFailed if unreadable."""
    buffer = io.BytesIO()
    fetch_json_array(
        availability_url(base_url),
        into=buffer,
        limiter=limiter,
        attempts=attempts,
        timeout=timeout,
        sleep=sleep,
        what="the availability list (crimes-street-dates)",
    )
    return parse_availability(buffer.getvalue())
