"""What the review API's views share: turning a refused step into a 400, paged lists, who takes which step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from panels.api import as_400
from scrutiny.permissions import EscalationAccess
from scrutiny.services.escalations import EscalationConflict
from scrutiny.services.reviews import FindingConflict

AUDIT_REFUSAL = "Only the panel's coordinators can read its audit log."
SCORE_REFUSAL = "Only the panel's members and chair score records."


def call_service[T](call: Callable[[], T]) -> T:
    """The service's result; a step it refuses (ReviewError, SpecError) becomes a 400 with its message. Conflicts
    pass through for the view to answer 409."""
    return as_400(call, ValueError, passing=(EscalationConflict, FindingConflict))  # ValueError: ReviewError, SpecError


class PagedListApi(APIView):
    """A view whose GET is a limit/offset page of results, as the generic list views give."""

    pagination_class = LimitOffsetPagination

    def page(self, request: Request, rows: QuerySet[Any], serializer: type[serializers.BaseSerializer[Any]]) -> Any:
        paginator = self.pagination_class()
        found = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(serializer(found, many=True, context={"request": request}).data)


def may_take_step(access: EscalationAccess, step: str) -> bool:
    """Who takes which escalation step: the force's liaison answers, the panel's runners decide, they or the
    area's OPCC officers close."""
    if step in ("acknowledge", "respond"):
        return access.can_answer
    if step in ("accept", "dispute"):
        return access.can_decide
    if step == "close":
        return access.can_close
    return False
