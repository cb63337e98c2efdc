"""The encounter records API's serialisers: shapes only, no logic (DESIGN.md §2)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from scrutiny import choices
from scrutiny.records import selectors
from scrutiny.records.fields import EXTRACT_FIELDS, PUBLISHED_FIELDS, USE_OF_FORCE_FIELDS
from scrutiny.records.models import EncounterRecord, ImportBatch, RejectedRow


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
            *PUBLISHED_FIELDS,
            "pii_flagged",
            "redaction_pending",
            "redaction_checked_at",
            *EXTRACT_FIELDS,
            "officer_pseudonym",
            *USE_OF_FORCE_FIELDS,
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
