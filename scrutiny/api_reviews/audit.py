"""The panel's audit log through the API (and the read the audit page shares)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from scrutiny.api_reviews.common import AUDIT_REFUSAL, PagedListApi
from scrutiny.api_reviews.serializers import AuditEventSerializer
from scrutiny.models import AuditEvent
from scrutiny.permissions import ReviewAccess, get_review_access


def audit_events_for(access: ReviewAccess) -> QuerySet[AuditEvent]:
    """The panel's audit log, newest first, for those who may read it (coordinators, superusers); 403 otherwise."""
    if not access.can_read_audit:
        raise PermissionDenied(AUDIT_REFUSAL)
    return AuditEvent.objects.filter(panel=access.panel).order_by("-at", "-pk")


class AuditEventListApi(PagedListApi):
    @extend_schema(responses=AuditEventSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        """The panel's audit log, newest first (coordinators). Read only: the log is append-only."""
        access = get_review_access(request.user, slug)
        return self.page(request, audit_events_for(access), AuditEventSerializer)
