"""The panel's audit log through the API: read only (the log is append-only), for its coordinators."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from rest_framework import generics, serializers

from scrutiny.audit.models import AuditEvent
from scrutiny.audit.permissions import get_audit_access
from scrutiny.audit.selectors import panel_audit_events


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.CharField(source="actor_label", read_only=True)
    action = serializers.CharField(read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "action", "action_label", "object_type", "object_id", "detail"]
        read_only_fields = fields


class AuditEventListApi(generics.ListAPIView[AuditEvent]):
    """The panel's audit log, newest first (coordinators). Read only: the log is append-only."""

    serializer_class = AuditEventSerializer

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return panel_audit_events(get_audit_access(self.request.user, self.kwargs["slug"]).panel)


urlpatterns: list[Any] = [
    path("panels/<slug:slug>/audit/", AuditEventListApi.as_view(), name="api-audit-list"),
]
