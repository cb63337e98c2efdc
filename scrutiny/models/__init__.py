"""The scrutiny app's tables: encounter records and their imports, review sessions, findings, escalations, audit."""

from scrutiny.models.audit import AppendOnlyError, AuditEvent, AuditEventQuerySet
from scrutiny.models.escalations import (
    ActionTaken,
    Escalation,
    EscalationEvent,
    EscalationOutcome,
    EscalationStatus,
)
from scrutiny.models.records import EncounterRecord, ImportBatch, RejectedRow
from scrutiny.models.reviews import (
    Assessment,
    BodyWornVideo,
    ChecklistAnswer,
    Finding,
    GroundsRating,
    ReviewSession,
    SessionPresence,
    SessionRecord,
)
from scrutiny.models.sync import SourceMonth, SourceMonthStatus, SyncRun, SyncRunStatus

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
