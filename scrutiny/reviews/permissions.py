"""Who may take part in a panel's review work: sessions, scores, findings.

A panel's review sessions and findings are open to its members, chair and coordinators (not observers, not OPCC
officers, not force staff): they show records and scores. Members and the chair score; the chair and coordinators
run the session (draw the sample, reveal, record the agreed view, move on, close) and escalate. Another member's
scores stay hidden until the chair reveals the record (selectors.assessments_visible_to). Deny by default: every
page, API view and consumer reaches a session, record of a session or finding through one of these helpers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from panels.models import Membership, Panel
from scrutiny.reviews.models import Finding, ReviewSession, SessionRecord

SESSION_ROLES = {Membership.Role.MEMBER, Membership.Role.CHAIR, Membership.Role.COORDINATOR}

SCORER_ROLES = {Membership.Role.MEMBER, Membership.Role.CHAIR}

SESSION_RUN_ROLES = {Membership.Role.CHAIR, Membership.Role.COORDINATOR}

FINDING_WRITE_ROLES = SESSION_ROLES
SCORE_REFUSAL = "Only the panel's members and chair score records."


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
