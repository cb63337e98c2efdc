"""Reads of escalations: the lists a user may read, and each step's actor as the reader may see it (a force never
learns which panel member acted)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from panels.models import ForceArea
from panels.permissions import opcc_force_area_ids
from scrutiny.escalations.models import Escalation, EscalationEvent, EscalationStatus
from scrutiny.escalations.permissions import escalations_for_user


def event_actor(event: EscalationEvent, escalation: Escalation, *, panel_view: bool) -> str:
    """Who took a step, as the reader may see it: a person's name for the panel's own people; for force and OPCC
    staff only the side that acted (the panel, the force), never which panel member (docs/threat-model.md). Never an
    email address: a person who gave no name shows as their side to the panel too."""
    if panel_view and event.actor_label and "@" not in event.actor_label:
        return event.actor_label  # a name, or "system"
    # Staff, and a person with no name (older entries stored their email address): the side that acted.
    if event.step in ("acknowledge", "respond"):
        return escalation.force.name
    if event.step == "reminder":
        return "system"
    return "" if event.step == "close" else escalation.finding.panel.name


def escalation_timeline(escalation: Escalation, *, panel_view: bool) -> list[tuple[EscalationEvent, str]]:
    """The escalation's steps in order, each with `event_actor`'s answer."""
    return [(e, event_actor(e, escalation, panel_view=panel_view)) for e in escalation.events.all()]


def escalation_list(user: Any) -> QuerySet[Escalation]:
    """Every escalation the user may read, ready for a list page."""
    return (
        escalations_for_user(user)
        .select_related("finding", "finding__panel", "force")
        .order_by("status", "due_date", "pk")
    )


def report_escalations(user: Any) -> QuerySet[Escalation]:
    """The escalations of the user's OPCC force areas (all of them for a superuser)."""
    qs = Escalation.objects.select_related("finding", "finding__panel", "finding__panel__force_area", "force")
    if not user.is_superuser:
        qs = qs.filter(finding__panel__force_area_id__in=opcc_force_area_ids(user))
    return qs.order_by("sent_at", "pk")


def escalations_sent(area: ForceArea, start: datetime, end: datetime) -> list[Escalation]:
    """The escalations the area's panels sent from `start` to before `end`, in the order sent, ready for a report."""
    return list(
        Escalation.objects.filter(finding__panel__force_area=area, sent_at__gte=start, sent_at__lt=end)
        .select_related("finding", "finding__panel", "force")
        .order_by("sent_at", "pk")
    )


def escalations_open_from_before(area: ForceArea, start: datetime) -> int:
    """How many escalations the area's panels sent before `start` are not closed yet."""
    return (
        Escalation.objects.filter(finding__panel__force_area=area, sent_at__lt=start)
        .exclude(status=EscalationStatus.CLOSED)
        .count()
    )
