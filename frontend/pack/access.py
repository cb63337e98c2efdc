"""Who may read the PCC's quarterly pack of a force area (docs/pack.md).

Deny by default. An area's pack is open to:
- the active OPCC officers of the area (the pack is the PCC's);
- the active coordinators of the panels in the area (they prepare what goes to the PCC);
- superusers.
Force liaison officers are refused, even for their own force: the pack carries what panels found and how the OPCC
follows it up, and a force sees only the escalations addressed to it. Members, chairs, observers and anyone else
are refused; the public transparency page carries the public figures.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from panels.models import ForceArea, Membership
from panels.permissions import opcc_force_area_ids
from scrutiny.disproportionality.access import REPORT_PANEL_ROLES

REFUSAL = "The quarterly pack is for the area's OPCC officers and the coordinators of its panels."


def pack_areas_for_user(user: Any) -> QuerySet[ForceArea]:
    """The force areas whose pack the user may read (none for anyone without a pack role)."""
    areas = ForceArea.objects.order_by("name")
    if not getattr(user, "is_authenticated", False):
        return areas.none()
    if user.is_superuser:
        return areas
    coordinated = (
        Membership.objects.active().filter(user=user, role__in=REPORT_PANEL_ROLES).values("panel__force_area_id")
    )
    return areas.filter(Q(pk__in=coordinated) | Q(pk__in=opcc_force_area_ids(user)))


def require_pack_area(user: Any, area: ForceArea) -> None:
    """403, saying why, unless the user may read the area's pack."""
    if not pack_areas_for_user(user).filter(pk=area.pk).exists():
        raise PermissionDenied(REFUSAL)


def require_pack_role(user: Any) -> None:
    """403, saying why, unless the user may read some area's pack."""
    if not pack_areas_for_user(user).exists():
        raise PermissionDenied(REFUSAL)
