"""Who may see and do what with panels, meetings and invitations.

Deny by default: every page and API view reaches a panel or meeting through one of these helpers,
never through `Model.objects.get`. Roles are described in docs/roles.md.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from panels.models import Invitation, Meeting, Membership, Organisation, Panel, StaffRole

# Roles that can see encounter records or escalations must use two-factor authentication.
MFA_PANEL_ROLES = {Membership.Role.COORDINATOR}
MANAGE_ROLES = {Membership.Role.COORDINATOR}
RUN_MEETING_ROLES = {Membership.Role.COORDINATOR, Membership.Role.CHAIR}
# Observers see the panel and its published minutes; the others also see draft minutes.
DRAFT_READER_ROLES = {Membership.Role.MEMBER, Membership.Role.CHAIR, Membership.Role.COORDINATOR}


def active_staff_roles(user: Any) -> QuerySet[StaffRole]:
    return StaffRole.objects.active().filter(user=user).select_related("organisation")


def user_requires_mfa(user: Any) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    if active_staff_roles(user).exists():
        return True
    return Membership.objects.active().filter(user=user, role__in=MFA_PANEL_ROLES).exists()


def user_has_mfa(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def liaison_force_ids(user: Any) -> set[int]:
    """Forces the user answers escalations for (active force liaison roles)."""
    return {
        r.organisation_id
        for r in active_staff_roles(user)
        if r.role == StaffRole.Role.FORCE_LIAISON and r.organisation.kind == Organisation.Kind.FORCE
    }


def opcc_force_area_ids(user: Any) -> set[int]:
    return {
        r.organisation.force_area_id
        for r in active_staff_roles(user)
        if r.role == StaffRole.Role.OPCC_OFFICER
        and r.organisation.kind == Organisation.Kind.OPCC
        and r.organisation.force_area_id is not None
    }


def panel_role(user: Any, panel: Panel) -> str | None:
    """The user's current role on the panel, or None."""
    if not user.is_authenticated:
        return None
    membership = Membership.objects.active().filter(user=user, panel=panel).first()
    return membership.role if membership else None


def panels_visible_to(user: Any) -> QuerySet[Panel]:
    """Panels whose private pages the user may read: their own, and for OPCC officers those in their area."""
    if not user.is_authenticated:
        return Panel.objects.none()
    if user.is_superuser:
        return Panel.objects.all()
    member_of = Membership.objects.active().filter(user=user).values("panel_id")
    return Panel.objects.filter(Q(pk__in=member_of) | Q(force_area_id__in=opcc_force_area_ids(user)))


class PanelAccess:
    """What one user may do on one panel, worked out once per request."""

    def __init__(self, user: Any, panel: Panel) -> None:
        self.panel = panel
        self.role = panel_role(user, panel)
        self.is_superuser = bool(user.is_authenticated and user.is_superuser)
        self.is_opcc = panel.force_area_id in opcc_force_area_ids(user) if user.is_authenticated else False

    @property
    def can_view(self) -> bool:
        return self.role is not None or self.is_opcc or self.is_superuser

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGE_ROLES or self.is_superuser

    @property
    def can_run_meetings(self) -> bool:
        return self.role in RUN_MEETING_ROLES or self.is_superuser

    @property
    def can_read_drafts(self) -> bool:
        return self.role in DRAFT_READER_ROLES or self.is_opcc or self.is_superuser


def get_panel_access(user: Any, slug: str, *, manage: bool = False, run_meetings: bool = False) -> PanelAccess:
    """The panel with this slug and the user's access to it; 404 if no such panel, 403 if not allowed."""
    panel = Panel.objects.select_related("force_area", "organisation").filter(slug=slug).first()
    if panel is None:
        raise Http404("No such panel.")
    access = PanelAccess(user, panel)
    if not access.can_view:
        raise PermissionDenied("You are not a member of this panel.")
    if manage and not access.can_manage:
        raise PermissionDenied("Only the panel's coordinators can do this.")
    if run_meetings and not access.can_run_meetings:
        raise PermissionDenied("Only the panel's chair and coordinators can do this.")
    return access


def get_public_panel(slug: str) -> Panel:
    panel = Panel.objects.select_related("force_area").filter(slug=slug, is_public=True).first()
    if panel is None:
        raise Http404("No such public panel.")
    return panel


def get_meeting_for_user(user: Any, slug: str, pk: int, *, write: bool = False) -> tuple[Meeting, PanelAccess]:
    access = get_panel_access(user, slug, run_meetings=write)
    meeting = Meeting.objects.filter(panel=access.panel, pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting, access


def get_membership_on_panel(access: PanelAccess, pk: int) -> Membership:
    """A membership (current or past) of the panel the access was checked for; 404 for any other."""
    membership = Membership.objects.select_related("user", "panel").filter(panel=access.panel, pk=pk).first()
    if membership is None:
        raise Http404("No such membership.")
    return membership


def get_invitation_on_panel(access: PanelAccess, pk: int) -> Invitation:
    invitation = Invitation.objects.select_related("panel").filter(panel=access.panel, pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation
