"""Import speed and memory: 1,000,000 data.police.uk rows, against a plain COPY of the same file and against the
storage floor of the records table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scrutiny .venv/bin/python bench/import_records.py [--shuffled]
    .venv/bin/python bench/import_records.py --sqlite

Builds a CSV by resampling (seeded) the rows of every file in ../shared/data/police-uk/, in time order as a
concatenation of monthly data.police.uk files is (`--shuffled` keeps the random order instead), then, in a database of
its own (`scrutiny_bench` on the same PostgreSQL server, dropped and re-created; or a temporary SQLite file):

- times a plain `COPY` of the file into an UNLOGGED table of 15 text columns (the baseline), before and after;
- imports it with `manage.py importrecords` (in a child process, timed around the command, with the process's peak
  RSS), then imports it again, which must add nothing;
- times the floor of the records table: PostgreSQL storing the imported rows again by INSERT ... SELECT into an
  empty logged copy of the table, with no file to parse and no Python (the storage floor), for the table as migrated
  and for the other designs measured against it; and the load floor: the same rows sent as COPY text from a
  client into an empty copy of the table as migrated.

Targets (issue 12): the table's storage floor <= 3 x COPY; first import <= 1.3 x that floor; second import
<= 1.5 x COPY, adding nothing; peak RSS of the whole importrecords process < 400 MB. On SQLite there is no COPY:
the target is finishing 1M rows without running out of memory. Ratios use the faster of the two baseline runs, so
noise makes them look worse, not better.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import tempfile
import time
from pathlib import Path

from _support import (  # bench/ runs as a directory of scripts: its own folder is on the path
    SHARED,
    import_files,
    migrate,
    police_uk_rows,
    recreate_database,
    run_child,
    time_copy,
)

FORCE = "metropolitan"
BENCH_DB = "scrutiny_bench"

TARGET_FLOOR = 3.0  # the table's storage floor, x COPY
TARGET_IMPORT = 1.3  # first import, x the storage floor
TARGET_REIMPORT = 1.5  # second import, x COPY
TARGET_RSS_MB = 400


def build_csv(path: Path, rows: int, seed: int, *, shuffled: bool = False) -> int:
    """Resample the shared files' rows into one data.police.uk CSV; returns its size in bytes. Rows are in time
    order (as months of data.police.uk files joined end to end are) unless `shuffled`."""
    header, pool, _ = police_uk_rows()
    rng = random.Random(seed)
    chosen = [pool[rng.randrange(len(pool))] for _ in range(rows)]
    if not shuffled:
        chosen.sort(key=lambda row: row[1])  # ISO times with the same +00:00 offset sort as text
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(chosen)
    return path.stat().st_size


# --- PostgreSQL ------------------------------------------------------------------------------------------------


def checkpoint(url: str) -> None:
    """Flush dirty buffers before each timed step, so no step pays for the writes of the one before."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")


# What PostgreSQL alone needs to store the imported rows durably, for the table as migrated and for the other
# designs that were measured against it. Each is INSERT ... SELECT of the imported rows (in the order the importer
# wrote them) into an empty, logged table: no file to parse, no Python, nothing to deduplicate, so no importer can
# be faster for that table on this server. `source` is the table the rows come from (see prepare_floor_sources).
FLOOR_DESIGNS: tuple[tuple[str, str, str], ...] = (
    ("heap alone, no index (not a usable table)", "records", ""),
    ("heap + primary key", "records", "ALTER TABLE bench_floor ADD PRIMARY KEY (id)"),
    (
        "CHOSEN, the table as migrated: primary key + unique (force, month, 16-byte time-ordered fingerprint)",
        "records",
        "ALTER TABLE bench_floor ADD PRIMARY KEY (id);"
        " ALTER TABLE bench_floor ADD UNIQUE (force_id, month, fingerprint)",
    ),
    (
        "the same index, 16-byte fingerprints NOT time-ordered (random hash bytes)",
        "random16",
        "ALTER TABLE bench_floor ADD PRIMARY KEY (id);"
        " ALTER TABLE bench_floor ADD UNIQUE (force_id, month, fingerprint)",
    ),
    (
        "primary key + unique (force, fingerprint) + (force, month): a separate index for reporting",
        "records",
        "ALTER TABLE bench_floor ADD PRIMARY KEY (id);"
        " ALTER TABLE bench_floor ADD UNIQUE (force_id, fingerprint);"
        " CREATE INDEX ON bench_floor (force_id, month)",
    ),
    (
        "BEFORE (issue 3's table): 32-byte random fingerprint, unique (force, fingerprint), "
        "(force, month, vehicle_only), (force, financial_year, vehicle_only), financial_year column",
        "old32",
        "ALTER TABLE bench_floor ADD PRIMARY KEY (id);"
        " ALTER TABLE bench_floor ADD UNIQUE (force_id, fingerprint);"
        " CREATE INDEX ON bench_floor (force_id, month, vehicle_only);"
        " CREATE INDEX ON bench_floor (force_id, financial_year, vehicle_only)",
    ),
)


def prepare_floor_sources(url: str) -> None:
    """Copies of the imported rows for the designs that store other fingerprints (not timed): `random16` with the
    fingerprint replaced by 16 bytes of its own SHA-256 (same uniqueness, no time order), `old32` with a 32-byte
    random fingerprint and the financial-year column the table had before."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_src_random16, bench_src_old32")
        conn.execute("CREATE UNLOGGED TABLE bench_src_random16 AS SELECT * FROM scrutiny_encounterrecord ORDER BY id")
        conn.execute("UPDATE bench_src_random16 SET fingerprint = substring(sha256(fingerprint) from 1 for 16)")
        conn.execute("CREATE UNLOGGED TABLE bench_src_old32 AS SELECT * FROM scrutiny_encounterrecord ORDER BY id")
        conn.execute("UPDATE bench_src_old32 SET fingerprint = sha256(fingerprint)")
        conn.execute("ALTER TABLE bench_src_old32 ADD COLUMN financial_year varchar(7)")
        conn.execute(
            "UPDATE bench_src_old32 SET financial_year = "
            "to_char(month - interval '3 months', 'YYYY') || '-' || to_char(month + interval '9 months', 'YY')"
        )
        conn.execute("VACUUM ANALYZE bench_src_random16, bench_src_old32")


def time_floor(url: str) -> list[tuple[str, float]]:
    import psycopg

    sources = {
        "records": "(SELECT * FROM scrutiny_encounterrecord ORDER BY id) AS r",
        "random16": "bench_src_random16",
        "old32": "bench_src_old32",
    }
    timings: list[tuple[str, float]] = []
    for label, source, indexes in FLOOR_DESIGNS:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS bench_floor")
            conn.execute("CREATE TABLE bench_floor (LIKE scrutiny_encounterrecord INCLUDING DEFAULTS)")
            if source == "old32":
                conn.execute("ALTER TABLE bench_floor ADD COLUMN financial_year varchar(7)")
            for statement in filter(None, (s.strip() for s in indexes.split(";"))):
                conn.execute(statement)
            conn.execute("CHECKPOINT")
            started = time.perf_counter()
            with conn.transaction():
                conn.execute(f"INSERT INTO bench_floor SELECT * FROM {sources[source]}")  # noqa: S608
            timings.append((label, time.perf_counter() - started))
            conn.execute("DROP TABLE bench_floor")
    return timings


def time_load_floor(url: str, tmp: str) -> dict[str, float]:
    """PostgreSQL alone loading the imported rows from a client: the finished rows (dumped from the table in the order
    the importer wrote them) sent with COPY into an empty copy of the table as migrated, as text and as binary (what
    the importer sends). This adds to the storage floor what any client's COPY costs the server: reading the rows
    (and, as text, parsing timestamps, dates, numerics, bytea). No importer can be faster than the binary figure."""
    import psycopg

    dump = Path(tmp) / "records.copy"
    columns = "fingerprint, occurred_at, month, latitude, longitude, policing_operation, kind, search_type, " + (
        "vehicle_only, part_of_policing_operation, gender, age_range, self_defined_ethnicity, ethnic_group, "
        "officer_defined_ethnicity, legislation, object_of_search, outcome, anything_found, outcome_linked_to_object, "
        "removal_of_more_than_outer_clothing, force_id, batch_id"
    )
    timings: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for fmt in ("text", "binary"):
            with open(dump, "wb") as out, conn.cursor() as cur:
                query = f"COPY (SELECT {columns} FROM scrutiny_encounterrecord ORDER BY id) TO STDOUT (FORMAT {fmt})"  # noqa: S608
                with cur.copy(query) as copy:
                    for block in copy:
                        out.write(block)
            conn.execute("DROP TABLE IF EXISTS bench_floor")
            conn.execute("CREATE TABLE bench_floor (LIKE scrutiny_encounterrecord INCLUDING ALL)")
            conn.execute("CHECKPOINT")
            started = time.perf_counter()
            with (
                conn.transaction(),
                conn.cursor() as cur,
                open(dump, "rb") as fh,
                cur.copy(f"COPY bench_floor ({columns}) FROM STDIN (FORMAT {fmt})") as copy,
            ):
                while block := fh.read(1 << 20):
                    copy.write(block)
            timings[fmt] = time.perf_counter() - started
            conn.execute("DROP TABLE bench_floor")
            dump.unlink()
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
    parser.add_argument("--shuffled", action="store_true", help="Rows in random order instead of time order.")
    parser.add_argument("--no-floor", action="store_true", help="Skip the floor measurements.")
    parser.add_argument("--sqlite", action="store_true", help="Use a temporary SQLite database instead.")
    parser.add_argument("--child", choices=["import", "setup"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "import":
        print(json.dumps(import_files([args.file], FORCE)))
        return
    if args.child == "setup":
        migrate()
        return

    env = dict(os.environ)
    env["DEBUG"] = "true"
    env.pop("REDIS_URL", None)
    with tempfile.TemporaryDirectory(prefix="scrutiny-bench-") as tmp:
        file = Path(tmp) / "2016-06-metropolitan-stop-and-search-resampled.csv"
        size = build_csv(file, args.rows, args.seed, shuffled=args.shuffled)
        order = "random order" if args.shuffled else "time order"
        print(f"rows: {args.rows:,} resampled from {SHARED}, {order} (file {size / 1e6:.0f} MB, seed {args.seed})")

        if args.sqlite:
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
            run_child(__file__, "setup", env)
            first = run_child(__file__, "import", env, "--file", str(file))
            print(
                f"SQLite import #1: {first['seconds']:.1f} s, peak RSS {first['peak_mb']:.0f} MB, "
                f"read {first['read']:,} imported {first['imported']:,} duplicates {first['duplicates']:,} "
                f"rejected {first['rejected']:,}"
            )
            second = run_child(__file__, "import", env, "--file", str(file))
            print(
                f"SQLite import #2: {second['seconds']:.1f} s, peak RSS {second['peak_mb']:.0f} MB, "
                f"imported {second['imported']:,} (adds nothing: {mark(second['imported'] == 0)})"
            )
            return

        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("set DATABASE_URL to a PostgreSQL server (or use --sqlite)")
        url = recreate_database(url, BENCH_DB)
        env["DATABASE_URL"] = url
        run_child(__file__, "setup", env)

        checkpoint(url)
        copy_before = time_copy(url, [file])
        checkpoint(url)
        first = run_child(__file__, "import", env, "--file", str(file))
        checkpoint(url)
        second = run_child(__file__, "import", env, "--file", str(file))
        records = count_records(url)
        floor: list[tuple[str, float]] = []
        load_floor: dict[str, float] = {}
        if not args.no_floor:
            prepare_floor_sources(url)
            floor = time_floor(url)
            checkpoint(url)
            load_floor = time_load_floor(url, tmp)
        checkpoint(url)
        copy_after = time_copy(url, [file])
        baseline = min(copy_before, copy_after)

        print(f"plain COPY into an unlogged text table: {copy_before:.2f} s before, {copy_after:.2f} s after")
        print(
            f"importer's own CPU (Python; the rest is waiting for PostgreSQL): "
            f"{first['cpu']:.1f} s first import, {second['cpu']:.1f} s second"
        )
        if floor:
            print("storage floor: INSERT ... SELECT of the imported rows into an empty logged table (no parsing):")
            for label, seconds in floor:
                print(f"  {seconds:6.2f} s = {seconds / baseline:.2f} x COPY  {label}")
        chosen = next((seconds for label, seconds in floor if label.startswith("CHOSEN")), None)
        if chosen is not None:
            print(
                f"the table's storage floor: {chosen / baseline:.2f} x COPY "
                f"(target <= {TARGET_FLOOR}: {mark(chosen / baseline <= TARGET_FLOOR)})"
            )
        if load_floor:
            for fmt, seconds in load_floor.items():
                print(
                    f"load floor, {fmt} (the finished rows from a client by COPY, table as migrated): "
                    f"{seconds:.2f} s = {seconds / baseline:.2f} x COPY"
                    + (f" = {seconds / chosen:.2f} x the storage floor" if chosen else "")
                )
        seconds1 = float(first["seconds"])
        seconds2 = float(second["seconds"])
        print(
            f"import #1: {seconds1:.2f} s = {seconds1 / baseline:.2f} x COPY"
            + (
                f" = {seconds1 / chosen:.2f} x the storage floor (target <= {TARGET_IMPORT}: "
                f"{mark(seconds1 / chosen <= TARGET_IMPORT)})"
                if chosen
                else ""
            )
            + (f" = {seconds1 / load_floor['binary']:.2f} x the binary load floor" if load_floor else "")
            + f"; peak RSS {first['peak_mb']:.0f} MB (target < {TARGET_RSS_MB}: "
            f"{mark(float(first['peak_mb']) < TARGET_RSS_MB)}); "
            f"read {first['read']:,} imported {first['imported']:,} duplicates {first['duplicates']:,} "
            f"rejected {first['rejected']:,}"
        )
        print(
            f"import #2 (same file): {seconds2:.2f} s = {seconds2 / baseline:.2f} x COPY "
            f"(target <= {TARGET_REIMPORT}: {mark(seconds2 / baseline <= TARGET_REIMPORT)}); "
            f"peak RSS {second['peak_mb']:.0f} MB; imported {second['imported']:,} "
            f"(adds nothing: {mark(second['imported'] == 0)}); records in the table {records:,}"
        )


if __name__ == "__main__":
    main()
