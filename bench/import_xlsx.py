"""Workbook import memory and time: 1,000,000 rows as an .xlsx, against the same rows as a data.police.uk CSV, in
the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<any database> .venv/bin/python bench/import_xlsx.py
    .venv/bin/python bench/import_xlsx.py --sqlite [--rows 200000]

Resamples (seeded) the rows of every file in ../shared/data/police-uk/ (or, without it, the four months in
data/police-uk/), in time order, and writes them twice: a CSV in data.police.uk's layout, and an .xlsx written by
openpyxl in write-only mode with cells typed as a spreadsheet holds them (the date a date-time in UK local time,
coordinates numbers, yes/no booleans). Then, in a database of its own (`--db-name`, default scrutiny_bench_xlsx,
dropped and re-created on the server DATABASE_URL names; or a temporary SQLite file):

1. imports the CSV with `manage.py importrecords` into one force;
2. imports the workbook the same way into another force (both are first imports into an empty force);
3. imports the workbook into the first force, where every search is already held: it must add nothing.

Each import runs in a child process; its peak RSS is that child's own, from os.wait4 (getrusage's RUSAGE_CHILDREN
for exactly that child), its time is measured around the command inside the child (Django's start-up excluded)
and around the whole child. Target (issue 13): the workbook's import under 400 MB peak RSS.

A search in the hour the clocks go back has one local time for two instants, so as a date-time cell it is rejected
(docs/import.md, "Dates"): the workbook's imports reject those few rows, which the CSV, with its offsets, imports.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _support import (  # bench/ runs as a directory of scripts: its own folder is on the path
    ROOT,
    import_files,
    migrate,
    police_uk_rows,
    recreate_database,
)

CSV_FORCE = "metropolitan"
XLSX_FORCE = "west-midlands"
TARGET_RSS_MB = 400
LONDON = ZoneInfo("Europe/London")


def resample(rows: int, seed: int) -> tuple[list[str], list[list[str]], Path]:
    header, pool, source = police_uk_rows()
    rng = random.Random(seed)
    chosen = [pool[rng.randrange(len(pool))] for _ in range(rows)]
    chosen.sort(key=lambda row: row[1])  # ISO times with the same +00:00 offset sort as text
    return header, chosen, source


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Stop and search")
    sheet.append(header)
    yes_no = {"True": True, "False": False}
    for row in rows:
        cells: list[Any] = [cell if cell else None for cell in row]
        cells[1] = datetime.fromisoformat(row[1]).astimezone(LONDON).replace(tzinfo=None)
        cells[4] = float(row[4]) if row[4] else None
        cells[5] = float(row[5]) if row[5] else None
        for c in (2, 13, 14):
            cells[c] = yes_no.get(row[c], cells[c])
        sheet.append(cells)
    book.save(path)


# --- children ----------------------------------------------------------------------------------------------------


def run_child(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run this script as a child; its JSON line, with its wall time and its own peak RSS (os.wait4)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+") as out, tempfile.TemporaryFile(mode="w+") as err:
        child = subprocess.Popen([sys.executable, __file__, *args], env=env, cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.stderr.write(err.read())
            raise SystemExit(f"child {args} failed ({child.returncode})")
        lines = [line for line in out.read().splitlines() if line.startswith("{")]
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    result["wall"] = wall
    result["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


# --- PostgreSQL --------------------------------------------------------------------------------------------------


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def describe(label: str, result: dict[str, Any]) -> str:
    return (
        f"{label}: {result['seconds']:.1f} s (child {result['wall']:.1f} s, CPU {result['cpu']:.1f} s), "
        f"peak RSS {result['peak_mb']:.0f} MB; read {result['read']:,} imported {result['imported']:,} "
        f"duplicates {result['duplicates']:,} rejected {result['rejected']:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--sqlite", action="store_true", help="Use a temporary SQLite database instead.")
    parser.add_argument("--db-name", default="scrutiny_bench_xlsx", help="The bench's own PostgreSQL database.")
    parser.add_argument("--child", choices=["import", "setup"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--force", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "import":
        print(json.dumps(import_files([args.file], args.force)))
        return
    if args.child == "setup":
        migrate()
        return

    env = dict(os.environ)
    env["DEBUG"] = "true"
    env.pop("REDIS_URL", None)
    print(f"load average before: {load_average()}")
    with tempfile.TemporaryDirectory(prefix="scrutiny-bench-xlsx-") as tmp:
        header, rows, source = resample(args.rows, args.seed)
        csv_file = Path(tmp) / "resampled.csv"
        xlsx_file = Path(tmp) / "resampled.xlsx"
        write_csv(csv_file, header, rows)
        started = time.perf_counter()
        write_xlsx(xlsx_file, header, rows)
        written = time.perf_counter() - started
        del rows
        print(
            f"rows: {args.rows:,} resampled from {source} (seed {args.seed}); CSV {csv_file.stat().st_size / 1e6:.0f} "
            f"MB, .xlsx {xlsx_file.stat().st_size / 1e6:.0f} MB (written by openpyxl in {written:.0f} s)"
        )

        if args.sqlite:
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
            print("database: a temporary SQLite file")
        else:
            url = os.environ.get("DATABASE_URL", "")
            if not url.startswith(("postgres://", "postgresql://")):
                raise SystemExit("set DATABASE_URL to a PostgreSQL server (or use --sqlite)")
            env["DATABASE_URL"] = recreate_database(url, args.db_name)
            print(f"database: PostgreSQL, {args.db_name} (dropped and re-created)")
        run_child(env, "--child", "setup")

        as_csv = run_child(env, "--child", "import", "--file", str(csv_file), "--force", CSV_FORCE)
        as_xlsx = run_child(env, "--child", "import", "--file", str(xlsx_file), "--force", XLSX_FORCE)
        again = run_child(env, "--child", "import", "--file", str(xlsx_file), "--force", CSV_FORCE)

    print(describe("CSV (baseline), first import", as_csv))
    print(describe(".xlsx, first import", as_xlsx))
    print(describe(".xlsx into the CSV's force (every search held)", again))
    ok_rss = max(as_xlsx["peak_mb"], again["peak_mb"]) < TARGET_RSS_MB
    print(
        f".xlsx / CSV: time {as_xlsx['seconds'] / as_csv['seconds']:.2f} x, peak RSS "
        f"{as_xlsx['peak_mb'] / as_csv['peak_mb']:.2f} x; .xlsx peak RSS under {TARGET_RSS_MB} MB: "
        f"{'met' if ok_rss else 'MISSED'}"
    )
    same = again["imported"] == 0 and again["rejected"] == as_xlsx["rejected"]
    print(
        f"the workbook's searches are the CSV's (adds nothing after it; rejects only the rows in the hour the clocks "
        f"go back): {'yes' if same else 'NO'}"
    )
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
