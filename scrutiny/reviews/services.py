"""Review sessions: drawing the sample, blind assessment, the live meeting's steps, findings.

Every function here is one transaction. Live events go out over the channel layer only after the commit
(`transaction.on_commit`), and carry counts and spreads, never who scored what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from common.errors import DomainError
from panels.models import Panel
from scrutiny.audit.models import AuditEvent
from scrutiny.audit.services import audit_log
from scrutiny.reviews import sampling, selectors
from scrutiny.reviews.models import (
    CONCERNS,
    Assessment,
    ChecklistAnswer,
    Finding,
    GroundsRating,
    ReviewSession,
    SessionRecord,
    checklist_for,
)


class ReviewError(DomainError):
    """A step that cannot be taken; the message says why, for the person who tried (the API answers 400)."""


class FindingConflict(ReviewError):
    """Someone else changed the finding since this edit started (the API answers 409, with the finding as it is)."""

    status = 409

    def __init__(self, finding: Finding) -> None:
        who = str(finding.updated_by) if finding.updated_by else "someone"
        super().__init__(
            f"{who} changed this finding at {timezone.localtime(finding.updated_at):%H:%M} while you were editing. "
            "Your changes were not saved: read the new version below, then make your changes again."
        )
        self.finding = finding


# --- live events -----------------------------------------------------------------------------------------------


class SessionEvent(TypedDict, total=False):
    event: Literal["presence", "progress", "current", "revealed", "agreed", "closed"]
    session: int
    item: int | None
    position: int | None
    scored: int  # submitted scores on the item: a count, never whose
    scorers: int
    present: list[str]  # display names of those on the live page
    spread: dict[str, Any]  # after a reveal: counts by grounds rating and by grade
    agreed: dict[str, Any]


def session_group(session_id: int) -> str:
    return f"review.{session_id}"


def broadcast_on_commit(session_id: int, event: SessionEvent) -> None:
    """Send a live event to everyone on the session page, once the change that caused it is committed.

    The consumer re-checks each receiver's access before passing an event on (reviews/consumers.py)."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(session_group(session_id), {"type": "session.event", "payload": event})

    transaction.on_commit(send)


# --- sessions and samples --------------------------------------------------------------------------------------


@transaction.atomic
def session_create(*, panel: Panel, title: str, day: date, spec: sampling.SampleSpec, by: Any) -> ReviewSession:
    """A session with its sample drawn from the panel's forces' records. Raises ReviewError if nothing matches."""
    title = title.strip()
    if not title:
        raise ReviewError("Give the session a title.")
    candidates = selectors.sample_candidates(panel=panel, spec=spec)
    drawn = sampling.draw(candidates, spec)
    if not drawn and not spec.hand_picked:
        raise ReviewError("No records match this sample: widen the months or remove a filter.")
    session = ReviewSession.objects.create(
        panel=panel, title=title, date=day, kind=spec.kind, sample_spec=spec.as_json(), created_by=by
    )
    SessionRecord.objects.bulk_create(
        SessionRecord(session=session, record_id=record_id, position=n, stratum=stratum)
        for n, (record_id, stratum) in enumerate(drawn, start=1)
    )
    for record_id in spec.hand_picked:
        if not any(record_id == r for r, _ in drawn):
            _add(session, record_id)
    audit_log(
        by=by,
        action=AuditEvent.Action.SESSION_CREATED,
        obj=session,
        panel=panel,
        detail={"spec": spec.as_json(), "records": len(drawn)},
    )
    return session


def _add(session: ReviewSession, record_id: int) -> SessionRecord:
    record = selectors.records_for_panel(session.panel).filter(pk=record_id).first()
    if record is None:
        raise ReviewError(f"Record {record_id} is not one of this panel's force's records.")
    if record.kind != session.kind:
        raise ReviewError(f"Record {record_id} is a {record.get_kind_display().lower()} record; this session is not.")
    if record.pii_flagged and record.redaction_checked_at is None:
        raise ReviewError(f"Record {record_id} is waiting for a coordinator's redaction check; members cannot see it.")
    if record.withdrawn_at is not None:
        raise ReviewError(f"Record {record_id} was withdrawn: data.police.uk no longer publishes it.")
    if SessionRecord.objects.filter(session=session, record=record).exists():
        raise ReviewError(f"Record {record_id} is already in this session.")
    last = SessionRecord.objects.filter(session=session).aggregate(m=Max("position"))["m"] or 0
    return SessionRecord.objects.create(
        session=session, record=record, position=last + 1, stratum=sampling.HAND_PICKED, hand_picked=True
    )


@transaction.atomic
def session_add_record(*, session: ReviewSession, record_id: int, by: Any) -> SessionRecord:
    """Add a record by hand (one a member asked about); it is kept in the stored specification too."""
    _require_open(session)
    item = _add(session, record_id)
    spec = dict(session.sample_spec)
    spec["hand_picked"] = [*spec.get("hand_picked", []), record_id]
    ReviewSession.objects.filter(pk=session.pk).update(sample_spec=spec)
    session.sample_spec = spec
    audit_log(
        by=by,
        action=AuditEvent.Action.SESSION_RECORD_ADDED,
        obj=session,
        panel=session.panel,
        detail={"record": record_id},
    )
    return item


def _require_open(session: ReviewSession) -> None:
    if session.status != ReviewSession.Status.OPEN:
        raise ReviewError("This session is closed.")


@transaction.atomic
def session_close(*, session: ReviewSession, by: Any) -> ReviewSession:
    _require_open(session)
    now = timezone.now()
    ReviewSession.objects.filter(pk=session.pk).update(status=ReviewSession.Status.CLOSED, closed_at=now)
    session.status, session.closed_at = ReviewSession.Status.CLOSED, now
    audit_log(by=by, action=AuditEvent.Action.SESSION_CLOSED, obj=session, panel=session.panel)
    broadcast_on_commit(session.pk, {"event": "closed", "session": session.pk})
    return session


# --- assessments -----------------------------------------------------------------------------------------------


@dataclass
class AssessmentInput:
    grounds: str = ""
    checklist: dict[str, str] = field(default_factory=dict)
    body_worn_video: str = ""
    concerns: list[str] = field(default_factory=list)
    grade: int | None = None
    comment: str = ""


def _validate(item: SessionRecord, data: AssessmentInput, *, submit: bool) -> list[str]:
    problems = []
    if data.grounds and data.grounds not in GroundsRating.values:
        problems.append("Choose reasonable, unclear or not reasonable for the grounds.")
    elements = dict(checklist_for(item.session.kind))
    for key, answer in data.checklist.items():
        if key not in elements:
            problems.append(f"“{key}” is not on this record's checklist.")
        elif answer not in ChecklistAnswer.values:
            problems.append(f"Choose present, missing or cannot tell for “{elements[key]}”.")
    if data.body_worn_video and data.body_worn_video not in ("viewed", "not_available", "not_activated"):
        problems.append("Choose viewed, not available or not activated for body-worn video.")
    tags = dict(CONCERNS)
    problems += [f"“{c}” is not a concern on the list." for c in data.concerns if c not in tags]
    if data.grade is not None and not 1 <= data.grade <= 9:
        problems.append("The grade runs from Green 1 to Red 9.")
    if submit:
        if not data.grounds:
            problems.append("Rate the grounds before submitting.")
        if data.grade is None:
            problems.append("Give a grade before submitting.")
    return problems


@transaction.atomic
def assessment_save(*, item: SessionRecord, member: Any, data: AssessmentInput, submit: bool) -> Assessment:
    """Save the member's own view of the record (a draft, or submitted). Refused once the record is revealed:
    a score changed after seeing the others' would no longer be blind."""
    _require_open(item.session)
    item = SessionRecord.objects.select_for_update().select_related("session").get(pk=item.pk)
    if item.is_revealed:
        raise ReviewError("The chair has revealed this record's scores, so scores for it can no longer change.")
    problems = _validate(item, data, submit=submit)
    if problems:
        raise ReviewError(" ".join(problems))
    assessment, created = Assessment.objects.get_or_create(item=item, member=member)
    was_submitted = assessment.status == Assessment.Status.SUBMITTED
    assessment.grounds = data.grounds
    assessment.checklist = data.checklist
    assessment.body_worn_video = data.body_worn_video
    assessment.concerns = sorted(set(data.concerns))
    assessment.grade = data.grade
    assessment.comment = data.comment.strip()
    if submit:
        assessment.status = Assessment.Status.SUBMITTED
        assessment.submitted_at = timezone.now()
    elif was_submitted:
        # Taking a submitted score back to draft is allowed before the reveal; it then stops counting as scored.
        assessment.status = Assessment.Status.DRAFT
        assessment.submitted_at = None
    assessment.save()
    audit_log(
        by=member,
        action=AuditEvent.Action.SCORE_SUBMITTED if submit else AuditEvent.Action.SCORE_SAVED,
        obj=assessment,
        panel=item.session.panel,
        detail={"item": item.pk, "changed": not created},
    )
    if submit or was_submitted:
        broadcast_on_commit(item.session_id, _progress(item))
    return assessment


def _progress(item: SessionRecord) -> SessionEvent:
    scored, scorers = selectors.scored_count(item)
    return {"event": "progress", "session": item.session_id, "item": item.pk, "scored": scored, "scorers": scorers}


# --- the live meeting ------------------------------------------------------------------------------------------


@transaction.atomic
def session_go_to(*, session: ReviewSession, item: SessionRecord | None, by: Any) -> ReviewSession:
    """Put the meeting on this record (the chair's "next record" and "go to")."""
    _require_open(session)
    if item is not None and item.session_id != session.pk:
        raise ReviewError("That record is not in this session.")
    ReviewSession.objects.filter(pk=session.pk).update(current=item)
    session.current = item
    event: SessionEvent = {
        "event": "current",
        "session": session.pk,
        "item": item.pk if item else None,
        "position": item.position if item else None,
    }
    broadcast_on_commit(session.pk, event)
    if item is not None:
        broadcast_on_commit(session.pk, _progress(item))
    return session


def session_next(*, session: ReviewSession, by: Any) -> ReviewSession:
    """Move the meeting to the record after the current one (or the first); stays on the last."""
    position = session.current.position if session.current_id and session.current else 0
    item = SessionRecord.objects.filter(session=session, position__gt=position).order_by("position").first()
    if item is None:
        raise ReviewError("This is the last record in the session.")
    return session_go_to(session=session, item=item, by=by)


@transaction.atomic
def item_reveal(*, item: SessionRecord, by: Any) -> SessionRecord:
    """Show everyone the spread of submitted scores for the record; drafts are left out and can no longer change."""
    _require_open(item.session)
    updated = SessionRecord.objects.filter(pk=item.pk, revealed_at__isnull=True).update(
        revealed_at=timezone.now(), revealed_by=by
    )
    if not updated:
        raise ReviewError("This record has already been revealed.")
    item.refresh_from_db()
    audit_log(by=by, action=AuditEvent.Action.REVEALED, obj=item, panel=item.session.panel)
    broadcast_on_commit(
        item.session_id,
        {"event": "revealed", "session": item.session_id, "item": item.pk, "spread": selectors.spread(item)},
    )
    return item


@transaction.atomic
def item_agree(*, item: SessionRecord, grounds: str, grade: int | None, note: str, by: Any) -> SessionRecord:
    """Record the panel's agreed view of the record (after the reveal)."""
    _require_open(item.session)
    if not item.is_revealed:
        raise ReviewError("Reveal the members' scores before recording the panel's view.")
    if grounds not in GroundsRating.values:
        raise ReviewError("Choose reasonable, unclear or not reasonable for the panel's view of the grounds.")
    if grade is not None and not 1 <= grade <= 9:
        raise ReviewError("The grade runs from Green 1 to Red 9.")
    item.agreed_grounds, item.agreed_grade, item.agreed_note = grounds, grade, note.strip()
    item.agreed_at, item.agreed_by = timezone.now(), by
    item.save(update_fields=["agreed_grounds", "agreed_grade", "agreed_note", "agreed_at", "agreed_by"])
    audit_log(
        by=by,
        action=AuditEvent.Action.AGREED,
        obj=item,
        panel=item.session.panel,
        detail={"grounds": grounds, "grade": grade},
    )
    broadcast_on_commit(
        item.session_id,
        {
            "event": "agreed",
            "session": item.session_id,
            "item": item.pk,
            "agreed": {"grounds": grounds, "grade": grade, "note": item.agreed_note},
        },
    )
    return item


# --- findings --------------------------------------------------------------------------------------------------


@dataclass
class FindingInput:
    title: str
    category: str
    rag: str
    observation: str
    recommendation: str = ""
    item_ids: list[int] = field(default_factory=list)

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> FindingInput:
        """From a form's or a serializer's validated values (the records under "items")."""
        return cls(
            title=values["title"],
            category=values["category"],
            rag=values["rag"],
            observation=values["observation"],
            recommendation=values.get("recommendation", ""),
            item_ids=[int(i) for i in values.get("items", [])],
        )


def finding_values(finding: Finding) -> dict[str, Any]:
    """A finding's values as they stand, in the shape FindingInput.from_values reads (the records under "items"):
    what an edit starts from, whether a form's initial values or the fields a partial API update leaves out."""
    return {
        "title": finding.title,
        "category": finding.category,
        "rag": finding.rag,
        "observation": finding.observation,
        "recommendation": finding.recommendation,
        "items": list(finding.items.values_list("pk", flat=True)),
    }


def _check_finding(panel: Panel, session: ReviewSession | None, data: FindingInput) -> list[SessionRecord]:
    problems = []
    if not data.title.strip():
        problems.append("Give the finding a title.")
    if data.category not in Finding.Category.values:
        problems.append("Choose a category.")
    if data.rag not in Finding.Rag.values:
        problems.append("Choose red, amber or green.")
    if not data.observation.strip():
        problems.append("Say what the panel saw.")
    items = list(SessionRecord.objects.filter(pk__in=data.item_ids, session__panel=panel))
    if len(items) != len(set(data.item_ids)):
        problems.append("A record named is not in one of this panel's sessions.")
    if session is not None and any(i.session_id != session.pk for i in items):
        problems.append("A record named is not in this session.")
    if problems:
        raise ReviewError(" ".join(problems))
    return items


@transaction.atomic
def finding_create(*, panel: Panel, session: ReviewSession | None, data: FindingInput, by: Any) -> Finding:
    items = _check_finding(panel, session, data)
    finding = Finding.objects.create(
        panel=panel,
        session=session,
        title=data.title.strip(),
        category=data.category,
        rag=data.rag,
        observation=data.observation.strip(),
        recommendation=data.recommendation.strip(),
        created_by=by,
        updated_by=by,
    )
    finding.items.set(items)
    audit_log(by=by, action=AuditEvent.Action.FINDING_CREATED, obj=finding, panel=panel)
    return finding


@transaction.atomic
def finding_update(*, finding: Finding, data: FindingInput, version: int, by: Any) -> Finding:
    """Change a finding, if nobody else has since `version` was read; FindingConflict otherwise (nothing saved)."""
    items = _check_finding(finding.panel, finding.session, data)
    updated = Finding.objects.filter(pk=finding.pk, version=version).update(
        title=data.title.strip(),
        category=data.category,
        rag=data.rag,
        observation=data.observation.strip(),
        recommendation=data.recommendation.strip(),
        version=F("version") + 1,
        updated_by=by,
        updated_at=timezone.now(),
    )
    if not updated:
        raise FindingConflict(Finding.objects.select_related("updated_by").get(pk=finding.pk))
    finding.refresh_from_db()
    finding.items.set(items)
    audit_log(
        by=by, action=AuditEvent.Action.FINDING_UPDATED, obj=finding, panel=finding.panel, detail={"version": version}
    )
    return finding


@transaction.atomic
def finding_publish(*, finding: Finding, by: Any) -> Finding:
    """Show the finding on the panel's public page (anonymised: see selectors.public_findings)."""
    if finding.published_at is None:
        finding.published_at = timezone.now()
        finding.save(update_fields=["published_at"])
        audit_log(by=by, action=AuditEvent.Action.FINDING_PUBLISHED, obj=finding, panel=finding.panel)
    return finding


@transaction.atomic
def session_minutes_save(*, session: ReviewSession, minutes: str, publish: bool, by: Any) -> ReviewSession:
    session.minutes = minutes
    fields = ["minutes"]
    if publish and session.minutes_published_at is None:
        session.minutes_published_at = timezone.now()
        fields.append("minutes_published_at")
        audit_log(by=by, action=AuditEvent.Action.MINUTES_PUBLISHED, obj=session, panel=session.panel)
    session.save(update_fields=fields)
    return session


__all__ = [
    "AssessmentInput",
    "FindingConflict",
    "FindingInput",
    "ReviewError",
    "SessionEvent",
    "assessment_save",
    "broadcast_on_commit",
    "finding_create",
    "finding_publish",
    "finding_update",
    "item_agree",
    "item_reveal",
    "session_add_record",
    "session_close",
    "session_create",
    "session_go_to",
    "session_group",
    "session_minutes_save",
    "session_next",
]
