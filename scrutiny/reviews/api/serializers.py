"""The review API's serialisers: shapes only, no logic (DESIGN.md §2).

Status-like fields are plain strings with their values in the description: several models have a "status", and
enumerating each would make colliding enum names in the schema.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from common.api import choices_help
from scrutiny.records.fields import EXTRACT_FIELDS, PUBLISHED_FIELDS, USE_OF_FORCE_FIELDS
from scrutiny.records.models import EncounterRecord
from scrutiny.records.selectors import withdrawn_note
from scrutiny.records.serializers import RecordKindField
from scrutiny.reviews.models import Assessment, Finding, ReviewSession, SessionRecord


class SessionRecordFieldsSerializer(serializers.ModelSerializer[EncounterRecord]):
    """The record as members see it in a session: the published fields, no force identifiers or pseudonyms."""

    kind = RecordKindField(read_only=True)
    withdrawn_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When data.police.uk stopped publishing it; null while it does."
    )
    withdrawn_note = serializers.SerializerMethodField(
        help_text="What the session says of a record data.police.uk no longer publishes; empty while it does."
    )

    class Meta:
        model = EncounterRecord
        fields = [
            "id",
            "kind",
            "occurred_at",
            "month",
            *PUBLISHED_FIELDS,
            *EXTRACT_FIELDS,
            *USE_OF_FORCE_FIELDS,
            "withdrawn_at",
            "withdrawn_note",
        ]
        read_only_fields = fields

    def get_withdrawn_note(self, record: EncounterRecord) -> str:
        return withdrawn_note(record.withdrawn_at)


class SessionRecordGroundsSerializer(SessionRecordFieldsSerializer):
    grounds_text = serializers.CharField(read_only=True, help_text="The recorded grounds, masked; checked if flagged.")

    class Meta(SessionRecordFieldsSerializer.Meta):
        fields = [*SessionRecordFieldsSerializer.Meta.fields, "grounds_text"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer[SessionRecord]):
    record = SessionRecordFieldsSerializer(read_only=True)
    revealed = serializers.BooleanField(source="is_revealed", read_only=True)
    agreed_grounds = serializers.CharField(read_only=True, help_text="The panel's agreed view; empty until agreed.")
    agreed_grade = serializers.IntegerField(read_only=True, allow_null=True, help_text="1 (green) to 9 (red).")
    scored = serializers.IntegerField(read_only=True, help_text="Submitted scores: a count, never whose.")
    my_status = serializers.SerializerMethodField(help_text="Your own score: `draft`, `submitted`, or empty.")

    class Meta:
        model = SessionRecord
        fields = [
            "id",
            "position",
            "stratum",
            "hand_picked",
            "revealed",
            "revealed_at",
            "agreed_grounds",
            "agreed_grade",
            "agreed_note",
            "agreed_at",
            "scored",
            "my_status",
            "record",
        ]
        read_only_fields = fields

    def get_my_status(self, item: SessionRecord) -> str:
        mine = getattr(item, "mine", [])
        return mine[0].status if mine else ""


class SpreadSerializer(serializers.Serializer[Any]):
    grounds = serializers.DictField(child=serializers.IntegerField())
    grades = serializers.DictField(child=serializers.IntegerField())
    scored = serializers.IntegerField()


class ItemDetailSerializer(ItemSerializer):
    """One record of the session with its grounds. Reading it is written to the audit log."""

    record = SessionRecordGroundsSerializer(read_only=True)
    session = serializers.IntegerField(source="session_id", read_only=True)
    scorers = serializers.IntegerField(read_only=True, help_text="People on the panel who score.")
    spread = serializers.SerializerMethodField(help_text="How the submitted scores fell; null until the reveal.")

    class Meta(ItemSerializer.Meta):
        fields = ["session", *ItemSerializer.Meta.fields, "scorers", "spread"]
        read_only_fields = fields

    @extend_schema_field(SpreadSerializer(allow_null=True))
    def get_spread(self, item: SessionRecord) -> Any:
        return getattr(item, "spread", None)


class SessionSerializer(serializers.ModelSerializer[ReviewSession]):
    panel = serializers.CharField(source="panel.slug", read_only=True)
    kind = RecordKindField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=choices_help(ReviewSession.Status.choices))
    items_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReviewSession
        fields = ["id", "panel", "title", "date", "kind", "status", "items_count", "created_at", "closed_at"]
        read_only_fields = fields


class SessionDetailSerializer(SessionSerializer):
    sample_spec = serializers.JSONField(read_only=True)
    description = serializers.CharField(read_only=True, help_text="The sample in one line.")
    current = serializers.IntegerField(source="current_id", read_only=True, allow_null=True)
    items = ItemSerializer(source="item_rows", many=True, read_only=True)
    can_score = serializers.BooleanField(read_only=True)
    can_run = serializers.BooleanField(read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [
            *SessionSerializer.Meta.fields,
            "sample_spec",
            "description",
            "current",
            "can_score",
            "can_run",
            "items",
        ]
        read_only_fields = fields


class SessionCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    date = serializers.DateField()
    sample_spec = serializers.JSONField(
        help_text="method (random, stratified, proportional), size, seed, kind, month_from, month_to (YYYY-MM), "
        "legislation, outcome, object_of_search, age_range, ethnic_group (lists), bwv_missing, grounds_flagged, "
        "cannabis_smell_only (true/false), hand_picked (record ids). See docs/api.md."
    )


class AddRecordSerializer(serializers.Serializer[Any]):
    record = serializers.IntegerField(help_text="The id of one of the panel's force's records.")


class GoToSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField(allow_null=True, help_text="A record of this session (its item id), or null.")


class AgreeSerializer(serializers.Serializer[Any]):
    grounds = serializers.CharField(help_text="`reasonable`, `unclear` or `not_reasonable`.")
    grade = serializers.IntegerField(required=False, allow_null=True, help_text="1 (green) to 9 (red).")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    """A score as the panel reads it after the reveal: whose it is is not shown (only whether it is yours), as on
    the session page."""

    mine = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text="`draft` or `submitted`.")
    grounds = serializers.CharField(read_only=True, help_text="`reasonable`, `unclear`, `not_reasonable` or empty.")
    body_worn_video = serializers.CharField(read_only=True)
    grade = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "item",
            "mine",
            "status",
            "grounds",
            "checklist",
            "body_worn_video",
            "concerns",
            "grade",
            "comment",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_mine(self, assessment: Assessment) -> bool:
        return bool(assessment.member_id == self.context.get("user_id"))


class AssessmentInputSerializer(serializers.Serializer[Any]):
    grounds = serializers.CharField(required=False, allow_blank=True, default="")
    checklist = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    body_worn_video = serializers.CharField(required=False, allow_blank=True, default="")
    concerns = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    grade = serializers.IntegerField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(
        required=False, default=False, help_text="true to submit; false saves a draft (and takes back a submission)."
    )


class ShareSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    hits = serializers.IntegerField(help_text="Records judged not reasonable.")
    total = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)
    small = serializers.BooleanField(help_text="Fewer than 10 records: not a figure to publish.")


class KappaSerializer(serializers.Serializer[Any]):
    value = serializers.FloatField(allow_null=True)
    items = serializers.IntegerField()
    raters_mean = serializers.FloatField()
    observed = serializers.FloatField(allow_null=True)
    expected = serializers.FloatField(allow_null=True)
    interpretation = serializers.CharField()


class SessionStatsSerializer(serializers.Serializer[Any]):
    kappa = KappaSerializer()
    summary = serializers.DictField(child=ShareSerializer(many=True))


class FindingSerializer(serializers.ModelSerializer[Finding]):
    panel = serializers.CharField(source="panel.slug", read_only=True)
    items: serializers.PrimaryKeyRelatedField[SessionRecord] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    category = serializers.CharField(read_only=True, help_text=choices_help(Finding.Category.choices))
    rag = serializers.CharField(read_only=True, help_text=choices_help(Finding.Rag.choices))
    updated_by = serializers.SerializerMethodField()
    escalation = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "panel",
            "session",
            "items",
            "title",
            "category",
            "rag",
            "observation",
            "recommendation",
            "version",
            "published_at",
            "created_at",
            "updated_at",
            "updated_by",
            "escalation",
        ]
        read_only_fields = fields

    def get_updated_by(self, finding: Finding) -> str:
        return str(finding.updated_by) if finding.updated_by else ""

    def get_escalation(self, finding: Finding) -> int | None:
        escalation = getattr(finding, "escalation", None)
        return escalation.pk if escalation is not None else None


class FindingWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, allow_blank=True)
    category = serializers.CharField(help_text=choices_help(Finding.Category.choices))
    rag = serializers.CharField(help_text=choices_help(Finding.Rag.choices))
    observation = serializers.CharField(allow_blank=True, help_text="What the panel saw.")
    recommendation = serializers.CharField(required=False, allow_blank=True, default="")
    items = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="Item ids of the records concerned."
    )


class FindingCreateSerializer(FindingWriteSerializer):
    session = serializers.IntegerField(required=False, allow_null=True, default=None)


class FindingUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The version you started from; a newer one on the server is a 409.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.CharField(required=False)
    rag = serializers.CharField(required=False)
    observation = serializers.CharField(required=False, allow_blank=True)
    recommendation = serializers.CharField(required=False, allow_blank=True)
    items = serializers.ListField(child=serializers.IntegerField(), required=False)


FindingConflictSerializer = inline_serializer(
    "FindingConflict", {"detail": serializers.CharField(), "current": FindingSerializer()}
)
