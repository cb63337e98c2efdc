"""What the review and escalation APIs' list views share: a limit/offset page of results."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.views import APIView


class PagedListApi(APIView):
    """A view whose GET is a limit/offset page of results, as the generic list views give."""

    pagination_class = LimitOffsetPagination

    def page(self, request: Request, rows: QuerySet[Any], serializer: type[serializers.BaseSerializer[Any]]) -> Any:
        paginator = self.pagination_class()
        found = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(serializer(found, many=True, context={"request": request}).data)
