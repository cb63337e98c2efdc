"""Escalations: sending a finding to the force, and each later step, as timeline entries.

Who may take which step is decided by `scrutiny.permissions.EscalationAccess`; these functions check only that the
step is allowed from the escalation's current status, and that the details the step needs are there.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from panels.models import Organisation, StaffRole
from panels.notifications import notify_user_on_commit
from scrutiny.models import (
    ActionTaken,
    AuditEvent,
    Escalation,
    EscalationEvent,
    EscalationOutcome,
    EscalationStatus,
    Finding,
)
from scrutiny.models.escalations import STEPS
from scrutiny.services.records import audit_log
from scrutiny.services.reviews import ReviewError
from scrutiny.workdays import add_working_days


class EscalationConflict(ReviewError):
    """The escalation moved on (someone else took a step) since the page was loaded."""


def due_date_for(*, sent_on: date, working_days: int) -> date:
    return add_working_days(sent_on, working_days)


def _event(escalation: Escalation, step: str, by: Any, note: str = "") -> EscalationEvent:
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    event = EscalationEvent.objects.create(
        escalation=escalation,
        step=step,
        status=escalation.status,
        at=timezone.now(),
        actor=actor,
        actor_label=str(actor) if actor else "system",
        note=note,
    )
    audit_log(
        by=by,
        action=AuditEvent.Action.ESCALATION_STEP,
        obj=escalation,
        panel=escalation.finding.panel,
        detail={"step": step, "status": escalation.status},
    )
    return event


@transaction.atomic
def escalation_send(*, finding: Finding, force: Organisation, question: str, by: Any) -> Escalation:
    """Escalate a finding to a force in the panel's area; due after the panel's number of working days."""
    if force.kind != Organisation.Kind.FORCE or force.force_area_id != finding.panel.force_area_id:
        raise ReviewError("Escalations go to a police force in the panel's force area.")
    if Escalation.objects.filter(finding=finding).exists():
        raise ReviewError("This finding has already been escalated.")
    now = timezone.now()
    escalation = Escalation.objects.create(
        finding=finding,
        force=force,
        question=question.strip(),
        sent_at=now,
        sent_by=by,
        due_date=due_date_for(sent_on=timezone.localdate(now), working_days=finding.panel.escalation_working_days),
    )
    _event(escalation, "sent", by, question.strip())
    _notify_liaison(escalation, f"New escalation from {finding.panel}: {finding.title}")
    return escalation


def _notify_liaison(escalation: Escalation, message: str) -> None:
    today = timezone.localdate()
    liaison = StaffRole.objects.filter(
        organisation_id=escalation.force_id, role=StaffRole.Role.FORCE_LIAISON, start_date__lte=today
    ).exclude(end_date__lte=today)
    for role in liaison:
        notify_user_on_commit(
            user_id=role.user_id,
            payload={
                "kind": "escalation",
                "message": message,
                "url": reverse("escalation-detail", kwargs={"pk": escalation.pk}),
            },
        )


@transaction.atomic
def escalation_step(
    *,
    escalation: Escalation,
    step: str,
    by: Any,
    version: int | None = None,
    note: str = "",
    response: str = "",
    action_taken: str = "",
    no_action_reason: str = "",
    outcome: str = "",
) -> Escalation:
    """Take one step (acknowledge, respond, accept, dispute, close). `version`, when given, must match: a step
    taken on a page that is out of date is refused rather than applied to a state the person did not see."""
    if step not in STEPS:
        raise ReviewError(f"Unknown step “{step}”.")
    allowed_from, to = STEPS[step]
    escalation = (
        Escalation.objects.select_for_update().select_related("finding", "finding__panel").get(pk=escalation.pk)
    )
    if version is not None and escalation.version != version:
        raise EscalationConflict("Someone else has moved this escalation on since you opened it. Check it again.")
    if escalation.status not in allowed_from:
        raise ReviewError(
            f"An escalation that is “{escalation.get_status_display().lower()}” cannot be taken to “{step}”."
        )
    now = timezone.now()
    fields = ["status", "version"]
    if step == "acknowledge":
        escalation.acknowledged_at = now
        fields.append("acknowledged_at")
    elif step == "respond":
        if not response.strip():
            raise ReviewError("Write the force's response.")
        if action_taken not in ActionTaken.values:
            raise ReviewError("Say what action was taken.")
        if action_taken == ActionTaken.NO_ACTION and not no_action_reason.strip():
            raise ReviewError("Give the reason no action was taken.")
        escalation.response, escalation.action_taken = response.strip(), action_taken
        escalation.no_action_reason = no_action_reason.strip()
        escalation.responded_at = now
        fields += ["response", "action_taken", "no_action_reason", "responded_at"]
        if escalation.acknowledged_at is None:
            escalation.acknowledged_at = now
            fields.append("acknowledged_at")
    elif step == "dispute":
        if not note.strip():
            raise ReviewError("Say why the panel disputes the response.")
        escalation.referred_to_opcc_at = now
        fields.append("referred_to_opcc_at")
    elif step == "close":
        if outcome not in EscalationOutcome.values:
            raise ReviewError("Choose the outcome the escalation closes with.")
        escalation.outcome, escalation.closed_at = outcome, now
        fields += ["outcome", "closed_at"]
    escalation.status = to
    escalation.version = F("version") + 1
    escalation.save(update_fields=fields)
    escalation.refresh_from_db()
    _event(escalation, step, by, note or response)
    if step in ("dispute",):
        _notify_opcc(escalation)
    return escalation


def _notify_opcc(escalation: Escalation) -> None:
    today = timezone.localdate()
    officers = StaffRole.objects.filter(
        organisation__kind=Organisation.Kind.OPCC,
        organisation__force_area_id=escalation.finding.panel.force_area_id,
        role=StaffRole.Role.OPCC_OFFICER,
        start_date__lte=today,
    ).exclude(end_date__lte=today)
    for role in officers:
        notify_user_on_commit(
            user_id=role.user_id,
            payload={
                "kind": "escalation",
                "message": f"A panel disputes the force's response: {escalation.finding.title}",
                "url": reverse("escalation-detail", kwargs={"pk": escalation.pk}),
            },
        )


__all__ = ["EscalationConflict", "EscalationStatus", "due_date_for", "escalation_send", "escalation_step"]
