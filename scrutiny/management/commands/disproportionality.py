"""Search rates by ethnic group, rate ratios against White, find and arrest rates, for forces over whole months.

python manage.py disproportionality --force FORCE_ID [--force ...] --from YYYY-MM --to YYYY-MM
                                    [--ethnicity self|officer] [--json] [--public]

--json prints the same JSON as GET /api/v1/reports/disproportionality; without it, a table. --public suppresses
small numbers as public pages do. Definitions and methods: docs/disproportionality.md.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scrutiny.disproportionality import report as reporting
from scrutiny.stats import GROUPS


def _number(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def _interval(value: list[float] | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value[0]:.{digits}f} to {value[1]:.{digits}f}"


class Command(BaseCommand):
    help = "Disproportionality in stop and search: rates per 1,000 by ethnic group and ratios against White."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="append",
            default=[],
            metavar="FORCE_ID",
            help="A force's data.police.uk id, e.g. cheshire; repeat for several forces.",
        )
        parser.add_argument("--from", dest="from_month", required=True, metavar="YYYY-MM", help="First month.")
        parser.add_argument("--to", dest="to_month", required=True, metavar="YYYY-MM", help="Last month (included).")
        parser.add_argument(
            "--ethnicity",
            default="self",
            help="self (self-defined, as the Home Office publishes; the default) or officer (officer-defined).",
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON (as the API returns it).")
        parser.add_argument("--public", action="store_true", help="Suppress counts under 10, as public pages do.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            query = reporting.report_query(
                options["force"], options["from_month"], options["to_month"], options["ethnicity"]
            )
        except reporting.ReportQueryError as exc:
            lines = [f"--{key}: {message}" for key, messages in exc.errors.items() for message in messages]
            raise CommandError("\n".join(lines)) from None
        if options["public"]:
            report = reporting.public_disproportionality_report(query=query)
        else:
            report = reporting.disproportionality_report(query=query)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self._table(report)

    def _table(self, report: dict[str, Any]) -> None:
        view = "self-defined" if report["ethnicity"] == "self" else "officer-defined"
        self.stdout.write(
            f"{', '.join(report['forces'])}, {report['from']} to {report['to']} ({view} ethnicity)\n"
            f"Searches: {_number(report['total'])} (ethnicity not stated: {_number(report['not_stated'])}); "
            f"vehicle-only searches left out: {_number(report['vehicle_only_excluded'])}\n"
        )
        head = f"{'Group':<7} {'Searches':>9} {'Population':>11} {'Per 1,000':>9} {'Ratio':>6}  {'95% interval':<15}"
        self.stdout.write(head + f" {'Find rate':>9} {'Arrest rate':>11}")
        for name in GROUPS:
            g = report["groups"][name]
            find = "-" if g["find_rate"] is None else f"{g['find_rate']:.1%}"
            arrest = "-" if g["arrest_rate"] is None else f"{g['arrest_rate']:.1%}"
            flag = "  unstable (fewer than 20 searches)" if g["unstable"] else ""
            self.stdout.write(
                f"{name:<7} {_number(g['searches']):>9} {_number(g['population']):>11} "
                f"{_number(g['rate_per_1000']):>9} {_number(g['rate_ratio_vs_white'], 2):>6}  "
                f"{_interval(g['rate_ratio_ci95']):<15} {find:>9} {arrest:>11}{flag}"
            )
