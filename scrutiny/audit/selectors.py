"""Reads of the audit log (the API's and the page's)."""

from __future__ import annotations

from django.db.models import QuerySet

from panels.models import Panel
from scrutiny.audit.models import AuditEvent


def panel_audit_events(panel: Panel) -> QuerySet[AuditEvent]:
    """The panel's audit log, newest first; reach the panel through permissions.get_audit_access first."""
    return AuditEvent.objects.filter(panel=panel).order_by("-at", "-pk")
