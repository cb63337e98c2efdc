"""Import speed and memory: 1,000,000 data.police.uk rows, against a plain COPY of the same file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scrutiny .venv/bin/python bench/import_records.py
    .venv/bin/python bench/import_records.py --sqlite

Builds a CSV by resampling (seeded) the rows of every file in ../shared/data/police-uk/, then, in a database of
its own (`scrutiny_bench` on the same PostgreSQL server, dropped and re-created; or a temporary SQLite file):

- times a plain `COPY` of the file into an UNLOGGED table of 15 text columns (the baseline), before and after;
- imports it with the importer (in a child process, timed from opening the file to the commit, with the child's
  peak RSS), then imports it again, which must add nothing;
- times the floor: PostgreSQL storing the imported rows again, by INSERT ... SELECT into an empty logged copy of
  the records table, with no index, with one index, and with every index. No importer on that server can beat the
  floor, so when the floor is above a target the target cannot be met there by changing the importer.

Targets (issue 3): import ≤ 2.5 × COPY, peak RSS < 400 MB, second import ≤ 1.5 × COPY and adds nothing.
On SQLite there is no COPY: the target is finishing 1M rows without running out of memory.
Ratios use the faster of the two baseline runs, so noise makes them look worse, not better.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "police-uk"
FORCE = "metropolitan"
BENCH_DB = "scrutiny_bench"

TARGET_IMPORT = 2.5
TARGET_REIMPORT = 1.5
TARGET_RSS_MB = 400


def build_csv(path: Path, rows: int, seed: int) -> int:
    """Resample the shared files' rows into one data.police.uk CSV; returns its size in bytes."""
    header: list[str] | None = None
    pool: list[list[str]] = []
    for file in sorted(SHARED.glob("*.csv")):
        with open(file, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            pool.extend(row for row in reader if row)
    if header is None:
        raise SystemExit(f"no data.police.uk files in {SHARED}")
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for _ in range(rows):
            writer.writerow(pool[rng.randrange(len(pool))])
    return path.stat().st_size


# --- the child: one import, timed inside the process -----------------------------------------------------------


def child_import(file: str) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from scrutiny.services import batch_import, force_for_police_uk_id

    force = force_for_police_uk_id(FORCE)
    started = time.perf_counter()
    cpu = time.process_time()
    with open(file, "rb") as fh:
        _, result = batch_import(source=fh, file_name=Path(file).name, force=force)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_kb / 1024, **result.as_json(file)}))


def child_setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    from panels.census import POLICE_UK_IDS
    from panels.models import ForceArea, Organisation

    call_command("migrate", verbosity=0)
    code = next(c for c, f in POLICE_UK_IDS.items() if f == FORCE)
    Organisation.objects.get_or_create(
        police_uk_id=FORCE,
        defaults={
            "name": "Metropolitan Police Service",
            "slug": "bench-metropolitan",
            "kind": Organisation.Kind.FORCE,
            "force_area": ForceArea.objects.get(code=code),
        },
    )


def run_child(mode: str, env: dict[str, str], *extra: str) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", mode, *extra],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"child {mode} failed ({completed.returncode})")
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


# --- PostgreSQL ------------------------------------------------------------------------------------------------


def bench_db_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def recreate_database(url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def time_copy(url: str, file: Path) -> float:
    import psycopg

    columns = ", ".join(f"c{i} text" for i in range(15))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS copy_baseline")
        conn.execute(f"CREATE UNLOGGED TABLE copy_baseline ({columns})")
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY copy_baseline FROM STDIN (FORMAT csv, HEADER true)") as copy,
            open(file, "rb") as fh,
        ):
            while block := fh.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE copy_baseline")
    return seconds


def checkpoint(url: str) -> None:
    """Flush dirty buffers before each timed step, so no step pays for the writes of the one before."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")


FLOOR_STEPS = (
    ("the heap alone, no index", "CREATE TABLE bench_floor (LIKE scrutiny_encounterrecord INCLUDING DEFAULTS)"),
    (
        "heap + (force, month), the one index reporting needs",
        "CREATE TABLE bench_floor (LIKE scrutiny_encounterrecord INCLUDING DEFAULTS);"
        " CREATE INDEX ON bench_floor (force_id, month)",
    ),
    (
        "heap + unique (force, fingerprint)",
        "CREATE TABLE bench_floor (LIKE scrutiny_encounterrecord INCLUDING DEFAULTS);"
        " ALTER TABLE bench_floor ADD UNIQUE (force_id, fingerprint)",
    ),
    (
        "the records table as migrated, every index",
        "CREATE TABLE bench_floor (LIKE scrutiny_encounterrecord INCLUDING ALL)",
    ),
)


def time_floor(url: str) -> list[tuple[str, float]]:
    """What PostgreSQL alone needs to store the imported rows durably: INSERT ... SELECT of the records table into
    an empty, logged copy of it, with no file to parse, no Python and nothing to deduplicate. No importer can be
    faster than this on the same server, so it bounds the ratio any importer can reach."""
    import psycopg

    timings: list[tuple[str, float]] = []
    for label, create in FLOOR_STEPS:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS bench_floor")
            for statement in create.split(";"):
                conn.execute(statement)
            conn.execute("CHECKPOINT")
            started = time.perf_counter()
            with conn.transaction():
                conn.execute("INSERT INTO bench_floor SELECT * FROM scrutiny_encounterrecord")
            timings.append((label, time.perf_counter() - started))
            conn.execute("DROP TABLE bench_floor")
    return timings


def count_records(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM scrutiny_encounterrecord").fetchone()
    return int(row[0]) if row else 0


def mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--sqlite", action="store_true", help="Use a temporary SQLite database instead.")
    parser.add_argument("--child", choices=["import", "setup"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "import":
        child_import(args.file)
        return
    if args.child == "setup":
        child_setup()
        return

    env = dict(os.environ)
    env["DEBUG"] = "true"
    env.pop("REDIS_URL", None)
    with tempfile.TemporaryDirectory(prefix="scrutiny-bench-") as tmp:
        file = Path(tmp) / "2016-06-metropolitan-stop-and-search-resampled.csv"
        size = build_csv(file, args.rows, args.seed)
        print(f"rows: {args.rows:,} resampled from {SHARED} (file {size / 1e6:.0f} MB, seed {args.seed})")

        if args.sqlite:
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
            run_child("setup", env)
            first = run_child("import", env, "--file", str(file))
            print(
                f"SQLite import #1: {first['seconds']:.1f} s, peak RSS {first['peak_mb']:.0f} MB, "
                f"read {first['read']:,} imported {first['imported']:,} duplicates {first['duplicates']:,} "
                f"rejected {first['rejected']:,}"
            )
            second = run_child("import", env, "--file", str(file))
            print(
                f"SQLite import #2: {second['seconds']:.1f} s, peak RSS {second['peak_mb']:.0f} MB, "
                f"imported {second['imported']:,} (adds nothing: {mark(second['imported'] == 0)})"
            )
            return

        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("set DATABASE_URL to a PostgreSQL server (or use --sqlite)")
        url = bench_db_url(url)
        env["DATABASE_URL"] = url
        recreate_database(url)
        run_child("setup", env)

        checkpoint(url)
        copy_before = time_copy(url, file)
        checkpoint(url)
        first = run_child("import", env, "--file", str(file))
        checkpoint(url)
        second = run_child("import", env, "--file", str(file))
        floor = time_floor(url)
        checkpoint(url)
        copy_after = time_copy(url, file)
        baseline = min(copy_before, copy_after)
        records = count_records(url)

        ratio1 = float(first["seconds"]) / baseline  # type: ignore[arg-type]
        ratio2 = float(second["seconds"]) / baseline  # type: ignore[arg-type]
        print(f"plain COPY into an unlogged text table: {copy_before:.2f} s before, {copy_after:.2f} s after")
        print(
            f"importer's own CPU (Python, the rest is waiting for PostgreSQL): "
            f"{first['cpu']:.1f} s first import, {second['cpu']:.1f} s second"
        )
        print(
            f"import #1: {first['seconds']:.2f} s = {ratio1:.2f} x COPY "
            f"(target <= {TARGET_IMPORT}: {mark(ratio1 <= TARGET_IMPORT)}); "
            f"peak RSS {first['peak_mb']:.0f} MB (target < {TARGET_RSS_MB}: "
            f"{mark(float(first['peak_mb']) < TARGET_RSS_MB)}); "  # type: ignore[arg-type]
            f"read {first['read']:,} imported {first['imported']:,} duplicates {first['duplicates']:,} "
            f"rejected {first['rejected']:,}"
        )
        print(
            f"import #2 (same file): {second['seconds']:.2f} s = {ratio2:.2f} x COPY "
            f"(target <= {TARGET_REIMPORT}: {mark(ratio2 <= TARGET_REIMPORT)}); "
            f"peak RSS {second['peak_mb']:.0f} MB; imported {second['imported']:,} "
            f"(adds nothing: {mark(second['imported'] == 0)}); records in the table {records:,}"
        )
        print("floor: INSERT ... SELECT of the imported rows into an empty logged copy of the table (no parsing):")
        for label, seconds in floor:
            print(f"  {label}: {seconds:.2f} s = {seconds / baseline:.2f} x COPY")


if __name__ == "__main__":
    main()
