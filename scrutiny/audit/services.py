"""Appending to the audit log: the one function every package of scrutiny (and the pages' exports) logs through."""

from __future__ import annotations

from typing import Any

from scrutiny.audit.models import AuditEvent


def audit_log(*, by: Any, action: str, obj: Any, detail: dict[str, Any] | None = None, panel: Any = None) -> AuditEvent:
    """Append one event. `obj` is a model instance; `by` a user or None for the system; `panel` the panel whose
    coordinators may read the event, if any."""
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=(actor.email if actor is not None else "system"),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        detail=detail or {},
        panel=panel,
    )
