"""Escalations: a finding sent to the force for an answer, and every step after, as a timeline.

sent → acknowledged → responded → accepted, or disputed (escalated to the OPCC: the Stop and Search Reference
Group route) → closed with an outcome. Steps are taken only through `scrutiny.escalations.services` (which checks
the step is allowed from the current status, appends a timeline entry and audits it); the transitions are listed
here so the pages, the API and the services agree.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from panels.models import Organisation
from scrutiny.reviews.models import Finding


class EscalationStatus(models.TextChoices):
    SENT = "sent", "Sent to the force"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESPONDED = "responded", "Responded"
    ACCEPTED = "accepted", "Response accepted"
    DISPUTED = "disputed", "Disputed: escalated to the OPCC"
    CLOSED = "closed", "Closed"


class ActionTaken(models.TextChoices):
    OFFICER_FEEDBACK = "officer_feedback", "Officer feedback"
    SUPERVISOR_REVIEW = "supervisor_review", "Supervisor review"
    TRAINING = "training", "Training"
    POLICY_CHANGE = "policy_change", "Policy change"
    NO_ACTION = "no_action", "No action (with reason)"


class EscalationOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved: action taken"
    PARTLY_RESOLVED = "partly_resolved", "Partly resolved"
    NOT_RESOLVED = "not_resolved", "Not resolved"
    WITHDRAWN = "withdrawn", "Withdrawn by the panel"


# step name -> (statuses it may be taken from, status it leads to)
STEPS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({EscalationStatus.SENT}), EscalationStatus.ACKNOWLEDGED),
    "respond": (frozenset({EscalationStatus.SENT, EscalationStatus.ACKNOWLEDGED}), EscalationStatus.RESPONDED),
    "accept": (frozenset({EscalationStatus.RESPONDED}), EscalationStatus.ACCEPTED),
    "dispute": (frozenset({EscalationStatus.RESPONDED}), EscalationStatus.DISPUTED),
    "close": (
        frozenset(
            {
                EscalationStatus.SENT,
                EscalationStatus.ACKNOWLEDGED,
                EscalationStatus.RESPONDED,
                EscalationStatus.ACCEPTED,
                EscalationStatus.DISPUTED,
            }
        ),
        EscalationStatus.CLOSED,
    ),
}
# Waiting on the force: these count towards "overdue" once the due date has passed.
AWAITING_FORCE = frozenset({EscalationStatus.SENT, EscalationStatus.ACKNOWLEDGED})


class Escalation(models.Model):
    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="escalation")
    force = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="escalations",
        limit_choices_to={"kind": Organisation.Kind.FORCE},
    )
    status = models.CharField(max_length=20, choices=EscalationStatus.choices, default=EscalationStatus.SENT)
    question = models.TextField("what the panel asks the force", blank=True)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    due_date = models.DateField(help_text="Working days from sending, skipping weekends and bank holidays.")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)
    action_taken = models.CharField(max_length=20, choices=ActionTaken.choices, blank=True)
    no_action_reason = models.TextField(blank=True)
    referred_to_opcc_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=EscalationOutcome.choices, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["force", "status"], name="escalation_force_status")]

    def __str__(self) -> str:
        return f"Escalation of “{self.finding}” to {self.force}"

    def is_overdue(self, today: date) -> bool:
        return self.status in AWAITING_FORCE and self.due_date < today


class EscalationEvent(models.Model):
    """One step in an escalation's timeline: who, when, what. Written with the step, never changed."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=20)  # "sent", or a key of STEPS, or "reminder"
    status = models.CharField(max_length=20, choices=EscalationStatus.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=254, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.escalation_id} {self.step} {self.at:%Y-%m-%d}"
