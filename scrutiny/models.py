"""The scrutiny app's tables, gathered from the sub-domains that define them (records, reviews, escalations, sync,
audit), so that Django and the migrations find every model of the app here, as they always did."""

from scrutiny.audit.models import AppendOnlyError, AuditEvent, AuditEventQuerySet
from scrutiny.escalations.models import (
    ActionTaken,
    Escalation,
    EscalationEvent,
    EscalationOutcome,
    EscalationStatus,
)
from scrutiny.records.models import EncounterRecord, ImportBatch, RejectedRow
from scrutiny.reviews.models import (
    Assessment,
    BodyWornVideo,
    ChecklistAnswer,
    Finding,
    GroundsRating,
    ReviewSession,
    SessionPresence,
    SessionRecord,
)
from scrutiny.sync.models import SourceMonth, SourceMonthStatus, SyncRun, SyncRunStatus

__all__ = [
    "ActionTaken",
    "AppendOnlyError",
    "Assessment",
    "AuditEvent",
    "AuditEventQuerySet",
    "BodyWornVideo",
    "ChecklistAnswer",
    "EncounterRecord",
    "Escalation",
    "EscalationEvent",
    "EscalationOutcome",
    "EscalationStatus",
    "Finding",
    "GroundsRating",
    "ImportBatch",
    "RejectedRow",
    "ReviewSession",
    "SessionPresence",
    "SessionRecord",
    "SourceMonth",
    "SourceMonthStatus",
    "SyncRun",
    "SyncRunStatus",
]
