"""Escalations through the API: a finding sent to a force, the list and detail a user may read, and each step,
with optimistic locking (409) and steps by role (`EscalationAccess.may_take`, the pages' rule too). Nothing that
names who scored or raised a concern is shown to the force."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panels.models import Organisation
from panels.typing import api_user
from scrutiny.escalations import services as escalation_services
from scrutiny.escalations.models import STEPS, Escalation, EscalationEvent
from scrutiny.escalations.permissions import EscalationAccess, escalations_for_user, get_escalation_for_user
from scrutiny.escalations.serializers import (
    EscalateSerializer,
    EscalationConflictSerializer,
    EscalationDetailSerializer,
    EscalationSerializer,
    EscalationStepSerializer,
)
from scrutiny.escalations.services import EscalationConflict
from scrutiny.reviews.api.common import PagedListApi
from scrutiny.reviews.permissions import get_finding_for_user


class FindingEscalateApi(APIView):
    @extend_schema(request=EscalateSerializer, responses={201: EscalationDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Send the finding to a force in the panel's area for an answer (chair and coordinators)."""
        finding, _ = get_finding_for_user(request.user, pk, run=True)
        data = EscalateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        force = Organisation.objects.filter(
            kind=Organisation.Kind.FORCE,
            force_area_id=finding.panel.force_area_id,
            police_uk_id=data.validated_data["force"],
        ).first()
        if force is None:
            raise ValidationError({"force": ["Not a police force in the panel's force area."]})
        escalation = escalation_services.escalation_send(
            finding=finding, force=force, question=data.validated_data["question"], by=api_user(request)
        )
        escalation, access = get_escalation_for_user(request.user, escalation.pk)
        return Response(_escalation_detail(escalation, access), status=status.HTTP_201_CREATED)


# --- Escalations ------------------------------------------------------------------------------------------------


def _escalations(rows: QuerySet[Escalation]) -> QuerySet[Escalation]:
    return rows.select_related("finding", "finding__panel", "force").prefetch_related("finding__items")


def _escalation_detail(escalation: Escalation, access: EscalationAccess) -> Any:
    row = (
        _escalations(Escalation.objects.filter(pk=escalation.pk))
        .prefetch_related(Prefetch("events", queryset=EscalationEvent.objects.order_by("at", "pk")))
        .get()
    )
    context = {"access": access, "panel_view": access.review.can_view}
    return EscalationDetailSerializer(row, context=context).data


class EscalationListApi(PagedListApi):
    @extend_schema(responses=EscalationSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Escalations you may read: your panels', your force's (force liaison), your force area's (OPCC)."""
        rows = _escalations(escalations_for_user(request.user)).order_by("due_date", "pk")
        return self.page(request, rows, EscalationSerializer)


class EscalationDetailApi(APIView):
    @extend_schema(responses=EscalationDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The escalation with its timeline and the steps you may take. No individual scores, and the force sees
        which side acted, not which member."""
        escalation, access = get_escalation_for_user(request.user, pk)
        return Response(_escalation_detail(escalation, access))


class EscalationStepApi(APIView):
    @extend_schema(
        request=EscalationStepSerializer,
        responses={200: EscalationDetailSerializer, 409: EscalationConflictSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Take a step: `acknowledge` and `respond` (the force's liaison officers), `accept` and `dispute` (the
        panel's chair and coordinators), `close` (those, or the area's OPCC officers). Send the `version` you saw:
        if the escalation has moved on since, nothing changes and the answer is a 409."""
        escalation, access = get_escalation_for_user(request.user, pk)
        data = EscalationStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        step = values.pop("step")
        if step in STEPS and not access.may_take(step):
            raise PermissionDenied(f"You cannot take the step “{step}” on this escalation.")
        try:
            escalation = escalation_services.escalation_step(
                escalation=escalation,
                step=step,
                by=api_user(request),
                data=escalation_services.StepInput.from_values(values),
            )
        except EscalationConflict as conflict:
            return Response({"detail": str(conflict)}, status=status.HTTP_409_CONFLICT)
        return Response(_escalation_detail(escalation, access))


urlpatterns = [
    path("findings/<int:pk>/escalate/", FindingEscalateApi.as_view(), name="api-finding-escalate"),
    path("escalations/", EscalationListApi.as_view(), name="api-escalation-list"),
    path("escalations/<int:pk>/", EscalationDetailApi.as_view(), name="api-escalation-detail"),
    path("escalations/<int:pk>/steps/", EscalationStepApi.as_view(), name="api-escalation-step"),
]
