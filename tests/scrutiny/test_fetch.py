"""Fetching from data.police.uk's API, against a fake server on 127.0.0.1 (there is no internet in the tests)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from scrutiny.records.importing import ImportFailed
from scrutiny.records.importing.fetch import RateLimiter, fetch_stops_force, stops_force_url
from tests.scrutiny.fake_api import SAMPLE, FakeApi, running_api


@pytest.fixture
def api() -> Iterator[str]:
    with running_api() as url:
        yield url


def test_it_asks_for_the_force_and_month(api: str) -> None:
    into = io.BytesIO()
    url = fetch_stops_force(force="avon-and-somerset", month=date(2023, 1, 1), into=into, base_url=api)
    assert url == f"{api}/stops-force?force=avon-and-somerset&date=2023-01"
    assert FakeApi.requests == ["/api/stops-force?force=avon-and-somerset&date=2023-01"]
    assert into.getvalue() == SAMPLE


def test_it_waits_and_retries_when_told_to_slow_down(api: str) -> None:
    FakeApi.script = [(429, {"Retry-After": "2"}, b"slow down"), (503, {}, b"busy")]
    pauses: list[float] = []
    into = io.BytesIO()
    fetch_stops_force(force="kent", month=date(2025, 6, 1), into=into, base_url=api, sleep=pauses.append)
    assert pauses == [2.0, 2.0]
    assert len(FakeApi.requests) == 3
    assert into.getvalue() == SAMPLE


def test_a_missing_month_is_a_clear_failure(api: str) -> None:
    FakeApi.script = [(404, {}, b"")]
    with pytest.raises(ImportFailed, match='no stop and search for force "kent" in 2025-06 \\(404\\)'):
        fetch_stops_force(force="kent", month=date(2025, 6, 1), into=io.BytesIO(), base_url=api)


def test_an_unreachable_server_is_a_clear_failure() -> None:
    with pytest.raises(ImportFailed, match=r"could not reach data\.police\.uk"):
        fetch_stops_force(
            force="kent",
            month=date(2025, 6, 1),
            into=io.BytesIO(),
            base_url="http://127.0.0.1:9/api",
            attempts=2,
            timeout=2,
            sleep=lambda s: None,
        )


def test_the_rate_limiter_allows_a_burst_of_30_then_15_a_second() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(clock=lambda: now[0], sleep=sleep)
    for _ in range(30):
        limiter.acquire()
    assert now[0] == 0.0  # the burst is free
    for _ in range(15):
        limiter.acquire()
    assert now[0] == pytest.approx(1.0)  # then 15 more take a second
    now[0] += 10.0  # idle: the bucket refills, but only to 30
    for _ in range(30):
        limiter.acquire()
    assert now[0] == pytest.approx(11.0)
    limiter.acquire()
    assert now[0] == pytest.approx(11.0 + 1 / 15)


def test_the_url_comes_from_settings_when_not_given(settings: Any) -> None:
    settings.POLICE_UK_API_URL = "http://127.0.0.1:1/x/"
    assert stops_force_url("kent", date(2025, 6, 1)) == "http://127.0.0.1:1/x/stops-force?force=kent&date=2025-06"
    del settings.POLICE_UK_API_URL
    assert stops_force_url("kent", date(2025, 6, 1)).startswith("https://data.police.uk/api/stops-force?")
