"""On real data.police.uk files imported with the importer, the command's JSON equals an independent pandas
computation over the raw CSVs.

The pandas route shares nothing with the code under test but the five-group rule for self-defined labels (the
first word, as in test_import_real_data.py): it reads the files as text, takes months in London time from the
`Date` column (keeping the file's own month for times written in it, as docs/import.md says), drops
`Vehicle search` rows, reads the Census CSV for populations, and computes the intervals with scipy (the log
interval from its normal quantile, the exact one and Wilson from `binomtest`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.conf import settings
from django.core.management import call_command
from scipy import stats as scipy_stats

from tests.scrutiny.test_import_real_data import expected_group, import_file

REPO_DATA = Path(settings.BASE_DIR) / "data"
AREAS = {
    "cheshire": "E23000006",
    "merseyside": "E23000004",
    "south-yorkshire": "E23000011",
    "metropolitan": "E23000001",
}
GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]
ARREST = {"Arrest", "Suspect arrested"}  # the current and the pre-2017 names
Z = scipy_stats.norm.ppf(0.975)

pytestmark = pytest.mark.django_db


def read_raw(paths: Sequence[Path]) -> pd.DataFrame:
    """The files' rows as text, each with its month (see `months`)."""
    frames = []
    for path in paths:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame = frame[frame["Type"] != "Type"].copy()  # a header repeated inside a joined file
        frame["month"] = months(frame["Date"], declared=path.name[:7])
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def months(dates: pd.Series, *, declared: str) -> pd.Series:
    """The calendar month in London time; but where the time as written falls in the month the file is named for,
    that month (docs/import.md, "Months"): Merseyside writes local times with a +00:00 offset, so its searches late
    on a summer month's last evening are that month's, not the next one's."""
    moments = pd.to_datetime(dates, utc=True)
    london = moments.dt.tz_convert("Europe/London").dt.strftime("%Y-%m")
    written = moments.dt.strftime("%Y-%m")
    return london.where(written != declared, declared)


def populations(forces: Sequence[str]) -> dict[str, int]:
    census = pd.read_csv(REPO_DATA / "census" / "census2021_pfa_ethnicity_5group.csv", dtype={"PFA22CD": str})
    chosen = census[census["PFA22CD"].isin({AREAS[f] for f in forces})]
    return {g: int(chosen[g].sum()) for g in GROUPS}


def interval_for_ratio(a: int, pa: int, b: int, pb: int) -> list[float] | None:
    if b == 0:
        return None
    if min(a, b) < 20:
        ci = scipy_stats.binomtest(a, a + b).proportion_ci(confidence_level=0.95, method="exact")
        return [ci.low / (1 - ci.low) * pb / pa, ci.high / (1 - ci.high) * pb / pa]
    ratio = (a / pa) / (b / pb)
    half = Z * math.sqrt(1 / a + 1 / b)
    return [ratio * math.exp(-half), ratio * math.exp(half)]


def wilson(k: int, n: int) -> list[float] | None:
    if n == 0:
        return None
    ci = scipy_stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return [float(ci.low), float(ci.high)]


def pandas_report(
    raw: pd.DataFrame, forces: list[str], start: str, end: str, ethnicity: str = "self"
) -> dict[str, Any]:
    period = raw[(raw["month"] >= start) & (raw["month"] <= end)]
    vehicle = period["Type"] == "Vehicle search"
    searches = period[~vehicle].copy()
    if ethnicity == "self":
        searches["group"] = searches["Self-defined ethnicity"].map(expected_group).str.capitalize()
    else:
        searches["group"] = searches["Officer-defined ethnicity"].replace("", "Not_stated")
    linked = searches["Outcome linked to object of search"]
    searches["recorded"] = linked.isin(["True", "False"])
    searches["found"] = linked == "True"
    searches["arrest"] = searches["Outcome"].isin(ARREST)
    by_group = searches.groupby("group").agg(
        searches=("Type", "size"), recorded=("recorded", "sum"), found=("found", "sum"), arrests=("arrest", "sum")
    )
    population = populations(forces)

    def count(group: str, column: str) -> int:
        return int(by_group.loc[group, column]) if group in by_group.index else 0

    white, white_population = count("White", "searches"), population["White"]
    groups = {}
    for g in GROUPS:
        n, pop = count(g, "searches"), population[g]
        recorded, found, arrests = count(g, "recorded"), count(g, "found"), count(g, "arrests")
        groups[g] = {
            "searches": n,
            "population": pop,
            "rate_per_1000": n / pop * 1000,
            "rate_ratio_vs_white": (n / pop) / (white / white_population),
            "rate_ratio_ci95": None if g == "White" else interval_for_ratio(n, pop, white, white_population),
            "find_rate": found / recorded if recorded else None,
            "find_rate_ci95": wilson(found, recorded),
            "arrest_rate": arrests / n if n else None,
            "unstable": n < 20,
        }
    return {
        "forces": sorted(forces),
        "from": start,
        "to": end,
        "ethnicity": ethnicity,
        "total": len(searches),
        "vehicle_only_excluded": int(vehicle.sum()),
        "not_stated": count("Not_stated", "searches"),
        "groups": groups,
    }


def command_json(forces: list[str], start: str, end: str, ethnicity: str = "self") -> dict[str, Any]:
    out = StringIO()
    args = [a for f in forces for a in ("--force", f)]
    call_command(
        "disproportionality", *args, "--from", start, "--to", end, "--ethnicity", ethnicity, "--json", stdout=out
    )
    return json.loads(out.getvalue())


def assert_same(ours: Any, theirs: Any, where: str = "") -> None:
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs), where
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, list) and theirs and isinstance(theirs[0], float):
        assert ours == pytest.approx(theirs, rel=1e-8), where
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-9), where
    else:
        assert ours == theirs, where


@pytest.fixture
def cheshire_files() -> list[Path]:
    files = sorted((REPO_DATA / "police-uk").glob("*-cheshire-stop-and-search.csv"))
    assert len(files) == 4
    for path in files:
        import_file(path)
    return files


@pytest.mark.parametrize("ethnicity", ["self", "officer"])
@pytest.mark.parametrize(("start", "end"), [("2025-06", "2025-09"), ("2025-07", "2025-08"), ("2025-09", "2025-09")])
def test_the_command_equals_pandas_on_the_repositorys_cheshire_files(
    cheshire_files: list[Path], start: str, end: str, ethnicity: str
) -> None:
    expected = pandas_report(read_raw(cheshire_files), ["cheshire"], start, end, ethnicity)
    assert expected["total"] > 900  # real months, not an empty comparison
    assert_same(command_json(["cheshire"], start, end, ethnicity), expected)


def test_the_command_equals_pandas_for_three_forces_together(shared_data: Path) -> None:
    files = sorted(
        path
        for force in ("cheshire", "merseyside", "south-yorkshire")
        for path in (shared_data / "police-uk").glob(f"2025-0*-{force}-stop-and-search.csv")
    )
    assert len(files) == 12
    for path in files:
        import_file(path)
    forces = ["cheshire", "merseyside", "south-yorkshire"]
    expected = pandas_report(read_raw(files), forces, "2025-06", "2025-09")
    assert_same(command_json(forces, "2025-06", "2025-09"), expected)


def test_the_command_equals_pandas_on_the_old_vocabulary(shared_data: Path) -> None:
    path = shared_data / "police-uk" / "2016-06-metropolitan-stop-and-search.csv"
    import_file(path)
    expected = pandas_report(read_raw([path]), ["metropolitan"], "2016-06", "2016-06")
    assert expected["groups"]["Black"]["arrest_rate"]  # "Suspect arrested" is there
    assert_same(command_json(["metropolitan"], "2016-06", "2016-06"), expected)
