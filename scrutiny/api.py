"""The encounter records API: imports, rejected rows and the record browser, with the pages' permissions.

Views are thin: parse, reach the object through scrutiny/permissions.py, call a service or selector, serialise.
A file that cannot be imported (ImportFailed) or a correction the service refuses (ValueError) is a 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panels.api import as_400
from panels.typing import api_user
from scrutiny import choices, selectors, services
from scrutiny.models import EncounterRecord, ImportBatch, RejectedRow
from scrutiny.permissions import (
    forces_for_user,
    get_batch_for_user,
    get_force_for_user,
    get_record_for_user,
    get_rejected_row_for_user,
    require_records_role,
)
from scrutiny.records.importing import ImportFailed


def _service[T](call: Callable[[], T]) -> T:
    return as_400(call, ImportFailed, ValueError)


# --- Serialisers ----------------------------------------------------------------------------


class BatchSerializer(serializers.ModelSerializer[ImportBatch]):
    force = serializers.CharField(source="force.police_uk_id", read_only=True)
    notes = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What the importer saw and read through without changing any search (a re-saved file's "
        "row-index column, another encoding or delimiter, coordinates written as floating point...), one "
        "sentence each; empty for a file as data.police.uk publishes it.",
    )
    run_by = serializers.SerializerMethodField()
    read = serializers.IntegerField(source="read_count", read_only=True)
    imported = serializers.IntegerField(source="imported_count", read_only=True)
    duplicates = serializers.IntegerField(source="duplicate_count", read_only=True)
    rejected = serializers.IntegerField(source="rejected_count", read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "force",
            "source_format",
            "file_name",
            "file_sha256",
            "declared_month",
            "run_by",
            "status",
            "created_at",
            "started_at",
            "finished_at",
            "rows_total",
            "rows_done",
            "read",
            "imported",
            "duplicates",
            "rejected",
            "skipped_lines",
            "error",
            "notes",
        ]
        read_only_fields = fields

    def get_run_by(self, batch: ImportBatch) -> str:
        return str(batch.run_by) if batch.run_by else ""


class UploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        allow_empty_file=False,
        help_text="CSV (comma-, semicolon- or tab-delimited), the API's JSON, or an Excel workbook (.xlsx, first "
        "sheet). The format is decided from the content.",
        error_messages={"empty": "The file is empty.", "required": "Choose a file to upload."},
    )
    source_format = serializers.ChoiceField(
        choices=choices.SourceFormat.choices, required=False, help_text="Detected from the content when left out."
    )


class RejectedRowSerializer(serializers.ModelSerializer[RejectedRow]):
    values = serializers.SerializerMethodField()

    class Meta:
        model = RejectedRow
        fields = ["id", "batch", "line_number", "reasons", "values", "resolved", "resolved_at", "record"]

    def get_values(self, row: RejectedRow) -> dict[str, str]:
        return dict(selectors.rejected_row_values(row))


class CorrectionSerializer(serializers.Serializer[Any]):
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="Corrected cells by column heading; columns left out keep their value.",
    )


CorrectionOutcomeSerializer = inline_serializer(
    "CorrectionOutcome",
    {
        "status": serializers.ChoiceField(choices=["imported", "duplicate", "rejected"]),
        "reasons": serializers.ListField(child=serializers.CharField()),
        "record": serializers.IntegerField(allow_null=True),
    },
)


@extend_schema_field({"type": "string", "description": " or ".join(f"`{k}`" for k in choices.Kind.values)})
class RecordKindField(serializers.CharField):
    """The record's kind. Described, not enumerated: an enum named "kind" would collide with a panel's kind."""


class RecordSerializer(serializers.ModelSerializer[EncounterRecord]):
    kind = RecordKindField(read_only=True)
    force = serializers.CharField(source="force.police_uk_id", read_only=True)
    redaction_pending = serializers.BooleanField(read_only=True)

    class Meta:
        model = EncounterRecord
        fields = [
            "id",
            "kind",
            "force",
            "batch",
            "occurred_at",
            "month",
            "financial_year",
            "search_type",
            "vehicle_only",
            "part_of_policing_operation",
            "policing_operation",
            "latitude",
            "longitude",
            "gender",
            "age_range",
            "self_defined_ethnicity",
            "ethnic_group",
            "officer_defined_ethnicity",
            "legislation",
            "object_of_search",
            "outcome",
            "anything_found",
            "outcome_linked_to_object",
            "removal_of_more_than_outer_clothing",
            "pii_flagged",
            "redaction_pending",
            "redaction_checked_at",
            "body_worn_video",
            "supervisor_signed_off",
            "initiation",
            "officer_pseudonym",
            "uof_tactics",
            "uof_impact_factors",
            "uof_reasons",
            "subject_age_band",
            "subject_injured",
            "subject_injury",
            "officer_injured",
            "uof_outcome",
        ]
        read_only_fields = fields


class RecordDetailSerializer(RecordSerializer):
    """One record with its (masked) grounds text: reading it is written to the audit log."""

    class Meta(RecordSerializer.Meta):
        fields = [*RecordSerializer.Meta.fields, "grounds_text"]
        read_only_fields = fields


class RedactionCheckSerializer(serializers.Serializer[Any]):
    grounds_text = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The grounds with more masked by hand, if needed; it is masked again, so nothing is put back.",
    )


class RecordFilterSerializer(serializers.Serializer[Any]):
    force = serializers.CharField(required=False, help_text="data.police.uk force id, one of yours.")
    month_from = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", required=False, help_text="YYYY-MM")
    month_to = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", required=False, help_text="YYYY-MM")
    legislation = serializers.ChoiceField(choices=choices.Legislation.choices, required=False)
    outcome = serializers.ChoiceField(choices=choices.Outcome.choices, required=False)
    ethnic_group = serializers.ChoiceField(choices=choices.EthnicGroup.choices, required=False)
    flag = serializers.MultipleChoiceField(choices=list(selectors.FLAGS.items()), required=False)

    def to_filters(self) -> selectors.RecordFilters:
        data = self.validated_data

        def month(key: str) -> Any:
            value = data.get(key)
            return selectors.month_start(value) if value else None

        return selectors.RecordFilters(
            force=data.get("force", ""),
            month_from=month("month_from"),
            month_to=month("month_to"),
            legislation=data.get("legislation", ""),
            outcome=data.get("outcome", ""),
            ethnic_group=data.get("ethnic_group", ""),
            flags=frozenset(data.get("flag", ())),
        )


# --- Imports --------------------------------------------------------------------------------


class BatchCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: BatchSerializer})
    def post(self, request: Request, police_uk_id: str) -> Response:
        """Upload a file to import for this force. It is checked at once (a wrong file is a 400) and imported as
        background work: follow the batch's status here or on the WebSocket at /ws/batches/<id>/."""
        force = get_force_for_user(request.user, police_uk_id)
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = _service(
            lambda: services.batch_create_from_upload(
                file=data.validated_data["file"],
                force=force,
                by=api_user(request),
                source_format=data.validated_data.get("source_format"),
            )
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
        outcome = _service(
            lambda: services.rejected_row_correct(row=row, values=data.validated_data["values"], by=api_user(request))
        )
        return Response(outcome)


# --- Records --------------------------------------------------------------------------------


class RecordListApi(generics.ListAPIView[EncounterRecord]):
    serializer_class = RecordSerializer

    @extend_schema(parameters=[RecordFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        user = self.request.user
        require_records_role(user)
        params = RecordFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.to_filters()
        if filters.force and not forces_for_user(user).filter(police_uk_id=filters.force).exists():
            raise ValidationError({"force": ["Not one of your forces."]})
        return selectors.records_for_user(user, filters)


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
