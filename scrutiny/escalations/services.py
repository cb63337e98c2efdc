"""Escalations: sending a finding to the force, and each later step, as timeline entries.

Who may take which step is decided by `scrutiny.escalations.permissions.EscalationAccess`; these functions check
only that the step is allowed from the escalation's current status, and that the details the step needs are there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from panels.models import Membership, Organisation, StaffRole
from panels.notifications import notify_user_on_commit
from scrutiny.audit.models import AuditEvent
from scrutiny.audit.services import audit_log
from scrutiny.escalations.models import (
    AWAITING_FORCE,
    STEPS,
    ActionTaken,
    Escalation,
    EscalationEvent,
    EscalationOutcome,
    EscalationStatus,
)
from scrutiny.escalations.workdays import add_working_days, working_days_between
from scrutiny.reviews.models import Finding
from scrutiny.reviews.services import ReviewError


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
        actor_label=(actor.name if actor else "system"),  # a name or nothing: never an email address
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
    liaison = StaffRole.objects.active().filter(organisation_id=escalation.force_id, role=StaffRole.Role.FORCE_LIAISON)
    for role in liaison:
        notify_user_on_commit(
            user_id=role.user_id,
            payload={
                "kind": "escalation",
                "message": message,
                "url": reverse("escalation-detail", kwargs={"pk": escalation.pk}),
            },
        )


@dataclass(frozen=True)
class StepInput:
    """What a person gives with an escalation step, from the page's form or the API's body: the version they saw
    (None: take the step whatever it is now) and the words and choices the step needs."""

    version: int | None = None
    note: str = ""  # why the panel disputes (and a note on any step)
    response: str = ""  # the force's response
    action_taken: str = ""
    no_action_reason: str = ""
    outcome: str = ""  # what the escalation closes with

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> StepInput:
        """From a form's cleaned data or a serializer's validated data: the fields it has, the rest left empty."""
        return cls(**{f.name: values[f.name] for f in fields(cls) if values.get(f.name) is not None})


@transaction.atomic
def escalation_step(*, escalation: Escalation, step: str, by: Any, data: StepInput | None = None) -> Escalation:
    """Take one step (acknowledge, respond, accept, dispute, close). `data.version`, when given, must match: a step
    taken on a page that is out of date is refused rather than applied to a state the person did not see."""
    data = data or StepInput()
    if step not in STEPS:
        raise ReviewError(f"Unknown step “{step}”.")
    allowed_from, to = STEPS[step]
    escalation = (
        Escalation.objects.select_for_update().select_related("finding", "finding__panel").get(pk=escalation.pk)
    )
    if data.version is not None and escalation.version != data.version:
        raise EscalationConflict("Someone else has moved this escalation on since you opened it. Check it again.")
    if escalation.status not in allowed_from:
        raise ReviewError(
            f"An escalation that is “{escalation.get_status_display().lower()}” cannot be taken to “{step}”."
        )
    changed = ["status", "version", *_record_step(escalation, step, timezone.now(), data)]
    escalation.status = to
    escalation.version = F("version") + 1
    escalation.save(update_fields=changed)
    escalation.refresh_from_db()
    _event(escalation, step, by, data.note or data.response)
    if step in ("dispute",):
        _notify_opcc(escalation)
    return escalation


def _record_step(escalation: Escalation, step: str, now: Any, data: StepInput) -> list[str]:
    """Check what the step needs and set what it records on `escalation` (not saved); the fields it set."""
    if step == "acknowledge":
        escalation.acknowledged_at = now
        return ["acknowledged_at"]
    if step == "respond":
        return _record_response(escalation, now, data)
    if step == "dispute":
        if not data.note.strip():
            raise ReviewError("Say why the panel disputes the response.")
        escalation.referred_to_opcc_at = now
        return ["referred_to_opcc_at"]
    if step == "close":
        if data.outcome not in EscalationOutcome.values:
            raise ReviewError("Choose the outcome the escalation closes with.")
        escalation.outcome, escalation.closed_at = data.outcome, now
        return ["outcome", "closed_at"]
    return []  # accept: the status alone


def _record_response(escalation: Escalation, now: Any, data: StepInput) -> list[str]:
    if not data.response.strip():
        raise ReviewError("Write the force's response.")
    if data.action_taken not in ActionTaken.values:
        raise ReviewError("Say what action was taken.")
    if data.action_taken == ActionTaken.NO_ACTION and not data.no_action_reason.strip():
        raise ReviewError("Give the reason no action was taken.")
    escalation.response, escalation.action_taken = data.response.strip(), data.action_taken
    escalation.no_action_reason = data.no_action_reason.strip()
    escalation.responded_at = now
    changed = ["response", "action_taken", "no_action_reason", "responded_at"]
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at = now
        changed.append("acknowledged_at")
    return changed


def _notify_opcc(escalation: Escalation) -> None:
    officers = StaffRole.objects.active().filter(
        organisation__kind=Organisation.Kind.OPCC,
        organisation__force_area_id=escalation.finding.panel.force_area_id,
        role=StaffRole.Role.OPCC_OFFICER,
    )
    for role in officers:
        notify_user_on_commit(
            user_id=role.user_id,
            payload={
                "kind": "escalation",
                "message": f"A panel disputes the force's response: {escalation.finding.title}",
                "url": reverse("escalation-detail", kwargs={"pk": escalation.pk}),
            },
        )


# --- reminders -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    escalation: Escalation
    days_overdue: int  # working days since the due date
    recipients: tuple[str, ...]  # email addresses written to


def _reminder_people(escalation: Escalation) -> list[Any]:
    """The force's liaison officers (who must answer), and the panel's chair and coordinators (who chase), as they
    are now (whatever day the reminder counts from)."""
    liaison = (
        StaffRole.objects.active()
        .filter(organisation_id=escalation.force_id, role=StaffRole.Role.FORCE_LIAISON)
        .select_related("user")
    )
    chasers = (
        Membership.objects.active()
        .filter(panel_id=escalation.finding.panel_id, role__in=[Membership.Role.CHAIR, Membership.Role.COORDINATOR])
        .select_related("user")
    )
    people = {r.user.pk: r.user for r in liaison}
    people.update({m.user.pk: m.user for m in chasers})
    return [u for u in people.values() if u.is_active]


def escalations_remind(*, today: date | None = None, base_url: str = "") -> list[Reminder]:
    """Remind about every escalation past its due date and still waiting on the force: one timeline entry, one
    email and one in-app notification per person, at most once a day (`last_reminded_on`), so running the
    command twice on one day sends nothing the second time."""
    today = today or timezone.localdate()
    due = (
        Escalation.objects.filter(status__in=AWAITING_FORCE, due_date__lt=today)
        .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today))
        .values_list("pk", flat=True)
    )
    return [r for pk in list(due) if (r := _remind_one(pk, today, base_url)) is not None]


@transaction.atomic
def _remind_one(pk: int, today: date, base_url: str) -> Reminder | None:
    escalation = (
        Escalation.objects.select_for_update()
        .select_related("finding", "finding__panel", "force")
        .filter(pk=pk)
        .first()
    )
    # Re-checked under the lock: another worker may have reminded, or the force answered, since the list was read.
    if escalation is None or not escalation.is_overdue(today) or escalation.last_reminded_on == today:
        return None
    escalation.last_reminded_on = today
    escalation.save(update_fields=["last_reminded_on"])
    overdue = working_days_between(escalation.due_date, today)
    _event(escalation, "reminder", None, f"Overdue: due {escalation.due_date:%d %B %Y}, {overdue} working days late.")
    url = reverse("escalation-detail", kwargs={"pk": escalation.pk})
    message = f"Overdue escalation from {escalation.finding.panel}: {escalation.finding.title}"
    people = _reminder_people(escalation)
    for user in people:
        notify_user_on_commit(user_id=user.pk, payload={"kind": "escalation", "message": message, "url": url})
    addresses = tuple(sorted(u.email for u in people if u.email))
    if addresses:
        body = render_to_string(
            "scrutiny/email/escalation_reminder.txt",
            {
                "escalation": escalation,
                "overdue": overdue,
                "url": base_url.rstrip("/") + url,
                "site_name": settings.SITE_NAME,
            },
        )
        subject = f"[{settings.SITE_NAME}] Overdue escalation: {escalation.finding.title}"
        for address in addresses:
            # One message each: liaison officers and panel members must not see each other's addresses.
            transaction.on_commit(lambda a=address: send_mail(subject, body, None, [a]))  # type: ignore[misc]
    return Reminder(escalation=escalation, days_overdue=overdue, recipients=addresses)


__all__ = [
    "EscalationConflict",
    "EscalationStatus",
    "Reminder",
    "due_date_for",
    "escalation_send",
    "escalation_step",
    "escalations_remind",
]
