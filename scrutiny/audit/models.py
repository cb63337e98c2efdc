"""The append-only audit log: who viewed a record, who changed what, and when (DESIGN.md §3)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from panels.models import Panel


class AppendOnlyError(Exception):
    """The audit log is append-only: events are never changed or removed through the application."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """Who did what to which object, and when. Append-only."""

    class Action(models.TextChoices):
        RECORD_VIEWED = "record.viewed", "Viewed a record with grounds text"
        REDACTION_CHECKED = "record.redaction_checked", "Checked a record's redaction"
        BATCH_CREATED = "batch.created", "Started an import"
        BATCH_FINISHED = "batch.finished", "Finished an import"
        BATCH_FAILED = "batch.failed", "An import failed"
        REJECTED_ROW_CORRECTED = "rejected_row.corrected", "Corrected and re-imported a rejected row"
        REJECTED_ROWS_EXPORTED = "rejected_rows.exported", "Downloaded rejected rows"
        SESSION_CREATED = "session.created", "Created a review session and drew its sample"
        SESSION_RECORD_ADDED = "session.record_added", "Added a record to a session by hand"
        SESSION_CLOSED = "session.closed", "Closed a review session"
        SCORE_SAVED = "assessment.saved", "Saved a draft score"
        SCORE_SUBMITTED = "assessment.submitted", "Submitted a score"
        REVEALED = "session_record.revealed", "Revealed the panel's scores for a record"
        AGREED = "session_record.agreed", "Recorded the panel's agreed view"
        FINDING_CREATED = "finding.created", "Wrote a finding"
        FINDING_UPDATED = "finding.updated", "Changed a finding"
        FINDING_PUBLISHED = "finding.published", "Published a finding"
        MINUTES_PUBLISHED = "session.minutes_published", "Published a session's minutes"
        ESCALATION_STEP = "escalation.step", "Took an escalation step"
        EXPORTED = "export", "Exported a report"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as written at the time, so the event still says who even if the account is later removed.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    # The panel whose coordinators may read the event (none for an import, which belongs to a force).
    panel = models.ForeignKey(Panel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action} {self.object_type}:{self.object_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")
