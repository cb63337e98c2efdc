"""Findings and escalations through the API: optimistic locking (409), steps by role, nothing that names who
scored or raised a concern shown to the force."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panels.models import Organisation
from panels.typing import api_user
from scrutiny.api_reviews.common import PagedListApi, call_service, may_take_step
from scrutiny.api_reviews.serializers import (
    EscalateSerializer,
    EscalationConflictSerializer,
    EscalationDetailSerializer,
    EscalationSerializer,
    EscalationStepSerializer,
    FindingConflictSerializer,
    FindingCreateSerializer,
    FindingSerializer,
    FindingUpdateSerializer,
)
from scrutiny.escalations.models import STEPS
from scrutiny.models import Escalation, EscalationEvent, Finding
from scrutiny.permissions import (
    EscalationAccess,
    escalations_for_user,
    findings_for_user,
    get_escalation_for_user,
    get_finding_for_user,
    get_review_access,
    sessions_for_user,
)
from scrutiny.services import escalations as escalation_services
from scrutiny.services import reviews as review_services
from scrutiny.services.escalations import EscalationConflict
from scrutiny.services.reviews import FindingConflict, FindingInput

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
        finding = call_service(
            lambda: review_services.finding_create(
                panel=access.panel, session=session, data=FindingInput.from_values(values), by=api_user(request)
            )
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
        current = {
            "title": finding.title,
            "category": finding.category,
            "rag": finding.rag,
            "observation": finding.observation,
            "recommendation": finding.recommendation,
            "items": list(finding.items.values_list("pk", flat=True)),
        }
        try:
            finding = call_service(
                lambda: review_services.finding_update(
                    finding=finding,
                    data=FindingInput.from_values({**current, **values}),
                    version=version,
                    by=api_user(request),
                )
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
        finding = call_service(lambda: review_services.finding_publish(finding=finding, by=api_user(request)))
        return Response(_finding_data(finding))


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
        escalation = call_service(
            lambda: escalation_services.escalation_send(
                finding=finding, force=force, question=data.validated_data["question"], by=api_user(request)
            )
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
        if step in STEPS and not may_take_step(access, step):
            raise PermissionDenied(f"You cannot take the step “{step}” on this escalation.")
        try:
            escalation = call_service(
                lambda: escalation_services.escalation_step(
                    escalation=escalation, step=step, by=api_user(request), **values
                )
            )
        except EscalationConflict as conflict:
            return Response({"detail": str(conflict)}, status=status.HTTP_409_CONFLICT)
        return Response(_escalation_detail(escalation, access))
