"""The recordings the replay server plays are what `scrutiny.sync.recordings` makes from the repository's CSVs."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from django.conf import settings

from scrutiny.sync.recordings import HEADER, api_object, availability, main, write_recording
from tests.scrutiny.sync.conftest import RECORDINGS

CSVS = sorted((Path(settings.BASE_DIR) / "data" / "police-uk").glob("*-cheshire-stop-and-search.csv"))


def test_the_committed_recordings_are_exactly_what_the_script_makes_from_the_csvs(tmp_path: Path) -> None:
    assert len(CSVS) == 4
    main([*map(str, CSVS), "--into", str(tmp_path)])

    for made in sorted(tmp_path.glob("*.json.gz")):
        assert made.read_bytes() == (RECORDINGS / made.name).read_bytes(), made.name
    # The availability list is made from every recording in the directory, the Avon and Somerset sample included.
    (tmp_path / "2023-01-avon-and-somerset-stops-force.json").write_bytes(b"[]")
    main(["--into", str(tmp_path)])
    assert (tmp_path / "crimes-street-dates.json").read_bytes() == (
        RECORDINGS / "crimes-street-dates.json"
    ).read_bytes()


def test_each_recording_has_one_object_per_csv_row_in_the_same_order() -> None:
    for path in CSVS:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = [r for r in csv.reader(fh)][1:]
        recorded = json.loads(
            gzip.decompress((RECORDINGS / path.name.replace("stop-and-search.csv", "stops-force.json.gz")).read_bytes())
        )
        assert len(recorded) == len(rows)
        assert [o["datetime"] for o in recorded] == [r[1] for r in rows]


def test_a_row_becomes_the_object_the_api_gives() -> None:
    row = [
        "Vehicle search",
        "2025-06-01T00:38:00+00:00",
        "True",
        "Operation Example",
        "",
        "",
        "",
        "18-24",
        "",
        "Black",
        "Police and Criminal Evidence Act 1984 (section 1)",
        "Stolen goods",
        "Arrest",
        "True",
        "",
    ]
    assert len(row) == len(HEADER)
    assert api_object(row) == {
        "age_range": "18-24",
        "outcome": "Arrest",
        "involved_person": False,
        "self_defined_ethnicity": None,
        "gender": None,
        "legislation": "Police and Criminal Evidence Act 1984 (section 1)",
        "outcome_linked_to_object_of_search": True,
        "datetime": "2025-06-01T00:38:00+00:00",
        "removal_of_more_than_outer_clothing": None,
        "outcome_object": {"id": "bu-arrest", "name": "Arrest"},
        "location": None,
        "operation": True,
        "officer_defined_ethnicity": "Black",
        "type": "Vehicle search",
        "operation_name": "Operation Example",
        "object_of_search": "Stolen goods",
    }
    assert api_object([*row[:12], "Caution (simple or conditional)", *row[13:]])["outcome_object"] == {
        "id": "bu-caution-simple-or-conditional",
        "name": "Caution (simple or conditional)",
    }
    assert api_object([*row[:4], "53.1", "-2.4", *row[6:]])["location"] == {
        "latitude": "53.1",
        "street": None,
        "longitude": "-2.4",
    }


def test_the_availability_list_names_each_month_newest_first(tmp_path: Path) -> None:
    for name in ["2025-06-kent-stops-force.json", "2025-06-essex-stops-force.json.gz", "2024-12-kent-stops-force.json"]:
        (tmp_path / name).write_bytes(b"[]")
    (tmp_path / "notes.txt").write_text("not a recording")

    assert availability(tmp_path) == [
        {"date": "2025-06", "stop-and-search": ["essex", "kent"]},
        {"date": "2024-12", "stop-and-search": ["kent"]},
    ]


def test_a_file_that_is_not_a_police_uk_csv_is_refused(tmp_path: Path) -> None:
    wrong = tmp_path / "2025-06-kent-stop-and-search.csv"
    wrong.write_text("Date,Type\n2025-06-01,Person search\n")
    with pytest.raises(ValueError, match="unexpected header"):
        write_recording(wrong, tmp_path)
    misnamed = tmp_path / "kent.csv"
    misnamed.write_text(",".join(HEADER) + "\n")
    with pytest.raises(ValueError, match=r"not named as data\.police\.uk names a CSV"):
        write_recording(misnamed, tmp_path)
