"""Import encounter records from files (or data.police.uk's API) for one force.

    python manage.py importrecords FILE [FILE ...] --force FORCE_ID
        [--format police-uk-csv|police-uk-json|force-extract|use-of-force] [--sheet NAME] [--fetch YYYY-MM] [--json]

A FILE may be CSV (or tab- or semicolon-delimited text), JSON, or an Excel workbook (.xlsx: its first sheet, or
--sheet NAME).

Each file is one batch, imported all or nothing. The exit status is 0 when every file was processed (rows may
still have been rejected: they are kept on the batch) and 1 when any could not be, with a one-line reason per
file on stderr. docs/import.md describes the formats and what happens to every row.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scrutiny.choices import SourceFormat
from scrutiny.records.importing import ImportFailed, parse_file_name, parse_month
from scrutiny.records.importing.fetch import fetch_stops_force
from scrutiny.records.importing.sniff import count_rows
from scrutiny.records.imports import batch_import
from scrutiny.records.services import force_for_police_uk_id


class _Bar:
    """A tqdm progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, name: str, total: int | None, enabled: bool) -> None:
        self._bar: Any = None
        self._done = 0
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=name[-40:], unit=" rows", unit_scale=True, file=sys.stderr, leave=True)

    def __call__(self, rows_done: int, bytes_read: int) -> None:
        if self._bar is not None:
            self._bar.update(rows_done - self._done)
            self._done = rows_done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class Command(BaseCommand):
    help = "Import stop-and-search or use-of-force records for one force from files or data.police.uk's API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", metavar="FILE", help="Files to import, each as its own batch.")
        parser.add_argument(
            "--force",
            dest="force_id",
            metavar="FORCE_ID",
            help="The force's data.police.uk id (e.g. metropolitan). Taken from data.police.uk file names if omitted.",
        )
        parser.add_argument(
            "--format",
            dest="source_format",
            choices=SourceFormat.values,
            help="The files' format. Detected from each file's content if omitted.",
        )
        parser.add_argument(
            "--sheet",
            metavar="NAME",
            help="For Excel workbooks (.xlsx): the sheet to import. The first sheet if omitted.",
        )
        parser.add_argument(
            "--fetch",
            metavar="YYYY-MM",
            help="Fetch that month's stop and search for --force from data.police.uk's API and import it.",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON object per file on stdout (and no other output)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[str] = options["files"]
        if not files and not options["fetch"]:
            raise CommandError("give at least one FILE, or --fetch YYYY-MM with --force")
        as_json: bool = options["json"]
        show_progress = not as_json and not options["no_progress"] and sys.stderr.isatty()
        failures = 0

        jobs: list[tuple[str, Any]] = [(name, None) for name in files]
        if options["fetch"]:
            jobs.append((f"fetch:{options['fetch']}", options["fetch"]))

        for name, fetch_month in jobs:
            try:
                outcome = self._one(name, fetch_month, options, show_progress)
            except ImportFailed as error:
                failures += 1
                self.stderr.write(f"{name}: {error}")
                continue
            if as_json:
                self.stdout.write(json.dumps(outcome))
            else:
                self.stdout.write(
                    f"{outcome['file']}: batch {outcome['batch']}, read {outcome['read']}, "
                    f"imported {outcome['imported']}, duplicates {outcome['duplicates']}, "
                    f"rejected {outcome['rejected']}"
                )
        if failures:
            sys.exit(1)

    def _one(self, name: str, fetch_month: str | None, options: dict[str, Any], show_progress: bool) -> dict[str, Any]:
        source_format: str | None = options["source_format"]
        force_id: str | None = options["force_id"]
        if fetch_month is not None:
            if not force_id:
                raise ImportFailed("--fetch needs --force")
            month = parse_month(fetch_month)
            force = force_for_police_uk_id(force_id)
            with tempfile.TemporaryFile() as fetched:
                url = fetch_stops_force(force=force_id, month=month, into=fetched)
                fetched.seek(0)
                _, result = batch_import(
                    source=fetched,
                    file_name=url,
                    force=force,
                    source_format=SourceFormat.POLICE_UK_JSON,
                    declared_month=month,
                )
            return result.as_json(url)

        path = Path(name)
        info = parse_file_name(path.name)
        if not force_id:
            if info is None:
                raise ImportFailed(
                    "no --force given and the file name is not a data.police.uk name "
                    "(YYYY-MM-<force>-stop-and-search.csv) to take it from"
                )
            force_id = info.force
        elif info is not None and info.force != force_id:
            raise ImportFailed(f'the file is named for force "{info.force}" but --force is "{force_id}"')
        force = force_for_police_uk_id(force_id)
        try:
            fh: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            raise ImportFailed(f"unreadable: {error.strerror or error}") from None
        with fh:
            if not path.is_file():
                raise ImportFailed("unreadable: not a file")
            total = count_rows(fh) if show_progress else None
            bar = _Bar(path.name, total, show_progress)
            try:
                _, result = batch_import(
                    source=fh,
                    file_name=path.name,
                    force=force,
                    source_format=source_format,
                    declared_month=info.month if info else None,
                    progress=bar,
                    sheet=options["sheet"],
                )
            except OSError as error:
                raise ImportFailed(f"unreadable: {error.strerror or error}") from None
            finally:
                bar.close()
        return result.as_json(os.fspath(name))
