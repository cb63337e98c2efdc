"""Fetching from data.police.uk when it misbehaves, played by the replay server: every failure is one clear line."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from scrutiny.records.importing import ImportFailed
from scrutiny.records.importing.fetch import (
    RateLimiter,
    fetch_availability,
    fetch_json_array,
    fetch_stops_force,
    parse_availability,
    stops_force_url,
)
from scrutiny.sync.replay import ReplayServer
from tests.scrutiny.sync.conftest import RECORDINGS

QUICK: dict[str, Any] = {"limiter": RateLimiter(rate=1000, burst=1000), "sleep": lambda seconds: None}
SAMPLE = RECORDINGS / "2023-01-avon-and-somerset-stops-force.json"


def avon(replay: ReplayServer) -> str:
    return stops_force_url("avon-and-somerset", date(2023, 1, 1), replay.url)


def test_a_fetch_returns_the_hash_and_size_of_what_it_wrote(replay: ReplayServer) -> None:
    into = io.BytesIO()
    fetched = fetch_json_array(avon(replay), into=into, **QUICK)
    whole = SAMPLE.read_bytes()
    assert into.getvalue() == whole
    assert (fetched.sha256, fetched.size, fetched.url) == (hashlib.sha256(whole).hexdigest(), len(whole), avon(replay))


@pytest.mark.parametrize("fault", ["truncated", "cut"])
def test_a_truncated_answer_is_retried_then_a_clear_failure(replay: ReplayServer, fault: str) -> None:
    replay.add_fault("avon-and-somerset", "2023-01", fault, times=3)
    with pytest.raises(ImportFailed, match=r"cut short: truncated JSON .*3 attempts\)"):
        fetch_stops_force(
            force="avon-and-somerset",
            month=date(2023, 1, 1),
            into=io.BytesIO(),
            base_url=replay.url,
            attempts=3,
            **QUICK,
        )
    assert len(replay.requests) == 3


def test_a_truncated_answer_once_is_fetched_again_whole(replay: ReplayServer) -> None:
    replay.add_fault("avon-and-somerset", "2023-01", "cut")
    into = io.BytesIO()
    fetch_json_array(avon(replay), into=into, **QUICK)
    assert into.getvalue() == SAMPLE.read_bytes()


def test_a_slow_answer_times_out_and_says_so(replay: ReplayServer) -> None:
    replay.add_fault("avon-and-somerset", "2023-01", "slow:2", times=2)
    with pytest.raises(ImportFailed, match=r"did not answer in time for .*\(0.3 s, 2 attempts\)"):
        fetch_json_array(avon(replay), into=io.BytesIO(), attempts=2, timeout=0.3, what="Avon", **QUICK)


def test_an_answer_that_is_not_a_json_array_is_not_tried_again(replay: ReplayServer, recordings: Path) -> None:
    (recordings / "2025-01-kent-stops-force.json").write_text('{"error": "maintenance"}')
    with pytest.raises(ImportFailed, match="is not the JSON array expected"):
        fetch_json_array(stops_force_url("kent", date(2025, 1, 1), replay.url), into=io.BytesIO(), **QUICK)
    assert len(replay.requests) == 1


def test_429_that_never_ends_is_a_clear_failure(replay: ReplayServer) -> None:
    replay.add_fault("avon-and-somerset", "2023-01", "429:1", times=2)
    waits: list[float] = []
    with pytest.raises(ImportFailed, match="kept answering 429 Too Many Requests"):
        fetch_json_array(avon(replay), into=io.BytesIO(), attempts=2, limiter=QUICK["limiter"], sleep=waits.append)
    assert waits == [1.0]


def test_the_availability_list_is_read_into_months_and_forces(replay: ReplayServer) -> None:
    available = fetch_availability(base_url=replay.url, **QUICK)
    assert available == {
        date(2025, 9, 1): frozenset({"cheshire"}),
        date(2025, 8, 1): frozenset({"cheshire"}),
        date(2025, 7, 1): frozenset({"cheshire"}),
        date(2025, 6, 1): frozenset({"cheshire"}),
        date(2023, 1, 1): frozenset({"avon-and-somerset"}),
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[{", "not valid JSON"),
        (b'{"date": "2025-01"}', "not a JSON array"),
        (b"[1]", "entry 1 is not an object"),
        (b'[{"date": "2025-1", "stop-and-search": []}]', 'entry 1 has no "date" written YYYY-MM'),
        (b'[{"date": "2025-01"}]', 'entry for 2025-01 has no "stop-and-search" list'),
        (b'[{"date": "2025-01", "stop-and-search": [1]}]', 'entry for 2025-01 has no "stop-and-search" list'),
        (
            b'[{"date": "2025-01", "stop-and-search": []}, {"date": "2025-01", "stop-and-search": []}]',
            "names 2025-01 twice",
        ),
    ],
)
def test_an_availability_list_in_another_shape_is_refused_saying_why(data: bytes, message: str) -> None:
    with pytest.raises(ImportFailed, match=message):
        parse_availability(data)


def test_an_empty_availability_list_is_no_months() -> None:
    assert parse_availability(b"[]") == {}
