"""Findings and escalations through the API: optimistic locking (409), steps by role, nothing that names who
scored or raised a concern shown to the force."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panels.typing import api_user
from scrutiny.reviews import services as review_services
from scrutiny.reviews.api.common import PagedListApi
from scrutiny.reviews.api.serializers import (
    FindingConflictSerializer,
    FindingCreateSerializer,
    FindingSerializer,
    FindingUpdateSerializer,
)
from scrutiny.reviews.models import Finding
from scrutiny.reviews.permissions import findings_for_user, get_finding_for_user, get_review_access, sessions_for_user
from scrutiny.reviews.services import FindingConflict, FindingInput

# --- Findings ---------------------------------------------------------------------------------------------------


def _findings(rows: QuerySet[Finding]) -> QuerySet[Finding]:
    return rows.select_related("panel", "updated_by", "escalation").prefetch_related("items")


def _finding_data(finding: Finding) -> Any:
    return FindingSerializer(_findings(Finding.objects.filter(pk=finding.pk)).get()).data


class FindingListApi(PagedListApi):
    @extend_schema(responses=FindingSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        """The panel's findings, newest first."""
        access = get_review_access(request.user, slug)
        rows = _findings(findings_for_user(request.user).filter(panel=access.panel))
        return self.page(request, rows, FindingSerializer)

    @extend_schema(request=FindingCreateSerializer, responses={201: FindingSerializer})
    def post(self, request: Request, slug: str) -> Response:
        """Write a finding (members, chair, coordinators), about records of one of the panel's sessions or a theme."""
        access = get_review_access(request.user, slug)
        if not access.can_write_findings:
            raise PermissionDenied("Only the panel's members, chair and coordinators can write findings.")
        data = FindingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        session = None
        if values["session"] is not None:
            session = sessions_for_user(request.user).filter(pk=values["session"], panel=access.panel).first()
            if session is None:
                raise ValidationError({"session": ["Not one of this panel's review sessions."]})
        finding = review_services.finding_create(
            panel=access.panel, session=session, data=FindingInput.from_values(values), by=api_user(request)
        )
        return Response(_finding_data(finding), status=status.HTTP_201_CREATED)


class FindingDetailApi(APIView):
    @extend_schema(responses=FindingSerializer)
    def get(self, request: Request, pk: int) -> Response:
        finding, _ = get_finding_for_user(request.user, pk)
        return Response(_finding_data(finding))

    @extend_schema(
        request=FindingUpdateSerializer,
        responses={200: FindingSerializer, 409: FindingConflictSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Change a finding. Send the `version` you started from: if someone else has changed it since, nothing is
        saved and the answer is a 409 with the current finding."""
        finding, _ = get_finding_for_user(request.user, pk, write=True)
        data = FindingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version")
        try:
            finding = review_services.finding_update(
                finding=finding,
                data=FindingInput.from_values({**review_services.finding_values(finding), **values}),
                version=version,
                by=api_user(request),
            )
        except FindingConflict as conflict:
            return Response(
                {"detail": str(conflict), "current": _finding_data(conflict.finding)}, status=status.HTTP_409_CONFLICT
            )
        return Response(_finding_data(finding))


class FindingPublishApi(APIView):
    @extend_schema(request=None, responses=FindingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Publish the finding on the panel's public page (chair and coordinators)."""
        finding, _ = get_finding_for_user(request.user, pk, run=True)
        finding = review_services.finding_publish(finding=finding, by=api_user(request))
        return Response(_finding_data(finding))
