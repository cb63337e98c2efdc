"""Serve recorded data.police.uk API responses on 127.0.0.1, so that a sync (or anything else) can run offline.

    python manage.py replaypoliceuk [--dir data/police-uk-api] [--port 8765] [--fault FORCE[/YYYY-MM]=FAULT[xN]] ...

Then point the sync at it: `POLICE_UK_API_URL=http://127.0.0.1:8765/api python manage.py syncrecords`. The first
line printed is the API's base URL. Faults (scrutiny/sync/replay.py): 429:<seconds>, a status such as 503,
slow:<seconds>, truncated, cut or empty; FORCE "*" for any stops-force request, "crimes-street-dates" for the
availability list; `x3` plays it three times. Runs until stopped (Ctrl-C).
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.months import MONTH
from scrutiny.sync.replay import ReplayServer

_FAULT_OPTION = re.compile(
    rf"(?P<force>[a-z0-9*-]+)(?:/(?P<month>{MONTH.pattern}))?=(?P<fault>[^x]+)(?:x(?P<times>\d+))?"
)


class Command(BaseCommand):
    help = "Serve recorded data.police.uk API responses (and faults) on 127.0.0.1 for offline syncs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            default=str(Path(settings.BASE_DIR) / "data" / "police-uk-api"),
            help="The recordings (default: data/police-uk-api).",
        )
        parser.add_argument("--port", type=int, default=8765, help="The port (0: any free one). Default 8765.")
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            metavar="FORCE[/YYYY-MM]=FAULT[xN]",
            help="Play a fault, e.g. kent/2025-06=503x2 or *=429:5 or crimes-street-dates=slow:90.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"])
        if not (directory / "crimes-street-dates.json").is_file():
            raise CommandError(f"{directory} holds no recorded crimes-street-dates.json")
        try:
            server = ReplayServer(directory, port=options["port"])
        except OSError as error:
            raise CommandError(f"cannot listen on 127.0.0.1:{options['port']}: {error.strerror or error}") from None
        for spec in options["fault"]:
            match = _FAULT_OPTION.fullmatch(spec)
            if match is None:
                server.stop()
                raise CommandError(f'--fault "{spec}": write it FORCE[/YYYY-MM]=FAULT[xN], e.g. kent/2025-06=503x2')
            try:
                server.add_fault(match["force"], match["month"], match["fault"], int(match["times"] or 1))
            except ValueError as error:
                server.stop()
                raise CommandError(str(error)) from None
        self.stdout.write(server.url)
        self.stdout.write(f"Replaying {directory} (Ctrl-C to stop).")
        self.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it is meant to stop
            server.serve_forever()
