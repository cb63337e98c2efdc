"""Who may import and browse encounter records.

A force's records (its import batches, records and rejected rows) are open to the active coordinators of the panels
in that force's area, and to superusers. Nobody else: members, chairs and observers see records only through a
review session; force liaison and OPCC officers not at all. Deny by default: every page, API view and consumer
reaches a batch, record or rejected row through one of these helpers, never through `Model.objects.get`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from panels.models import Membership, Organisation, Panel, StaffRole
from panels.permissions import active_staff_roles, opcc_force_area_ids
from scrutiny.models import (
    EncounterRecord,
    Escalation,
    Finding,
    ImportBatch,
    RejectedRow,
    ReviewSession,
    SessionRecord,
)

RECORDS_ROLES = {Membership.Role.COORDINATOR}
REFUSAL = "Only a panel's coordinators can import and browse encounter records."


def may_handle_records(user: Any) -> bool:
    """Whether the user holds a role that imports and browses records at all (for some force area)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.active().filter(user=user, role__in=RECORDS_ROLES).exists()


def require_records_role(user: Any) -> None:
    """403, saying why, unless the user may import and browse records."""
    if not may_handle_records(user):
        raise PermissionDenied(REFUSAL)


def forces_for_user(user: Any) -> QuerySet[Organisation]:
    """The forces whose records the user may import and browse (none for anyone without the role)."""
    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE).select_related("force_area").order_by("name")
    if not user.is_authenticated:
        return forces.none()
    if user.is_superuser:
        return forces
    areas = Membership.objects.active().filter(user=user, role__in=RECORDS_ROLES).values("panel__force_area_id")
    return forces.filter(force_area_id__in=areas)


def get_force_for_user(user: Any, police_uk_id: str) -> Organisation:
    """The force with this data.police.uk id; 403 without the role, 404 if it is not one of the user's forces."""
    require_records_role(user)
    force = forces_for_user(user).filter(police_uk_id=police_uk_id).first()
    if force is None:
        raise Http404("No such force.")
    return force


def batches_for_user(user: Any) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(force__in=forces_for_user(user))


def get_batch_for_user(user: Any, pk: int) -> ImportBatch:
    require_records_role(user)
    batch = batches_for_user(user).select_related("force", "run_by").filter(pk=pk).first()
    if batch is None:
        raise Http404("No such import.")
    return batch


def get_record_for_user(user: Any, pk: int) -> EncounterRecord:
    require_records_role(user)
    record = (
        EncounterRecord.objects.filter(force__in=forces_for_user(user), pk=pk)
        .select_related("force", "batch", "redaction_checked_by")
        .first()
    )
    if record is None:
        raise Http404("No such record.")
    return record


def get_rejected_row_for_user(user: Any, pk: int) -> RejectedRow:
    require_records_role(user)
    row = (
        RejectedRow.objects.filter(batch__force__in=forces_for_user(user), pk=pk)
        .select_related("batch", "batch__force")
        .first()
    )
    if row is None:
        raise Http404("No such rejected row.")
    return row


# --- review sessions, findings, escalations ------------------------------------------------------------------
#
# A panel's review sessions and findings are open to its members, chair and coordinators (not observers, not OPCC
# officers, not force staff): they show records and scores. Members and the chair score; the chair and
# coordinators run the session (draw the sample, reveal, record the agreed view, move on, close) and escalate.
# Another member's scores stay hidden until the chair reveals the record (selectors.assessments_visible_to).
# Escalations are read by the panel (chair, coordinators, members), by the force liaison officers of the force they
# are addressed to, and by the OPCC officers of the force area; never with individual scores.

SESSION_ROLES = {Membership.Role.MEMBER, Membership.Role.CHAIR, Membership.Role.COORDINATOR}
SCORER_ROLES = {Membership.Role.MEMBER, Membership.Role.CHAIR}
SESSION_RUN_ROLES = {Membership.Role.CHAIR, Membership.Role.COORDINATOR}
FINDING_WRITE_ROLES = SESSION_ROLES


class ReviewAccess:
    """What one user may do in one panel's review work, worked out once."""

    def __init__(self, user: Any, panel: Panel) -> None:
        self.panel = panel
        self.user = user
        role = None
        if user.is_authenticated:
            m = Membership.objects.active().filter(user=user, panel=panel).first()
            role = m.role if m else None
        self.role = role
        self.is_superuser = bool(user.is_authenticated and user.is_superuser)

    @property
    def can_view(self) -> bool:
        return self.role in SESSION_ROLES or self.is_superuser

    @property
    def can_score(self) -> bool:
        return self.role in SCORER_ROLES

    @property
    def can_run(self) -> bool:
        return self.role in SESSION_RUN_ROLES or self.is_superuser

    @property
    def can_write_findings(self) -> bool:
        return self.role in FINDING_WRITE_ROLES or self.is_superuser

    @property
    def can_read_audit(self) -> bool:
        return self.role == Membership.Role.COORDINATOR or self.is_superuser


def get_review_access(user: Any, slug: str, *, run: bool = False) -> ReviewAccess:
    """The panel with this slug and the user's review access; 404 if no such panel, 403 if not allowed."""
    panel = Panel.objects.select_related("force_area").filter(slug=slug).first()
    if panel is None:
        raise Http404("No such panel.")
    access = ReviewAccess(user, panel)
    if not access.can_view:
        raise PermissionDenied("Only the panel's members, chair and coordinators take part in review sessions.")
    if run and not access.can_run:
        raise PermissionDenied("Only the panel's chair and coordinators can do this.")
    return access


def sessions_for_user(user: Any) -> QuerySet[ReviewSession]:
    if not user.is_authenticated:
        return ReviewSession.objects.none()
    if user.is_superuser:
        return ReviewSession.objects.all()
    panels = Membership.objects.active().filter(user=user, role__in=SESSION_ROLES).values("panel_id")
    return ReviewSession.objects.filter(panel_id__in=panels)


def get_session_for_user(user: Any, pk: int, *, run: bool = False) -> tuple[ReviewSession, ReviewAccess]:
    """The session and the user's access; 404 unless the user is on its panel, 403 if `run` and not allowed."""
    session = sessions_for_user(user).select_related("panel", "panel__force_area").filter(pk=pk).first()
    if session is None:
        raise Http404("No such review session.")
    access = ReviewAccess(user, session.panel)
    if run and not access.can_run:
        raise PermissionDenied("Only the panel's chair and coordinators can do this.")
    return session, access


def get_item_for_user(user: Any, pk: int, *, run: bool = False) -> tuple[SessionRecord, ReviewAccess]:
    """A record in a session (with the session and the record); same rules as get_session_for_user."""
    item = (
        SessionRecord.objects.filter(session__in=sessions_for_user(user), pk=pk)
        .select_related("session", "session__panel", "record", "record__force")
        .first()
    )
    if item is None:
        raise Http404("No such record in a session.")
    access = ReviewAccess(user, item.session.panel)
    if run and not access.can_run:
        raise PermissionDenied("Only the panel's chair and coordinators can do this.")
    return item, access


def findings_for_user(user: Any) -> QuerySet[Finding]:
    if not user.is_authenticated:
        return Finding.objects.none()
    if user.is_superuser:
        return Finding.objects.all()
    panels = Membership.objects.active().filter(user=user, role__in=SESSION_ROLES).values("panel_id")
    return Finding.objects.filter(panel_id__in=panels)


def get_finding_for_user(user: Any, pk: int, *, write: bool = False, run: bool = False) -> tuple[Finding, ReviewAccess]:
    finding = findings_for_user(user).select_related("panel", "session").filter(pk=pk).first()
    if finding is None:
        raise Http404("No such finding.")
    access = ReviewAccess(user, finding.panel)
    if write and not access.can_write_findings:
        raise PermissionDenied("Only the panel's members, chair and coordinators can change findings.")
    if run and not access.can_run:
        raise PermissionDenied("Only the panel's chair and coordinators can do this.")
    return finding, access


def liaison_force_ids(user: Any) -> set[int]:
    """Forces the user answers escalations for (active force liaison roles)."""
    return {
        r.organisation_id
        for r in active_staff_roles(user)
        if r.role == StaffRole.Role.FORCE_LIAISON and r.organisation.kind == Organisation.Kind.FORCE
    }


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


def may_read_escalation_report(user: Any) -> bool:
    """OPCC officers (and superusers) read the report of escalations in their force area."""
    return bool(user.is_authenticated and (user.is_superuser or opcc_force_area_ids(user)))
