"""Who may read data.police.uk coverage (the coverage page and its API).

Coverage says, for every force, which months data.police.uk publishes, which the platform holds, and what went
wrong fetching them. It is about public data, not about any person, but it is a working page for the people who
run scrutiny and read the figures: the active coordinators of any panel, the active OPCC officers of any force
area, and site staff. Everyone else is refused (deny by default): members, chairs, observers, force liaison
officers and people on no panel. Every force is shown to all of them: a coordinator comparing their force with
another needs to know what the other's figures rest on.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from panels.models import Membership
from panels.permissions import opcc_force_area_ids

REFUSAL = "Only coordinators, OPCC officers and site staff can read data.police.uk coverage."


def may_read_coverage(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    if Membership.objects.active().filter(user=user, role=Membership.Role.COORDINATOR).exists():
        return True
    return bool(opcc_force_area_ids(user))


def require_coverage_role(user: Any) -> None:
    """403, saying why, unless the user may read coverage."""
    if not may_read_coverage(user):
        raise PermissionDenied(REFUSAL)
