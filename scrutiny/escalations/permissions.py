"""Who may read an escalation and take which step: the force's liaison officers answer (acknowledge, respond),
the panel's chair and coordinators decide (accept, dispute) and, with the area's OPCC officers, close. One rule for
pages and the API (`EscalationAccess.may_take`, `EscalationAccess.steps_now`). Deny by default: every page, API view
and reminder reaches an escalation through these helpers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from panels.models import Membership
from panels.permissions import liaison_force_ids, opcc_force_area_ids
from scrutiny.escalations.models import STEPS, Escalation
from scrutiny.reviews.permissions import SESSION_ROLES, ReviewAccess


class EscalationAccess:
    def __init__(self, user: Any, escalation: Escalation) -> None:
        panel = escalation.finding.panel
        self.is_liaison = escalation.force_id in liaison_force_ids(user)
        self.is_opcc = panel.force_area_id in opcc_force_area_ids(user)
        self.review = ReviewAccess(user, panel)

    @property
    def can_view(self) -> bool:
        return self.is_liaison or self.is_opcc or self.review.can_view

    @property
    def can_answer(self) -> bool:
        """Acknowledge and respond: the force's liaison officers."""
        return self.is_liaison

    @property
    def can_decide(self) -> bool:
        """Accept or dispute the force's response: the panel's chair and coordinators."""
        return self.review.can_run

    @property
    def can_close(self) -> bool:
        return self.review.can_run or self.is_opcc

    def may_take(self, step: str) -> bool:
        """Who takes which step: the force's liaison answers, the panel's runners decide, they or the area's OPCC
        officers close. Any other step: nobody."""
        if step in ("acknowledge", "respond"):
            return self.can_answer
        if step in ("accept", "dispute"):
            return self.can_decide
        return step == "close" and self.can_close

    def steps_now(self, escalation: Escalation) -> list[str]:
        """The steps this user may take from the escalation's current status, in the timeline's order."""
        return [
            step
            for step, (allowed_from, _) in STEPS.items()
            if escalation.status in allowed_from and self.may_take(step)
        ]


def escalations_for_user(user: Any) -> QuerySet[Escalation]:
    """Escalations the user may read: their panels', their force's (liaison), their force area's (OPCC)."""
    if not user.is_authenticated:
        return Escalation.objects.none()
    if user.is_superuser:
        return Escalation.objects.all()
    panels = Membership.objects.active().filter(user=user, role__in=SESSION_ROLES).values("panel_id")
    return Escalation.objects.filter(
        Q(finding__panel_id__in=panels)
        | Q(force_id__in=liaison_force_ids(user))
        | Q(finding__panel__force_area_id__in=opcc_force_area_ids(user))
    )


def get_escalation_for_user(user: Any, pk: int) -> tuple[Escalation, EscalationAccess]:
    escalation = (
        escalations_for_user(user).select_related("finding", "finding__panel", "force", "sent_by").filter(pk=pk).first()
    )
    if escalation is None:
        raise Http404("No such escalation.")
    return escalation, EscalationAccess(user, escalation)


ESCALATION_LIST_REFUSAL = "Escalations are for panel members, force liaison officers and OPCC officers."


def require_escalation_list(user: Any) -> None:
    """The escalations page is for the panels' members, chairs and coordinators, force liaison and OPCC officers
    (and superusers); PermissionDenied for anyone else, even with nothing to list."""
    on_panel = Membership.objects.active().filter(user=user, role__in=SESSION_ROLES).exists()
    if not (user.is_superuser or on_panel or liaison_force_ids(user) or opcc_force_area_ids(user)):
        raise PermissionDenied(ESCALATION_LIST_REFUSAL)


def may_read_escalation_report(user: Any) -> bool:
    """OPCC officers (and superusers) read the report of escalations in their force area."""
    return bool(user.is_authenticated and (user.is_superuser or opcc_force_area_ids(user)))
