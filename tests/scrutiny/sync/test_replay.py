"""The replay server answers as data.police.uk does from its recordings, and plays the faults it is given."""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from scrutiny.sync.replay import Fault, ReplayServer
from tests.scrutiny.sync.conftest import RECORDINGS


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1
            return response.status, dict(response.headers), response.read()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_it_serves_the_recordings_as_they_are(replay: ReplayServer) -> None:
    status, headers, body = get(f"{replay.url}/crimes-street-dates")
    assert (status, body) == (200, (RECORDINGS / "crimes-street-dates.json").read_bytes())
    assert headers["Content-Type"] == "application/json"

    status, _, body = get(f"{replay.url}/stops-force?force=avon-and-somerset&date=2023-01")
    assert (status, body) == (200, (RECORDINGS / "2023-01-avon-and-somerset-stops-force.json").read_bytes())

    status, _, body = get(f"{replay.url}/stops-force?force=cheshire&date=2025-07")
    assert status == 200
    assert body == gzip.decompress((RECORDINGS / "2025-07-cheshire-stops-force.json.gz").read_bytes())


def test_what_is_not_recorded_is_a_404_and_a_bad_question_a_400(replay: ReplayServer) -> None:
    assert get(f"{replay.url}/stops-force?force=kent&date=2025-07")[0] == 404
    assert get(f"{replay.url}/forces")[0] == 404
    assert get(f"{replay.url}/stops-force?force=kent&date=July")[0] == 400
    assert get(f"{replay.url}/stops-force?date=2025-07")[0] == 400


def test_it_reads_the_files_on_every_request(replay: ReplayServer, recordings: Path) -> None:
    (recordings / "2025-10-kent-stops-force.json").write_bytes(b"[]")
    assert get(f"{replay.url}/stops-force?force=kent&date=2025-10")[2] == b"[]"


def test_faults_play_in_turn_then_the_recording(replay: ReplayServer) -> None:
    url = f"{replay.url}/stops-force?force=avon-and-somerset&date=2023-01"
    replay.add_fault("avon-and-somerset", "2023-01", "429:7")
    replay.add_fault("avon-and-somerset", None, "503")
    replay.add_fault("*", None, "empty")

    status, headers, _ = get(url)
    assert (status, headers["Retry-After"]) == (429, "7")
    assert get(url)[0] == 503
    assert get(url)[2] == b"[]"
    assert get(url)[2] == (RECORDINGS / "2023-01-avon-and-somerset-stops-force.json").read_bytes()
    assert len(replay.requests) == 4


def test_a_truncated_answer_is_half_the_json(replay: ReplayServer) -> None:
    whole = (RECORDINGS / "2023-01-avon-and-somerset-stops-force.json").read_bytes()
    replay.add_fault("avon-and-somerset", "2023-01", "truncated")
    status, headers, body = get(f"{replay.url}/stops-force?force=avon-and-somerset&date=2023-01")
    assert status == 200
    assert body == whole[: len(whole) // 2]
    assert headers["Content-Length"] == str(len(whole) // 2)


def test_faults_for_the_availability_list_are_its_own(replay: ReplayServer) -> None:
    replay.add_fault("*", None, "500")
    replay.add_fault("crimes-street-dates", None, "502")
    assert get(f"{replay.url}/crimes-street-dates")[0] == 502
    assert get(f"{replay.url}/crimes-street-dates")[0] == 200
    assert get(f"{replay.url}/stops-force?force=cheshire&date=2025-07")[0] == 500


@pytest.mark.parametrize(
    ("spec", "fault"),
    [("429:2", Fault("429", 2.0)), ("503", Fault("503")), ("slow:0.5", Fault("slow", 0.5)), ("cut", Fault("cut"))],
)
def test_a_fault_is_written_as_its_kind_and_seconds(spec: str, fault: Fault) -> None:
    assert Fault.parse(spec) == fault


@pytest.mark.parametrize("spec", ["429", "slow", "teapot", "200", "503:x"])
def test_a_fault_that_makes_no_sense_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="fault"):
        Fault.parse(spec)
