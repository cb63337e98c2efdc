"""Make the recorded responses the replay server plays (data/police-uk-api/) from data.police.uk's monthly CSVs.

data.police.uk publishes the same searches two ways: a monthly CSV per force (the downloads in data/police-uk/) and
the JSON of `/api/stops-force`. This turns a CSV into the JSON the API gives for that force and month, field by
field (docs/sync.md, data/police-uk-api/README.md), and writes an availability list naming every force-month
recorded. Run it from the project's root:

    python -m scrutiny.sync.recordings data/police-uk/*.csv --into data/police-uk-api

What the CSV does not carry is written as the API writes a missing value: `street` is null (the CSV has no street),
`involved_person` is false only for a vehicle search, and an outcome's `outcome_object.id` is data.police.uk's id
for the outcomes seen in its JSON ("bu-arrest", ...) and "bu-" and the name's slug for the others.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from common.months import MONTH
from scrutiny.sync.replay import AVAILABILITY, recording_name

HEADER = (
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
)
# Outcome ids as data.police.uk's JSON gives them (data/police-uk-api/2023-01-avon-and-somerset-stops-force.json).
OUTCOME_IDS = {
    "Arrest": "bu-arrest",
    "A no further action disposal": "bu-no-further-action",
    "Khat or Cannabis warning": "bu-khat-or-cannabis-warning",
    "Community resolution": "bu-community-resolution",
    "Summons / charged by post": "bu-summons",
}
CSV_NAME = re.compile(rf"(?P<month>{MONTH.pattern})-(?P<force>[a-z0-9-]+)-stop-and-search\.csv")
RECORDED_NAME = re.compile(rf"(?P<month>{MONTH.pattern})-(?P<force>[a-z0-9-]+)-stops-force\.json(?:\.gz)?")


def _text(value: str) -> str | None:
    return value if value != "" else None


def _flag(value: str) -> bool | None:
    return {"True": True, "False": False}.get(value)


def _outcome_id(name: str) -> str:
    if not name:
        return ""
    return OUTCOME_IDS.get(name) or "bu-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def api_object(row: Sequence[str]) -> dict[str, Any]:
    """One CSV row (the 15 columns of HEADER) as the API's JSON object, keys in the API's order."""
    (
        type_,
        when,
        in_operation,
        operation,
        latitude,
        longitude,
        gender,
        age,
        self_defined,
        officer_defined,
        legislation,
        searched_for,
        outcome,
        linked,
        removal,
    ) = row
    location = None
    if latitude or longitude:
        location = {"latitude": latitude, "street": None, "longitude": longitude}
    return {
        "age_range": _text(age),
        "outcome": outcome,
        "involved_person": type_ != "Vehicle search",
        "self_defined_ethnicity": _text(self_defined),
        "gender": _text(gender),
        "legislation": _text(legislation),
        "outcome_linked_to_object_of_search": _flag(linked),
        "datetime": when,
        "removal_of_more_than_outer_clothing": _flag(removal),
        "outcome_object": {"id": _outcome_id(outcome), "name": outcome},
        "location": location,
        "operation": _flag(in_operation),
        "officer_defined_ethnicity": _text(officer_defined),
        "type": _text(type_),
        "operation_name": _text(operation),
        "object_of_search": _text(searched_for),
    }


def csv_rows(path: Path) -> Iterator[list[str]]:
    """The data rows of a data.police.uk CSV: no header (nor a repeated one), no blank lines."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != HEADER:
            raise ValueError(f"{path}: not a data.police.uk stop-and-search CSV (unexpected header)")
        for row in reader:
            if not any(cell.strip() for cell in row) or tuple(row) == HEADER:
                continue
            if len(row) != len(HEADER):
                raise ValueError(f"{path}, line {reader.line_num}: {len(row)} cells, not {len(HEADER)}")
            yield row


def api_json(path: Path) -> bytes:
    """The CSV as the API's JSON: compact, as data.police.uk sends it."""
    return json.dumps([api_object(row) for row in csv_rows(path)], separators=(",", ":")).encode()


def write_recording(path: Path, into: Path) -> Path:
    """Convert one CSV into `into`, gzipped (reproducibly: no time stamp in the gzip header)."""
    match = CSV_NAME.fullmatch(path.name)
    if match is None:
        raise ValueError(f"{path.name}: not named as data.police.uk names a CSV (YYYY-MM-<force>-stop-and-search.csv)")
    target = into / (recording_name(match["force"], match["month"]) + ".gz")
    target.write_bytes(gzip.compress(api_json(path), compresslevel=9, mtime=0))
    return target


def availability(into: Path) -> list[dict[str, Any]]:
    """The availability list naming every force-month recorded in `into`, newest month first."""
    months: dict[str, set[str]] = {}
    for path in into.iterdir():
        match = RECORDED_NAME.fullmatch(path.name)
        if match:
            months.setdefault(match["month"], set()).add(match["force"])
    return [{"date": month, "stop-and-search": sorted(months[month])} for month in sorted(months, reverse=True)]


def write_availability(into: Path) -> Path:
    target = into / f"{AVAILABILITY}.json"
    target.write_text(json.dumps(availability(into), indent=1) + "\n", encoding="utf-8")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("csv", nargs="*", type=Path, help="data.police.uk monthly stop-and-search CSVs")
    parser.add_argument("--into", type=Path, required=True, help="the recordings' directory")
    args = parser.parse_args(argv)
    args.into.mkdir(parents=True, exist_ok=True)
    for path in args.csv:
        print(write_recording(path, args.into))
    print(write_availability(args.into))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
