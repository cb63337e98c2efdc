"""Sync stop and search from data.police.uk: every force, every month it publishes, kept equal to the source.

    python manage.py syncrecords [--force ID ...] [--enqueue] [--every SECONDS [--runs N]] [--json]
        [--replay DIR]

Runs one sync now (docs/sync.md): reads the availability list, fetches each published force-month not held yet and
the newest months again, and brings in what changed. `--enqueue` queues it as a background task instead (the
db_worker runs it). `--every` repeats it, a simple scheduler for a machine without a timer. `--replay DIR` serves the
recorded responses in DIR (data/police-uk-api) on 127.0.0.1 for the run, instead of data.police.uk: the demo's way.

Exit status: 0 when the run finished with nothing failed; 1 when the run failed or a force-month failed (it is
retried on the next run); 2 for a wrong option (an unknown force id, say).
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scrutiny.sync.models import SyncRunStatus
from scrutiny.sync.replay import ReplayServer
from scrutiny.sync.services import CHANGED, FAILED, SyncRefused, SyncSummary, sync_forces, sync_run


class Command(BaseCommand):
    help = "Sync stop and search for every force (or those named) from data.police.uk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            dest="force_ids",
            action="append",
            metavar="ID",
            help="Only this force (its data.police.uk id, e.g. cheshire); repeat for several.",
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the sync as a background task instead of running it here."
        )
        parser.add_argument(
            "--every", type=float, metavar="SECONDS", help="Run again every SECONDS (until stopped, or --runs)."
        )
        parser.add_argument("--runs", type=int, metavar="N", help="With --every: stop after N runs.")
        parser.add_argument("--json", action="store_true", help="Print each run's summary as one JSON object.")
        parser.add_argument(
            "--replay",
            metavar="DIR",
            help="Serve the recorded responses in DIR (e.g. data/police-uk-api) on 127.0.0.1 and sync from them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        force_ids: list[str] | None = options["force_ids"]
        every: float | None = options["every"]
        runs: int | None = options["runs"]
        if every is not None and every <= 0:
            raise CommandError("--every must be a number of seconds above 0", returncode=2)
        if runs is not None and (every is None or runs < 1):
            raise CommandError("--runs needs --every, and at least 1", returncode=2)
        if options["enqueue"] and (every is not None or options["replay"]):
            raise CommandError("--enqueue queues one run: it cannot be used with --every or --replay", returncode=2)
        try:
            sync_forces(force_ids)
        except SyncRefused as error:
            raise CommandError(str(error), returncode=2) from None

        if options["enqueue"]:
            self._enqueue(force_ids, options["json"])
            return

        with ExitStack() as stack:
            base_url = None
            if options["replay"]:
                directory = Path(options["replay"])
                if not (directory / "crimes-street-dates.json").is_file():
                    raise CommandError(f"{directory} holds no recorded crimes-street-dates.json")
                base_url = stack.enter_context(ReplayServer(directory)).url
            ok = True
            done = 0
            while True:
                summary = sync_run(force_ids=force_ids, base_url=base_url)
                ok = self._report(summary, options["json"])
                done += 1
                if every is None or (runs is not None and done >= runs):
                    break
                time.sleep(every)
        if not ok:
            sys.exit(1)

    def _enqueue(self, force_ids: list[str] | None, as_json: bool) -> None:
        from scrutiny.sync.tasks import sync_records

        result = sync_records.enqueue(force_ids=force_ids)
        if as_json:
            self.stdout.write(json.dumps({"task": str(result.id), "status": str(result.status)}))
        else:
            self.stdout.write(f"Sync queued as task {result.id} ({result.status}).")

    def _report(self, summary: SyncSummary, as_json: bool) -> bool:
        run = summary.run
        failed = run.status == SyncRunStatus.FAILED or run.failed > 0
        if as_json:
            self.stdout.write(json.dumps(summary.as_json()))
            return not failed
        if run.status == SyncRunStatus.FAILED:
            self.stderr.write(f"Sync {run.pk} failed: {run.error}")
            return False
        latest = f", newest month {run.latest_month:%Y-%m}" if run.latest_month else ""
        self.stdout.write(
            f"Sync {run.pk}: {run.fetched} force-months fetched, {run.changed} changed, {run.failed} failed{latest}."
        )
        for month in summary.months:
            if month.outcome == CHANGED:
                self.stdout.write(
                    f"  {month.force} {month.month:%Y-%m}: {month.rows} rows, {month.imported} imported, "
                    f"{month.withdrawn} withdrawn, {month.reinstated} reinstated, {month.rejected} rejected"
                )
            elif month.outcome == FAILED:
                self.stderr.write(f"  {month.force} {month.month:%Y-%m}: failed, retried next run: {month.error}")
        if summary.unknown_forces:
            self.stderr.write(
                f"  The availability list names forces that are not ours: {', '.join(summary.unknown_forces)}"
            )
        return not failed
