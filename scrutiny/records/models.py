"""Encounter records (stop and search, use of force), the import batches they came in, rows that could not be
imported.

Every text field holding a controlled vocabulary stores a code from `choices.py`; "" means not recorded.
Nothing here holds a name, an address, a date of birth, an officer's identifier or a force's reference:
officers appear only as keyed pseudonyms and grounds text only after masking (docs/import.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, JSONField, Q, Value
from django.utils import timezone

from common.months import financial_year
from panels.models import Organisation
from scrutiny import choices


class ImportBatch(models.Model):
    """One file (or one API fetch) imported for one force, and what became of every row in it.

    Once finished, read = imported + duplicates + rejected (a database constraint). Correcting a rejected row
    later moves it from rejected to imported (or duplicates), so the sum still holds.
    """

    force = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="import_batches",
        limit_choices_to={"kind": Organisation.Kind.FORCE},
    )
    source_format = models.CharField(max_length=20, choices=choices.SourceFormat.choices)
    file_name = models.CharField(max_length=255, help_text="The uploaded file's name, or the URL fetched.")
    file_sha256 = models.CharField("SHA-256 of the file", max_length=64, blank=True)
    # An upload waiting for the background worker. Deleted once processed: a force extract holds officers'
    # identifiers and unmasked grounds, which must not outlive the import.
    source_file = models.FileField(upload_to="scrutiny/imports/", blank=True)
    declared_month = models.DateField(
        null=True, blank=True, help_text="The month the source says it covers (file name or --fetch), if any."
    )
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_batches"
    )
    status = models.CharField(max_length=10, choices=choices.BatchStatus.choices, default=choices.BatchStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(null=True, blank=True, help_text="Rows expected, for progress.")
    rows_done = models.PositiveIntegerField(default=0)
    read_count = models.PositiveIntegerField("read", default=0)
    imported_count = models.PositiveIntegerField("imported", default=0)
    duplicate_count = models.PositiveIntegerField("duplicates", default=0)
    rejected_count = models.PositiveIntegerField("rejected", default=0)
    skipped_lines = models.PositiveIntegerField(
        default=0, help_text="Blank lines and repeated header rows: not records, so not counted as read."
    )
    error = models.TextField(blank=True)
    # What the importer saw and put right without changing any search (a re-saved file's row-index column,
    # coordinates written as floating point, another encoding or delimiter...), one sentence each (docs/import.md).
    notes = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "import batches"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=choices.BatchStatus.FINISHED)
                | Q(read_count=F("imported_count") + F("duplicate_count") + F("rejected_count")),
                name="batch_counts_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.force}, {self.get_status_display()})"

    @property
    def counts(self) -> dict[str, int]:
        return {
            "read": self.read_count,
            "imported": self.imported_count,
            "duplicates": self.duplicate_count,
            "rejected": self.rejected_count,
        }

    @property
    def is_done(self) -> bool:
        return self.status in (choices.BatchStatus.FINISHED, choices.BatchStatus.FAILED)


class EncounterRecordQuerySet(models.QuerySet["EncounterRecord"]):
    def current(self) -> EncounterRecordQuerySet:
        """Records still published by their source: what statistics count and samples draw from."""
        return self.filter(withdrawn_at__isnull=True)


class EncounterRecord(models.Model):
    kind = models.CharField(max_length=20, choices=choices.Kind.choices)
    # The three foreign keys of this table have no database constraint (db_constraint=False). A PostgreSQL
    # foreign key fires a trigger for every inserted row, which on a 1M-row import cost more than the whole COPY
    # (bench/README.md). Integrity is kept by the application instead: only the importer writes force and batch,
    # with ids it has just checked in the same transaction; records are never deleted or moved; and deleting a
    # force or a batch that has records is refused by on_delete=PROTECT.
    force = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="encounter_records",
        limit_choices_to={"kind": Organisation.Kind.FORCE},
        db_index=False,  # every index below starts with force
        db_constraint=False,
    )
    # Not indexed: records are read by force and period, not by batch, and every index costs each import.
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="records", db_index=False, db_constraint=False
    )
    # 16 bytes that identify the normalised content (scrutiny/importing/fingerprints.py): the time in seconds since
    # 1970 (4 bytes, big-endian, so a file's rows in time order fill the index from left to right), then 12 bytes of
    # the content's SHA-256, the last four replaced by the occurrence of that same content earlier in the batch
    # (1, 2, ...) for repeats. So two identical searches in one file are both kept, and importing the file (or an
    # overlapping one, or a re-saved copy of it) again adds nothing.
    fingerprint = models.BinaryField(max_length=16, editable=False)

    occurred_at = models.DateTimeField()
    month = models.DateField(help_text="First day of the month the record belongs to (Europe/London).")
    # Set when data.police.uk re-published the record's month without it (scrutiny/sync/). A withdrawn record is
    # kept, so review sessions that sampled it still show it (with a note), but statistics and new samples leave it
    # out from then on; it comes back (withdrawn_at cleared) if the source publishes it again.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    # --- data.police.uk fields -------------------------------------------------------------------------------
    search_type = models.CharField(max_length=20, choices=choices.SearchType.choices, blank=True)
    vehicle_only = models.BooleanField(default=False)
    part_of_policing_operation = models.BooleanField(null=True, blank=True)
    policing_operation = models.CharField(max_length=255, blank=True)
    # As published: data.police.uk snaps locations to anonymous map points.
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    gender = models.CharField(max_length=10, choices=choices.Gender.choices, blank=True)
    age_range = models.CharField(max_length=10, choices=choices.AgeRange.choices, blank=True)
    self_defined_ethnicity = models.CharField(max_length=30, choices=choices.SelfDefinedEthnicity.choices, blank=True)
    ethnic_group = models.CharField(
        "ethnic group (five groups)", max_length=12, choices=choices.EthnicGroup.choices, blank=True
    )
    officer_defined_ethnicity = models.CharField(
        max_length=10, choices=choices.OfficerDefinedEthnicity.choices, blank=True
    )
    legislation = models.CharField(max_length=40, choices=choices.Legislation.choices, blank=True)
    object_of_search = models.CharField(max_length=40, choices=choices.ObjectOfSearch.choices, blank=True)
    outcome = models.CharField(max_length=30, choices=choices.Outcome.choices, blank=True)
    anything_found = models.BooleanField(null=True, blank=True, help_text="Known only for some outcome names.")
    outcome_linked_to_object = models.BooleanField("outcome linked to object of search", null=True, blank=True)
    removal_of_more_than_outer_clothing = models.BooleanField(null=True, blank=True)

    # --- force extracts --------------------------------------------------------------------------------------
    # Database defaults, so a data.police.uk import need not send these columns at all.
    grounds_text = models.TextField("recorded grounds (masked)", blank=True, default="", db_default="")
    pii_flagged = models.BooleanField(
        "personal data found",
        default=False,
        db_default=False,
        help_text="Masked text that a coordinator must check before members see it.",
    )
    redaction_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    redaction_checked_at = models.DateTimeField(null=True, blank=True)
    body_worn_video = models.BooleanField(null=True, blank=True)
    supervisor_signed_off = models.BooleanField(null=True, blank=True)
    initiation = models.CharField(
        max_length=20, choices=choices.Initiation.choices, blank=True, default="", db_default=""
    )
    officer_pseudonym = models.CharField(max_length=64, blank=True, default="", db_default="")
    force_reference_hash = models.CharField(max_length=64, blank=True, default="", db_default="")

    # --- use of force (Home Office use-of-force form) --------------------------------------------------------
    uof_tactics = models.JSONField("tactics", default=list, db_default=Value([], JSONField()), blank=True)
    uof_impact_factors = models.JSONField("impact factors", default=list, db_default=Value([], JSONField()), blank=True)
    uof_reasons = models.JSONField("reasons", default=list, db_default=Value([], JSONField()), blank=True)
    subject_age_band = models.CharField(
        max_length=10, choices=choices.SubjectAgeBand.choices, blank=True, default="", db_default=""
    )
    subject_injured = models.BooleanField(null=True, blank=True)
    subject_injury = models.CharField(
        max_length=10, choices=choices.InjurySeverity.choices, blank=True, default="", db_default=""
    )
    officer_injured = models.BooleanField(null=True, blank=True)
    uof_outcome = models.CharField(
        "outcome", max_length=20, choices=choices.UseOfForceOutcome.choices, blank=True, default="", db_default=""
    )

    objects = EncounterRecordQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        # One index besides the primary key, serving both de-duplication and reporting: imports fetch a month's
        # fingerprints from it (an index-only range), reports range over (force, month), and a financial year is a
        # range of months. Every index costs each import, so there is no other (bench/README.md measures each
        # choice). A record's month follows from its time (and, within a day, from the month its file declares):
        # the importer also checks the neighbouring months, so the same content is never stored twice.
        constraints = [
            models.UniqueConstraint(fields=["force", "month", "fingerprint"], name="record_force_month_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.occurred_at:%d %b %Y})"

    @property
    def financial_year(self) -> str:
        return financial_year(self.month)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def has_grounds(self) -> bool:
        return bool(self.grounds_text)

    @property
    def redaction_pending(self) -> bool:
        return self.pii_flagged and self.redaction_checked_at is None

    def mark_redaction_checked(self, *, by: Any, grounds_text: str | None = None) -> None:
        if grounds_text is not None:
            self.grounds_text = grounds_text
        self.redaction_checked_by = by
        self.redaction_checked_at = timezone.now()
        self.save(update_fields=["grounds_text", "redaction_checked_by", "redaction_checked_at"])


class RejectedRow(models.Model):
    """A row that could not be imported, kept with its reasons so it can be corrected and imported later.

    `raw_values` are the cells as read, except those that must never be stored: an officer's identifier and a
    force reference are replaced by their keyed forms in `protected`, and grounds text is stored masked.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejected_rows")
    line_number = models.PositiveIntegerField()
    raw_values = models.JSONField(default=dict)
    protected = models.JSONField(default=dict, blank=True)
    reasons = models.JSONField(default=list)
    resolved = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    record = models.ForeignKey(
        EncounterRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The record the corrected row became (or duplicated).",
    )

    class Meta:
        ordering = ["batch", "line_number", "pk"]
        indexes = [models.Index(fields=["batch", "resolved"], name="rejected_batch_resolved")]

    def __str__(self) -> str:
        return f"Line {self.line_number} of {self.batch.file_name}"
