"""Who may read a panel's audit log: its active coordinators, and superusers. Nobody else, whatever their role on
the panel or in the force area (the log names who viewed and scored what). Deny by default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from panels.models import Membership, Panel
from panels.permissions import panel_role

AUDIT_ROLES = frozenset({Membership.Role.COORDINATOR})
AUDIT_REFUSAL = "Only the panel's coordinators can read its audit log."


@dataclass(frozen=True)
class AuditAccess:
    """The panel and the reader's role on it (the page's panel navigation shows links by role)."""

    panel: Panel
    role: str | None
    is_superuser: bool


def get_audit_access(user: Any, slug: str) -> AuditAccess:
    """The panel with this slug, for a reader of its audit log; 404 if no such panel, 403 for anyone else."""
    panel = Panel.objects.select_related("force_area").filter(slug=slug).first()
    if panel is None:
        raise Http404("No such panel.")
    access = AuditAccess(panel, panel_role(user, panel), bool(user.is_authenticated and user.is_superuser))
    if not (access.is_superuser or access.role in AUDIT_ROLES):
        raise PermissionDenied(AUDIT_REFUSAL)
    return access
