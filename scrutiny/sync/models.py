"""What data.police.uk publishes, force by force and month by month, and what this platform holds of it.

`SourceMonth` is one force's month as data.police.uk's availability list and its stop-and-search data say it is;
`SyncRun` is one run of the sync (scrutiny/sync/, `manage.py syncrecords`). The coverage page and the national
figures read both: months held, gaps in the source, months revised or withdrawn, failures with their reason.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from panels.models import Organisation
from scrutiny.records.models import ImportBatch


class SourceMonthStatus(models.TextChoices):
    PENDING = "pending", "Published, not fetched yet"
    HELD = "held", "Held"
    FAILED = "failed", "Failed: retried next run"
    NOT_PUBLISHED = "not_published", "Not published by data.police.uk"


class SourceMonth(models.Model):
    """One force's month of stop and search on data.police.uk.

    `published` says whether the availability list names the force for the month. A month the list covers but does
    not name the force for is a gap in the source (NOT_PUBLISHED). `content_sha256` is the SHA-256 of the JSON last
    fetched: a re-fetch with the same hash writes nothing.
    """

    force = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="source_months",
        limit_choices_to={"kind": Organisation.Kind.FORCE},
    )
    month = models.DateField(help_text="First day of the month.")
    published = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=SourceMonthStatus.choices, default=SourceMonthStatus.PENDING)
    source_rows = models.PositiveIntegerField(null=True, blank=True, help_text="Records in the source when fetched.")
    content_sha256 = models.CharField(max_length=64, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True, help_text="Last successful fetch.")
    changed_at = models.DateTimeField(null=True, blank=True, help_text="Last fetch whose content had changed.")
    revisions = models.PositiveIntegerField(
        default=0, help_text="Times data.police.uk re-published the month with different content after it was held."
    )
    withdrawn = models.PositiveIntegerField(
        default=0, help_text="Records withdrawn when the month was last revised (no longer in the source)."
    )
    failures = models.PositiveIntegerField(default=0, help_text="Failed fetches or imports in a row.")
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Last import."
    )

    class Meta:
        ordering = ["force", "month"]
        constraints = [models.UniqueConstraint(fields=["force", "month"], name="source_month_unique")]
        indexes = [models.Index(fields=["month", "status"], name="source_month_month_status")]

    def __str__(self) -> str:
        return f"{self.force} {self.month:%Y-%m} ({self.get_status_display()})"


class SyncRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class SyncRun(models.Model):
    """One run of the sync: when, what it fetched and changed, and what failed."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=SyncRunStatus.choices, default=SyncRunStatus.RUNNING)
    latest_month = models.DateField(null=True, blank=True, help_text="The newest month the availability list had.")
    forces = models.JSONField(
        default=list,
        blank=True,
        help_text="The data.police.uk ids the run was limited to (--force); empty: every force.",
    )
    fetched = models.PositiveIntegerField(default=0, help_text="Force-months fetched.")
    changed = models.PositiveIntegerField(default=0, help_text="Force-months whose records changed.")
    failed = models.PositiveIntegerField(default=0, help_text="Force-months that failed (retried next run).")
    error = models.TextField(blank=True, help_text="Why the whole run failed (the availability list, say).")

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Sync {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"
