"""Who may import and browse encounter records.

A force's records (its import batches, records and rejected rows) are open to the active coordinators of the panels
in that force's area, and to superusers. Nobody else: members, chairs and observers see records only through a
review session; force liaison and OPCC officers not at all. Deny by default: every page, API view and consumer
reaches a batch, record or rejected row through one of these helpers, never through `Model.objects.get`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from panels.models import Membership, Organisation
from scrutiny.records.models import EncounterRecord, ImportBatch, RejectedRow

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


def _get_for_user[T: models.Model](user: Any, objects: QuerySet[T], force: str, pk: int, missing: str) -> T:
    """The one object with this pk among `objects`, if its force (reached through the `force` lookup) is one of the
    user's: 403 without the role, 404 otherwise. Every batch, record and rejected row is reached this way."""
    require_records_role(user)
    found = objects.filter(**{f"{force}__in": forces_for_user(user)}, pk=pk).first()
    if found is None:
        raise Http404(missing)
    return found


def get_batch_for_user(user: Any, pk: int) -> ImportBatch:
    return _get_for_user(user, ImportBatch.objects.select_related("force", "run_by"), "force", pk, "No such import.")


def get_record_for_user(user: Any, pk: int) -> EncounterRecord:
    records = EncounterRecord.objects.select_related("force", "batch", "redaction_checked_by")
    return _get_for_user(user, records, "force", pk, "No such record.")


def get_rejected_row_for_user(user: Any, pk: int) -> RejectedRow:
    rows = RejectedRow.objects.select_related("batch", "batch__force")
    return _get_for_user(user, rows, "batch__force", pk, "No such rejected row.")
