"""Whether the dashboard links the coverage page (decided from what the dashboard already loaded: no query), and the
note a review session shows for a record data.police.uk no longer publishes."""

from __future__ import annotations

from typing import Any

from django import template

from panels.models import Membership, Organisation, StaffRole
from scrutiny.records.selectors import withdrawn_note as note

register = template.Library()


@register.simple_tag
def reads_coverage(dashboard: Any, user: Any) -> bool:
    """The rule of scrutiny/sync/permissions.py, read from the dashboard's active memberships and staff roles."""
    if user.is_staff or user.is_superuser:
        return True
    if any(m.role == Membership.Role.COORDINATOR for m in dashboard.memberships):
        return True
    return any(
        r.role == StaffRole.Role.OPCC_OFFICER
        and r.organisation.kind == Organisation.Kind.OPCC
        and r.organisation.force_area_id is not None
        for r in dashboard.staff_roles
    )


@register.filter
def withdrawn_note(record: Any) -> str:
    return note(record.withdrawn_at)
