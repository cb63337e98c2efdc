"""Disproportionality report speed: 1,000,000 records in PostgreSQL, one year, against a hand-written SQL GROUP BY
and against pandas over the equivalent CSV, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scrutiny [REDIS_URL=redis://127.0.0.1:6379/9] \
        .venv/bin/python bench/report.py [--rows 1000000] [--repeat 5]

Builds the import bench's data (bench/import_records.py: the rows of every file in ../shared/data/police-uk/,
resampled with a fixed seed into one data.police.uk CSV for the Metropolitan Police), imports it with the importer
into a database of its own (`scrutiny_bench_report` on the same server, dropped and re-created), runs VACUUM
ANALYZE as autovacuum would, and then times, for the year from October 2024 to September 2025:

- the baseline: a hand-written SQL `GROUP BY` over the records table giving the same counts the report needs
  (by ethnic group and vehicle-only flag: searches, outcome link recorded and true, arrests), fetched with psycopg;
- the report cold: `scrutiny.disproportionality.report.disproportionality_report(...)` with its cache emptied
  first (finding the
  force, the grouped query through the ORM, the Census populations, the statistics and the intervals);
- the report cached: the same call again (the cache is Redis when REDIS_URL is set, else local memory);
- pandas: reading the CSV (the file the records came from), taking London months, leaving out vehicle-only rows,
  mapping the self-defined labels to five groups and grouping.

Each is run `--repeat` times; the median is reported. Targets (issue 6): cold ≤ 2 × the SQL, cached ≤ 50 ms,
pandas ≥ 5 × slower than the cold report. It also checks that the report's counts equal the SQL's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_records  # noqa: E402  (the import bench: its data, its setup and its importing child)
from _support import recreate_database, run_child  # noqa: E402

BENCH_DB = "scrutiny_bench_report"
FORCE = import_records.FORCE
FROM, TO = "2024-10", "2025-09"
TARGET_COLD_X_SQL = 2.0
TARGET_CACHED_MS = 50.0
TARGET_PANDAS_X = 5.0

SQL = """
SELECT ethnic_group, vehicle_only, count(*),
       count(outcome_linked_to_object),
       count(*) FILTER (WHERE outcome_linked_to_object),
       count(*) FILTER (WHERE outcome = 'arrest')
FROM scrutiny_encounterrecord
WHERE kind = 'stop_search' AND force_id = %s AND month >= %s AND month <= %s
GROUP BY ethnic_group, vehicle_only
"""


def timed(call: Callable[[], Any], repeat: int, before: Callable[[], None] | None = None) -> tuple[float, Any]:
    """Median seconds of `repeat` runs (each after `before`, untimed), and the last result."""
    times, result = [], None
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def pandas_route(file: Path) -> dict[str, int]:
    import pandas as pd

    frame = pd.read_csv(
        file,
        usecols=["Type", "Date", "Self-defined ethnicity", "Outcome", "Outcome linked to object of search"],
        dtype=str,
        keep_default_na=False,
    )
    months = pd.to_datetime(frame["Date"], utc=True).dt.tz_convert("Europe/London").dt.strftime("%Y-%m")
    frame = frame[(months >= FROM) & (months <= TO)]
    frame = frame[frame["Type"] != "Vehicle search"]
    labels = frame["Self-defined ethnicity"]
    first = labels.str.split().str[0].str.split("/").str[0].fillna("")
    group = first.where(first.isin(["Asian", "Black", "Mixed", "White", "Other"]), "Not stated")
    group = group.mask(labels.str.contains("Not stated|Not Stated", regex=True), "Not stated")
    group = group.mask(labels == "Chinese or other ethnic group - Chinese (O1)", "Asian")
    group = group.mask(labels == "Chinese or other ethnic group - Any other ethnic group (O9)", "Other")
    counts = (
        frame.assign(
            group=group,
            recorded=frame["Outcome linked to object of search"].isin(["True", "False"]),
            found=frame["Outcome linked to object of search"] == "True",
            arrest=frame["Outcome"].isin(["Arrest", "Suspect arrested"]),
        )
        .groupby("group")
        .agg(searches=("Type", "size"), recorded=("recorded", "sum"), found=("found", "sum"), arrests=("arrest", "sum"))
    )
    return {str(g): int(n) for g, n in counts["searches"].items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server")
    url = recreate_database(url, BENCH_DB)
    env = dict(os.environ, DATABASE_URL=url, DEBUG="true")
    env.pop("REDIS_URL", None)

    with tempfile.TemporaryDirectory(prefix="scrutiny-bench-report-") as tmp:
        file = Path(tmp) / "2016-06-metropolitan-stop-and-search-resampled.csv"
        size = import_records.build_csv(file, args.rows, args.seed)
        print(f"rows: {args.rows:,} resampled from {import_records.SHARED} (file {size / 1e6:.0f} MB)")
        run_child(import_records.__file__, "setup", env)
        loaded = run_child(import_records.__file__, "import", env, "--file", str(file))
        print(f"imported {loaded['imported']:,} records in {loaded['seconds']:.1f} s")

        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE scrutiny_encounterrecord")

        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from datetime import date

        from django.core.cache import caches

        from panels.models import Organisation
        from scrutiny.disproportionality.report import disproportionality_report
        from scrutiny.records.versions import records_changed

        force = Organisation.objects.get(police_uk_id=FORCE)
        start, end = date(2024, 10, 1), date(2025, 9, 1)

        with psycopg.connect(url) as conn:

            def by_sql() -> list[tuple[Any, ...]]:
                return conn.execute(SQL, (force.pk, start, end)).fetchall()

            sql_seconds, rows = timed(by_sql, args.repeat)
        in_period = sum(int(r[2]) for r in rows)

        def report() -> dict[str, Any]:
            return disproportionality_report([FORCE], FROM, TO)

        cold_seconds, cold = timed(report, args.repeat, before=lambda: records_changed(force.pk))
        cached_seconds, cached = timed(report, max(args.repeat, 20))
        pandas_seconds, by_pandas = timed(lambda: pandas_route(file), max(1, min(args.repeat, 3)))

        sql_white = sum(int(r[2]) for r in rows if r[0] == "white" and not r[1])
        agree = cold["groups"]["White"]["searches"] == sql_white and cached == cold
        agree_pandas = by_pandas["White"] == sql_white
        backend = type(caches["default"]).__name__

        cold_x = cold_seconds / sql_seconds
        pandas_x = pandas_seconds / cold_seconds
        print(f"period {FROM} to {TO}: {in_period:,} records of {loaded['imported']:,} (vehicle-only included)")
        print(f"hand-written SQL GROUP BY (psycopg): {sql_seconds * 1000:.1f} ms")
        print(
            f"report, cold: {cold_seconds * 1000:.1f} ms = {cold_x:.2f} x SQL "
            f"(target <= {TARGET_COLD_X_SQL}: {import_records.mark(cold_x <= TARGET_COLD_X_SQL)})"
        )
        print(
            f"report, cached ({backend}): {cached_seconds * 1000:.2f} ms "
            f"(target <= {TARGET_CACHED_MS:.0f} ms: {import_records.mark(cached_seconds * 1000 <= TARGET_CACHED_MS)})"
        )
        print(
            f"pandas over the CSV: {pandas_seconds:.2f} s = {pandas_x:.1f} x the cold report "
            f"(target >= {TARGET_PANDAS_X}: {import_records.mark(pandas_x >= TARGET_PANDAS_X)})"
        )
        print(f"the report's counts equal the SQL's: {agree}; pandas's White searches equal too: {agree_pandas}")


if __name__ == "__main__":
    main()
