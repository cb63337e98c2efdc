"""Who may read disproportionality reports (the unsuppressed figures of scrutiny/reporting.py), and for which forces.

Deny by default. A force's report is open to:
- the active coordinators of the panels in the force's area (they already import and browse its records);
- the active OPCC officers of the force's area (the PCC's quarterly pack is theirs);
- the active force liaison officers of that force (their own force's figures, which it publishes anyway);
- superusers.
Members, chairs and observers of panels, and anyone else, are refused: they see only the suppressed public figures.
docs/disproportionality.md gives the reasons.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from panels.models import Membership, Organisation
from panels.permissions import liaison_force_ids, opcc_force_area_ids

REPORT_PANEL_ROLES = {Membership.Role.COORDINATOR}
REFUSAL = "Only coordinators, OPCC officers and force liaison officers can read disproportionality reports."


def report_forces_for_user(user: Any) -> QuerySet[Organisation]:
    """The forces whose disproportionality reports the user may read (none for anyone without a reporting role)."""
    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE).select_related("force_area").order_by("name")
    if not getattr(user, "is_authenticated", False):
        return forces.none()
    if user.is_superuser:
        return forces
    panel_areas = (
        Membership.objects.active().filter(user=user, role__in=REPORT_PANEL_ROLES).values("panel__force_area_id")
    )
    return forces.filter(
        Q(force_area_id__in=panel_areas)
        | Q(force_area_id__in=opcc_force_area_ids(user))
        | Q(pk__in=liaison_force_ids(user))
    )


def may_read_reports(user: Any) -> bool:
    """Whether the user may read the report of at least one force."""
    return report_forces_for_user(user).exists()


def require_reports_role(user: Any) -> None:
    """403, saying why, unless the user may read some force's report."""
    if not may_read_reports(user):
        raise PermissionDenied(REFUSAL)


def require_report_forces(user: Any, forces: list[Organisation]) -> None:
    """403 naming the forces the user may not read, if any of `forces` is one."""
    allowed = set(report_forces_for_user(user).filter(pk__in=[f.pk for f in forces]).values_list("pk", flat=True))
    refused = [f.police_uk_id for f in forces if f.pk not in allowed]
    if refused:
        raise PermissionDenied(f"You may not read reports for: {', '.join(refused)}.")
