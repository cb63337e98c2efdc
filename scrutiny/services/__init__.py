"""Writes that touch several rows or have side effects, by area: records (import, correction, redaction),
reviews (sessions, samples, assessments, the live meeting, findings) and escalations."""

from scrutiny.services.records import (
    BatchProgress,
    CorrectionOutcome,
    audit_log,
    batch_create_from_upload,
    batch_enqueue,
    batch_group,
    batch_import,
    batch_run,
    check_header,
    file_sha256,
    force_for_police_uk_id,
    record_redaction_check,
    record_viewed,
    rejected_row_correct,
    rejected_rows_csv,
)

__all__ = [
    "BatchProgress",
    "CorrectionOutcome",
    "audit_log",
    "batch_create_from_upload",
    "batch_enqueue",
    "batch_group",
    "batch_import",
    "batch_run",
    "check_header",
    "file_sha256",
    "force_for_police_uk_id",
    "record_redaction_check",
    "record_viewed",
    "rejected_row_correct",
    "rejected_rows_csv",
]
