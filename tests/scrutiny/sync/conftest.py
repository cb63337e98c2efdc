"""Fixtures for the sync's tests: a copy of the recorded responses, the replay server playing them on 127.0.0.1,
and a sync that reads from it (nothing reaches the internet)."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from scrutiny.choices import SourceFormat
from scrutiny.models import EncounterRecord
from scrutiny.records.importing.fetch import RateLimiter
from scrutiny.sync.replay import ReplayServer, recording_name
from scrutiny.sync.services import SyncSummary, sync_run

RECORDINGS = Path(settings.BASE_DIR) / "data" / "police-uk-api"
AVON = "avon-and-somerset"
JAN_2023 = date(2023, 1, 1)
CHESHIRE_MONTHS = [date(2025, m, 1) for m in (6, 7, 8, 9)]


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    """A copy of data/police-uk-api that a test may change (a revised month, a new month...)."""
    target = tmp_path / "police-uk-api"
    shutil.copytree(RECORDINGS, target)
    return target


@pytest.fixture
def replay(recordings: Path) -> Iterator[ReplayServer]:
    with ReplayServer(recordings) as server:
        yield server


@pytest.fixture(autouse=True)
def _quick_retries(settings: Any) -> None:
    """Two tries a request and a short timeout, so that a fault played to the end costs a second, not minutes."""
    settings.POLICE_UK_ATTEMPTS = 2
    settings.POLICE_UK_TIMEOUT = 1
    settings.SYNC_FETCH_WORKERS = 2
    settings.SYNC_RECENT_MONTHS = 3


Sync = Callable[..., SyncSummary]


@pytest.fixture
def sync(replay: ReplayServer, db: None) -> Sync:
    """sync_run against the replay server, with a rate limit high enough not to slow the tests (the limit itself
    is tested on its own)."""

    def run(**kwargs: Any) -> SyncSummary:
        kwargs.setdefault("base_url", replay.url)
        kwargs.setdefault("limiter", RateLimiter(rate=1000, burst=1000))
        return sync_run(**kwargs)

    return run


def read_month(directory: Path, force: str, month: date) -> list[dict[str, Any]]:
    name = recording_name(force, f"{month:%Y-%m}")
    plain, packed = directory / name, directory / f"{name}.gz"
    if plain.exists():
        return list(json.loads(plain.read_bytes()))
    return list(json.loads(gzip.decompress(packed.read_bytes())))


def write_month(directory: Path, force: str, month: date, rows: list[dict[str, Any]]) -> None:
    """Record a force-month (replacing any recording of it) and name it in the availability list."""
    name = recording_name(force, f"{month:%Y-%m}")
    (directory / f"{name}.gz").unlink(missing_ok=True)
    (directory / name).write_text(json.dumps(rows), encoding="utf-8")
    listing = json.loads((directory / "crimes-street-dates.json").read_text(encoding="utf-8"))
    entry = next((e for e in listing if e["date"] == f"{month:%Y-%m}"), None)
    if entry is None:
        listing.append({"date": f"{month:%Y-%m}", "stop-and-search": [force]})
        listing.sort(key=lambda e: e["date"], reverse=True)
    elif force not in entry["stop-and-search"]:
        entry["stop-and-search"].append(force)
    (directory / "crimes-street-dates.json").write_text(json.dumps(listing), encoding="utf-8")


def held(force: str, month: date) -> int:
    """Current records of the force-month that came from data.police.uk: what must equal the source's rows."""
    return (
        EncounterRecord.objects.current()
        .filter(
            force__police_uk_id=force,
            month=month,
            batch__source_format__in=[SourceFormat.POLICE_UK_JSON, SourceFormat.POLICE_UK_CSV],
        )
        .count()
    )
