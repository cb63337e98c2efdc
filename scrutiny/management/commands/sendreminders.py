"""Remind about overdue escalations: a timeline entry, an email and an in-app notification, at most once a day.

python manage.py sendreminders [--today YYYY-MM-DD] [--base-url https://scrutiny.example.org]

Run it daily (cron or a scheduler). Running it twice on one day sends nothing the second time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scrutiny.escalations.services import escalations_remind


class Command(BaseCommand):
    help = "Send reminders about escalations past their due date and still waiting on the force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="The day to count from (YYYY-MM-DD); default today, Europe/London.")
        parser.add_argument(
            "--base-url",
            default=None,
            help="The site's address, for the links in the emails (default: the SITE_URL setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today: {options['today']!r} is not a date like 2026-01-31") from exc
        base_url = settings.SITE_URL if options["base_url"] is None else options["base_url"]
        sent = escalations_remind(today=today, base_url=base_url)
        for r in sent:
            self.stdout.write(
                f"Overdue: escalation {r.escalation.pk} to {r.escalation.force.name} "
                f"({r.days_overdue} working days late), reminded {len(r.recipients)} people by email"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(sent)} overdue escalation(s) reminded."))
