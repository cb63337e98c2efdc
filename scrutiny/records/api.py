"""The encounter records API: imports, rejected rows and the record browser, with the pages' permissions.

Views are thin: parse, reach the object through records/permissions.py, call a service or selector, serialise. A
file that cannot be imported (ImportFailed) or a correction the service refuses is a DomainError: a 400 with its
message, answered in one place (common.api.exception_handler).
"""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panels.typing import api_user
from scrutiny.records import selectors, services
from scrutiny.records.filters import RecordFilterSet
from scrutiny.records.models import EncounterRecord, ImportBatch, RejectedRow
from scrutiny.records.permissions import (
    get_batch_for_user,
    get_force_for_user,
    get_record_for_user,
    get_rejected_row_for_user,
    require_records_role,
)
from scrutiny.records.serializers import (
    BatchSerializer,
    CorrectionOutcomeSerializer,
    CorrectionSerializer,
    RecordDetailSerializer,
    RecordSerializer,
    RedactionCheckSerializer,
    RejectedRowSerializer,
    UploadSerializer,
)


class BatchCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: BatchSerializer})
    def post(self, request: Request, police_uk_id: str) -> Response:
        """Upload a file to import for this force. It is checked at once (a wrong file is a 400) and imported as
        background work: follow the batch's status here or on the WebSocket at /ws/batches/<id>/."""
        force = get_force_for_user(request.user, police_uk_id)
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.batch_create_from_upload(
            file=data.validated_data["file"],
            force=force,
            by=api_user(request),
            source_format=data.validated_data.get("source_format"),
        )
        batch.refresh_from_db()
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class BatchListApi(generics.ListAPIView[ImportBatch]):
    serializer_class = BatchSerializer

    def get_queryset(self) -> Any:
        require_records_role(self.request.user)
        return selectors.batches_for(self.request.user, force=self.request.query_params.get("force", ""))


class BatchDetailApi(APIView):
    @extend_schema(responses=BatchSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(BatchSerializer(get_batch_for_user(request.user, pk)).data)


class RejectedRowListApi(generics.ListAPIView[RejectedRow]):
    """The batch's rejected rows still waiting for a correction, with their line numbers, reasons and values."""

    serializer_class = RejectedRowSerializer

    def get_queryset(self) -> Any:
        batch = get_batch_for_user(self.request.user, self.kwargs["pk"])
        return selectors.rejected_rows_of(batch).select_related("batch")


class RejectedRowCsvApi(APIView):
    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Rejected rows")})
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        batch = get_batch_for_user(request.user, pk)
        return rejected_rows_response(batch, by=api_user(request))


def rejected_rows_response(batch: ImportBatch, *, by: Any) -> StreamingHttpResponse:
    """The batch's unresolved rejected rows as a CSV download (pages and API)."""
    response = StreamingHttpResponse(services.rejected_rows_csv(batch=batch, by=by), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}-rejected-rows.csv"'
    return response


class RejectedRowCorrectApi(APIView):
    @extend_schema(request=CorrectionSerializer, responses=CorrectionOutcomeSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Correct a rejected row's cells and import it into its batch; if it is still not valid it stays
        rejected, with the new reasons."""
        row = get_rejected_row_for_user(request.user, pk)
        data = CorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.rejected_row_correct(row=row, values=data.validated_data["values"], by=api_user(request))
        return Response(outcome)


# The user's records, newest first, narrowed by the records page's filters (records/filters.py); parameters that
# are not valid are a 400 with the messages by parameter.
class RecordListApi(generics.ListAPIView[EncounterRecord]):
    serializer_class = RecordSerializer
    queryset = EncounterRecord.objects.none()  # the schema's model only: the records are get_queryset's
    filter_backends = [DjangoFilterBackend]
    filterset_class = RecordFilterSet

    def get_queryset(self) -> Any:
        require_records_role(self.request.user)
        return selectors.records_for_user(self.request.user)


class RecordDetailApi(APIView):
    @extend_schema(responses=RecordDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One record with its masked grounds. Every view of a record with grounds is written to the audit log."""
        record = get_record_for_user(request.user, pk)
        services.record_viewed(record=record, by=api_user(request), context="api")
        return Response(RecordDetailSerializer(record).data)


class RecordRedactionCheckApi(APIView):
    @extend_schema(request=RedactionCheckSerializer, responses=RecordDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Mark the record's masked grounds as checked, so members may see them in a review session."""
        record = get_record_for_user(request.user, pk)
        data = RedactionCheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.record_redaction_check(
            record=record, by=api_user(request), grounds_text=data.validated_data.get("grounds_text")
        )
        return Response(RecordDetailSerializer(record).data)


urlpatterns: list[Any] = [
    path("forces/<slug:police_uk_id>/batches/", BatchCreateApi.as_view(), name="api-batch-create"),
    path("batches/", BatchListApi.as_view(), name="api-batch-list"),
    path("batches/<int:pk>/", BatchDetailApi.as_view(), name="api-batch-detail"),
    path("batches/<int:pk>/rejected/", RejectedRowListApi.as_view(), name="api-rejected-row-list"),
    path("batches/<int:pk>/rejected.csv", RejectedRowCsvApi.as_view(), name="api-rejected-row-csv"),
    path("rejected/<int:pk>/correct/", RejectedRowCorrectApi.as_view(), name="api-rejected-row-correct"),
    path("records/", RecordListApi.as_view(), name="api-record-list"),
    path("records/<int:pk>/", RecordDetailApi.as_view(), name="api-record-detail"),
    path("records/<int:pk>/redaction-check/", RecordRedactionCheckApi.as_view(), name="api-record-redaction-check"),
]
