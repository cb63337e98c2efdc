"""National scale: 10,000,000 stop-and-search records over 44 forces and 10 years, synced and compared.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scrutiny [REDIS_URL=redis://127.0.0.1:6379/9] \
        .venv/bin/python bench/national.py [--records 10000000] [--months 120] [--clients 20] [--seconds 20]

In a database of its own (`scrutiny_bench_national` on the server DATABASE_URL names, dropped and re-created), with
data made by resampling (seeded) the rows of ../shared/data/police-uk/ onto every force and month, in time order
within each month as data.police.uk's files are, forces sized by their Census 2021 population (British Transport
Police at 1 %), Greater Manchester missing from the source for nine months (as it really was, 2019-20):

1. initial load: each force's whole history as one data.police.uk CSV through `manage.py importrecords` (44 files),
   beside a plain COPY of the same files into an unlogged text table (the baseline); then the months marked held as
   a first sync would leave them, and one sync that re-fetches the newest months (all duplicates, not timed);
2. a monthly sync, end to end against the local replay server (scrutiny/sync/replay.py) at data.police.uk's rate
   limit: one new month for every force (about 60,000 rows), and the newest months re-fetched; beside the rate
   limit's own floor for the same requests and a COPY of the new rows;
3. a second sync with nothing new: it must write nothing (records, batches, rejected rows and source months counted
   and compared) and take under 30 s;
4. the national report (scrutiny/national.py) for the latest 12 months, cold and cached, beside a hand-written SQL
   GROUP BY over the same rows through psycopg (median of 5; the report's counts must equal the SQL's);
5. the public national page under load: --clients concurrent keep-alive clients for --seconds, p95 and throughput,
   beside the trivial view (/healthz/) in the same run, the server as in production (bench/_support.py).

Targets (issue 12): report cold <= 1.5 x the SQL and under 1 s; cached <= 20 ms; a second sync with nothing new
writes nothing and takes under 30 s. The other figures are printed with their baselines.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from _support import (  # bench/ runs as a directory of scripts: its own folder is on the path
    ROOT,
    collect_static,
    django_setup,
    free_port,
    hammer,
    import_files,
    migrate,
    police_uk_rows,
    production_env,
    recreate_database,
    run_child,
    start_server,
    time_copy,
)

BENCH_DB = "scrutiny_bench_national"
LAST_MONTH = date(2025, 9, 1)  # the newest month loaded; the monthly sync brings the one after
GAP = ("greater-manchester", date(2019, 7, 1), date(2020, 3, 1))
RECENT = 3  # SYNC_RECENT_MONTHS, as configured by default
RATE, BURST = 15.0, 30  # data.police.uk's limit, as the importer's RateLimiter keeps it
TARGET_COLD_RATIO, TARGET_COLD_SECONDS, TARGET_CACHED_MS, TARGET_SYNC_SECONDS = 1.5, 1.0, 20.0, 30.0


def month_add(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_text(month: date) -> str:
    return f"{month:%Y-%m}"


def days_in(month: date) -> int:
    return (month_add(month, 1) - month).days


# --- the data ------------------------------------------------------------------------------------------------------


def force_weights() -> dict[str, float]:
    from panels.census import POLICE_UK_IDS, population_by_five_group

    population = {pid: sum(population_by_five_group(code).values()) for code, pid in POLICE_UK_IDS.items()}
    total = sum(population.values())
    weights = {pid: 0.99 * n / total for pid, n in population.items()}
    weights["btp"] = 0.01
    return weights


def published(force: str, month: date) -> bool:
    return not (force == GAP[0] and GAP[1] <= month <= GAP[2])


def month_rows(pool: list[list[str]], rng: random.Random, month: date, count: int) -> list[list[str]]:
    """`count` rows resampled onto `month`, in time order: each keeps its day (within the month) and time of day."""
    out = []
    last_day = days_in(month)
    for _ in range(count):
        row = list(pool[rng.randrange(len(pool))])
        day = min(int(row[1][8:10]), last_day)
        row[1] = f"{month:%Y-%m}-{day:02d}{row[1][10:]}"
        out.append(row)
    out.sort(key=lambda r: r[1])
    return out


def build(tmp: Path, records: int, months: int, seed: int) -> dict[str, Any]:
    """Per-force CSVs of the loaded history, replay recordings of the newest months and the new one, the
    availability lists before and after the new month, and the new month's rows as CSV (for its COPY baseline)."""
    header, pool, _ = police_uk_rows()
    weights = force_weights()
    rng = random.Random(seed)
    first = month_add(LAST_MONTH, -(months - 1))
    new_month = month_add(LAST_MONTH, 1)
    per_month = records / months
    replay = tmp / "replay"
    replay.mkdir()
    csv_dir = tmp / "forces"
    csv_dir.mkdir()
    recorded = {month_add(LAST_MONTH, -i) for i in range(RECENT)}
    from scrutiny.sync.recordings import api_object

    loaded = 0
    new_rows = 0
    with open(tmp / "new-month.csv", "w", newline="", encoding="utf-8") as new_csv:
        new_writer = csv.writer(new_csv, lineterminator="\r\n")
        new_writer.writerow(header)
        for force, weight in sorted(weights.items()):
            with open(csv_dir / f"{force}-history.csv", "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out, lineterminator="\r\n")
                writer.writerow(header)
                for i in range(months + 1):
                    month = month_add(first, i)
                    if not published(force, month):
                        continue
                    share = 0.75 if month == new_month else 1.0  # the new month: about 60,000 rows in all
                    rows = month_rows(pool, rng, month, max(1, round(per_month * weight * share)))
                    if month == new_month:
                        new_writer.writerows(rows)
                        new_rows += len(rows)
                    else:
                        writer.writerows(rows)
                        loaded += len(rows)
                    if month in recorded or month == new_month:
                        body = json.dumps([api_object(r) for r in rows]).encode()
                        (replay / f"{month_text(month)}-{force}-stops-force.json.gz").write_bytes(gzip.compress(body))
    forces = sorted(weights)
    # data.police.uk lists the newest month first.
    before = [
        {"date": month_text(m), "stop-and-search": [f for f in forces if published(f, m)]}
        for m in (month_add(first, i) for i in range(months - 1, -1, -1))
    ]
    after = [{"date": month_text(new_month), "stop-and-search": forces}, *before]
    return {
        "first": first,
        "new_month": new_month,
        "loaded": loaded,
        "new_rows": new_rows,
        "files": sorted(str(p) for p in csv_dir.glob("*.csv")),
        "replay": str(replay),
        "availability_before": before,
        "availability_after": after,
    }


def write_availability(replay: Path, entries: object) -> None:
    (replay / "crimes-street-dates.json").write_text(json.dumps(entries))


# --- children (Django in a process of its own) -------------------------------------------------------------------


def child_load(files: list[str]) -> None:
    results = [import_files([file], Path(file).name.removesuffix("-history.csv")) for file in files]
    seconds = sum(r["seconds"] for r in results)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": max(r["peak_mb"] for r in results),
                "imported": sum(r["imported"] for r in results),
                "rejected": sum(r["rejected"] for r in results),
            }
        )
    )


def child_mark_held(availability: str, upto: str) -> None:
    """The months up to `upto` held, as a completed first sync leaves them (their rows were loaded in bulk)."""
    django_setup()
    from django.db.models import Count

    from scrutiny.models import EncounterRecord, SourceMonth
    from scrutiny.sync.models import SourceMonthStatus
    from scrutiny.sync.services import source_months_record, sync_forces

    entries = json.loads(Path(availability).read_text())
    available = {date.fromisoformat(e["date"] + "-01"): frozenset(e["stop-and-search"]) for e in entries}
    forces = sync_forces()
    source_months_record(available=available, forces=forces)
    counts = {
        (r["force_id"], r["month"]): r["n"]
        for r in EncounterRecord.objects.values("force_id", "month").annotate(n=Count("pk")).order_by()
    }
    limit = date.fromisoformat(upto + "-01")
    held = []
    for sm in SourceMonth.objects.filter(published=True, month__lte=limit):
        sm.status = SourceMonthStatus.HELD
        sm.source_rows = counts.get((sm.force_id, sm.month), 0)
        held.append(sm)
    SourceMonth.objects.bulk_update(held, ["status", "source_rows"], batch_size=2000)
    print(json.dumps({"held": len(held)}))


def state_counts() -> dict[str, object]:
    from django.db.models import Max

    from scrutiny.models import EncounterRecord, ImportBatch, RejectedRow, SourceMonth

    source = SourceMonth.objects.aggregate(
        fetched=Max("fetched_at"), changed=Max("changed_at"), attempt=Max("last_attempt_at")
    )
    return {
        "records": EncounterRecord.objects.count(),
        "current": EncounterRecord.objects.current().count(),
        "batches": ImportBatch.objects.count(),
        "rejected": RejectedRow.objects.count(),
        "source_months": SourceMonth.objects.count(),
        "source_state": sorted(SourceMonth.objects.values_list("pk", "status", "content_sha256", "source_rows")),
        "source_times": {k: str(v) for k, v in source.items()},
    }


def child_sync(base_url: str) -> None:
    django_setup()
    from scrutiny.sync.services import sync_run

    before = state_counts()
    started = time.perf_counter()
    summary = sync_run(base_url=base_url)
    seconds = time.perf_counter() - started
    after = state_counts()
    run = summary.run
    print(
        json.dumps(
            {
                "seconds": seconds,
                "status": run.status,
                "error": run.error,
                "fetched": run.fetched,
                "changed": run.changed,
                "failed": run.failed,
                "imported": sum(m.imported for m in summary.months),
                "requests": len(summary.months) + 1,
                "wrote_nothing": {k: v for k, v in before.items() if k != "source_state"}
                == {k: v for k, v in after.items() if k != "source_state"}
                and before["source_state"] == after["source_state"],
                "records": after["records"],
            }
        )
    )


def child_report(repeat: int) -> None:
    django_setup()
    import psycopg
    from django.conf import settings
    from django.core.cache import cache

    from scrutiny.disproportionality import national
    from scrutiny.records import versions

    forces = national.national_forces()
    query = national.latest_period(forces)
    assert query is not None
    pks = [f.pk for f in forces]

    db = settings.DATABASES["default"]
    sql = """
        SELECT force_id, month, ethnic_group, vehicle_only, count(*),
               count(*) FILTER (WHERE outcome_linked_to_object IS NOT NULL),
               count(*) FILTER (WHERE outcome_linked_to_object),
               count(*) FILTER (WHERE outcome = 'arrest')
        FROM scrutiny_encounterrecord
        WHERE kind = 'stop_search' AND withdrawn_at IS NULL AND force_id = ANY(%s) AND month BETWEEN %s AND %s
        GROUP BY force_id, month, ethnic_group, vehicle_only
    """
    with psycopg.connect(
        host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"], dbname=db["NAME"], autocommit=True
    ) as conn:

        def by_sql() -> list[tuple[Any, ...]]:
            return conn.execute(sql, [pks, query.from_month, query.to_month]).fetchall()

        by_sql()  # warm: the first read of the period pulls it into memory, for both routes alike
        # The baseline is the faster of the plain GROUP BY with the server's settings and the same with just-in-time
        # compilation off (which PostgreSQL turns on for a query this size, and which costs more than it saves here):
        # a baseline slowed by a setting would flatter the report.
        sql_times: dict[str, list[float]] = {"jit on": [], "jit off": []}
        for setting in ("on", "off"):
            conn.execute(f"SET jit = {setting}")
            for _ in range(repeat):
                t = time.perf_counter()
                rows = by_sql()
                sql_times[f"jit {setting}"].append(time.perf_counter() - t)

    cold_times = []
    report: dict[str, Any] = {}
    for _ in range(repeat):
        versions.records_changed(*pks)  # every force's data version changes: nothing cached applies
        cache.clear()
        t = time.perf_counter()
        report = national.national_report(query, forces=forces)
        cold_times.append(time.perf_counter() - t)
    cached_times = []
    for _ in range(20):
        t = time.perf_counter()
        national.national_report(query, forces=forces)
        cached_times.append(time.perf_counter() - t)
    by_force: dict[int, int] = {}
    for r in rows:
        if not r[3]:  # searches, vehicle-only ones left out
            by_force[int(r[0])] = by_force.get(int(r[0]), 0) + int(r[4])
    pk_of = {f.police_uk_id: f.pk for f in forces}
    reported = {
        pk_of[row["force"]]: int(row["total"]) for row in [*report["forces"], *report["other_forces"]] if row["total"]
    }
    print(
        json.dumps(
            {
                "period": [month_text(query.from_month), month_text(query.to_month)],
                "rows": sum(int(r[4]) for r in rows),
                "sql": min(statistics.median(times) for times in sql_times.values()),
                "sql_by_setting": {k: statistics.median(v) for k, v in sql_times.items()},
                "cold": statistics.median(cold_times),
                "cached": statistics.median(cached_times),
                "same_counts": reported == by_force,
                "searches": sum(by_force.values()),
                "label": report["england_and_wales"]["label"],
                "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            },
            default=str,
        )
    )


# --- PostgreSQL baselines ----------------------------------------------------------------------------------------


def analyze(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE scrutiny_encounterrecord")
        conn.execute("CHECKPOINT")


def wait_for_port(port: int) -> None:
    import socket

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listening on 127.0.0.1:{port}")


def rate_limit_floor(requests: int) -> float:
    """The least time `requests` requests take under data.police.uk's limit (a bucket of BURST, RATE a second)."""
    return max(0.0, (requests - BURST) / RATE)


# --- the page under load ----------------------------------------------------------------------------------------


def page_under_load(url: str, clients: int, seconds: float) -> dict[str, dict[str, float]]:
    env = production_env(url)
    made = collect_static(env)
    port = free_port()
    server = start_server(env, port)
    try:
        asyncio.run(hammer(port, "/public/national/", 1, 2.0))  # warm: the report computed once and cached
        results = {}
        for label, path in (("trivial view /healthz/", "/healthz/"), ("public national page", "/public/national/")):
            tally, elapsed = asyncio.run(hammer(port, path, clients, seconds))
            results[label] = {**tally.summary(elapsed), "errors": float(sum(tally.errors.values()))}
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)
        if made:
            import shutil

            shutil.rmtree(ROOT / "staticfiles", ignore_errors=True)


# --- main ------------------------------------------------------------------------------------------------------------


def mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "setup":
        migrate()
        return
    if args.child == "load":
        child_load(args.args)
        return
    if args.child == "held":
        child_mark_held(*args.args)
        return
    if args.child == "sync":
        child_sync(*args.args)
        return
    if args.child == "report":
        child_report(int(args.args[0]))
        return

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server")
    url = recreate_database(url, BENCH_DB)
    env = dict(os.environ, DATABASE_URL=url, DEBUG="true")
    os.environ["DATABASE_URL"] = url
    django_setup()  # settings only (the Census file, the recordings' format): the children do the database work
    with tempfile.TemporaryDirectory(prefix="scrutiny-national-") as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        data = build(tmp, args.records, args.months, args.seed)
        files = list(data["files"])
        replay = Path(str(data["replay"]))
        print(
            f"data: {data['loaded']:,} records over {len(files)} forces, {data['first']:%b %Y} to {LAST_MONTH:%b %Y}, "
            f"and {data['new_rows']:,} for {data['new_month']:%b %Y} (built in {time.perf_counter() - started:.0f} s)"
        )
        run_child(__file__, "setup", env)

        # 1. initial load
        copy_seconds = time_copy(url, files)
        loaded = run_child(__file__, "load", env, *files)
        print(
            f"initial load: {loaded['seconds']:.0f} s for {loaded['imported']:,} records "
            f"({loaded['rejected']:,} rejected) = {float(loaded['seconds']) / copy_seconds:.2f} x a plain COPY of the "
            f"same files ({copy_seconds:.0f} s); importrecords peak RSS {loaded['peak_mb']:.0f} MB"
        )
        analyze(url)
        write_availability(replay, data["availability_before"])
        held = run_child(
            __file__, "held", env, str(replay / "crimes-street-dates.json"), month_text(month_add(LAST_MONTH, -RECENT))
        )
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "replaypoliceuk", "--dir", str(replay), "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        api = f"http://127.0.0.1:{port}/api"
        try:
            wait_for_port(port)
            first_sync = run_child(__file__, "sync", env, api)
            print(
                f"first sync after the bulk load ({held['held']:,} force-months marked held; the newest {RECENT} "
                f"re-fetched, all duplicates): {first_sync['seconds']:.1f} s, fetched {first_sync['fetched']}, "
                f"imported {first_sync['imported']}, failed {first_sync['failed']}"
            )

            # 2. a monthly sync
            write_availability(replay, data["availability_after"])
            new_csv = [str(tmp / "new-month.csv")]
            monthly = run_child(__file__, "sync", env, api)
            month_copy = time_copy(url, new_csv)
            floor = rate_limit_floor(int(monthly["requests"]))
            print(
                f"monthly sync, {data['new_month']:%b %Y} for every force: {monthly['seconds']:.1f} s end to end, "
                f"{monthly['imported']:,} records imported, {monthly['fetched']} force-months fetched, "
                f"{monthly['failed']} failed; data.police.uk's rate limit alone needs {floor:.1f} s for its "
                f"{monthly['requests']} requests; a plain COPY of the new rows {month_copy:.2f} s"
            )

            # 3. nothing new
            again = run_child(__file__, "sync", env, api)
            print(
                f"second sync, nothing new: {again['seconds']:.1f} s (target < {TARGET_SYNC_SECONDS:.0f} s: "
                f"{mark(float(again['seconds']) < TARGET_SYNC_SECONDS)}); wrote nothing: "
                f"{mark(bool(again['wrote_nothing']))}; imported {again['imported']}, fetched {again['fetched']}"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        analyze(url)

        # 4. the national report
        report = run_child(__file__, "report", env, "5")
        ratio = float(report["cold"]) / float(report["sql"])
        cold = float(report["cold"])
        cached_ms = float(report["cached"]) * 1000
        print(
            f"national report, {report['period'][0]} to {report['period'][1]} "
            f"({report['rows']:,} records): hand-written SQL GROUP BY {report['sql'] * 1000:.0f} ms "
            f"(jit on {report['sql_by_setting']['jit on'] * 1000:.0f} ms, "
            f"off {report['sql_by_setting']['jit off'] * 1000:.0f} ms); "
            f"report cold {cold * 1000:.0f} ms = {ratio:.2f} x the SQL (target <= {TARGET_COLD_RATIO}: "
            f"{mark(ratio <= TARGET_COLD_RATIO)}; under {TARGET_COLD_SECONDS:.0f} s: "
            f"{mark(cold < TARGET_COLD_SECONDS)}); "
            f"cached {cached_ms:.1f} ms ({report['cache']}; target <= {TARGET_CACHED_MS:.0f} ms: "
            f"{mark(cached_ms <= TARGET_CACHED_MS)})"
        )
        print(
            f"  every force's searches in the report equal the SQL's: {mark(bool(report['same_counts']))} "
            f"({report['searches']:,} searches, vehicle-only left out); England and Wales: {report['label']}"
        )

        # 5. the page under load
        for label, figures in page_under_load(url, args.clients, args.seconds).items():
            print(
                f"{label}, {args.clients} clients: {figures['rps']:.0f} requests/s, p95 {figures['p95_ms']:.0f} ms, "
                f"median {figures['median_ms']:.0f} ms, errors {figures['errors']:.0f}"
            )


if __name__ == "__main__":
    main()
