"""The escalation API's serialisers: shapes only, no logic. The finding as the force sees it never names who
scored or raised it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from common.api import choices_help
from scrutiny.escalations.models import STEPS, Escalation, EscalationEvent, EscalationStatus
from scrutiny.escalations.selectors import event_actor
from scrutiny.reviews.models import Finding

EscalationConflictSerializer = inline_serializer("EscalationConflict", {"detail": serializers.CharField()})


class EscalateSerializer(serializers.Serializer[Any]):
    force = serializers.CharField(help_text="The data.police.uk id of a force in the panel's area.")
    question = serializers.CharField(allow_blank=True, required=False, default="")


class EscalationFindingSerializer(serializers.ModelSerializer[Finding]):
    """The finding as the force sees it: what the panel saw and recommends, and which records; never who."""

    panel = serializers.CharField(source="panel.name", read_only=True)
    category = serializers.CharField(read_only=True)
    rag = serializers.CharField(read_only=True)
    records = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = ["id", "panel", "title", "category", "rag", "observation", "recommendation", "records"]
        read_only_fields = fields

    def get_records(self, finding: Finding) -> list[int]:
        return [item.record_id for item in finding.items.all()]


class EscalationSerializer(serializers.ModelSerializer[Escalation]):
    finding = EscalationFindingSerializer(read_only=True)
    force = serializers.CharField(source="force.police_uk_id", read_only=True)
    force_name = serializers.CharField(source="force.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text=choices_help(EscalationStatus.choices))
    action_taken = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Escalation
        fields = [
            "id",
            "finding",
            "force",
            "force_name",
            "status",
            "question",
            "sent_at",
            "due_date",
            "overdue",
            "acknowledged_at",
            "responded_at",
            "response",
            "action_taken",
            "no_action_reason",
            "referred_to_opcc_at",
            "closed_at",
            "outcome",
            "version",
        ]
        read_only_fields = fields

    def get_overdue(self, escalation: Escalation) -> bool:
        return escalation.is_overdue(timezone.localdate())


class EscalationEventSerializer(serializers.ModelSerializer[EscalationEvent]):
    status = serializers.CharField(read_only=True)
    by = serializers.SerializerMethodField(
        help_text="Who took the step: a person's name for the panel's own people; otherwise the panel or the force."
    )

    class Meta:
        model = EscalationEvent
        fields = ["step", "status", "at", "by", "note"]
        read_only_fields = fields

    def get_by(self, event: EscalationEvent) -> str:
        return event_actor(event, event.escalation, panel_view=bool(self.context.get("panel_view")))


class EscalationDetailSerializer(EscalationSerializer):
    events = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField(help_text="The steps you may take now.")

    class Meta(EscalationSerializer.Meta):
        fields = [*EscalationSerializer.Meta.fields, "steps", "events"]
        read_only_fields = fields

    @extend_schema_field(EscalationEventSerializer(many=True))
    def get_events(self, escalation: Escalation) -> Any:
        return EscalationEventSerializer(escalation.events.all(), many=True, context=self.context).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_steps(self, escalation: Escalation) -> list[str]:
        access = self.context.get("access")
        if access is None:
            return []
        return access.steps_now(escalation)


class EscalationStepSerializer(serializers.Serializer[Any]):
    step = serializers.CharField(help_text=choices_help([(s, s) for s in STEPS]))
    version = serializers.IntegerField(help_text="The escalation's version you saw; a newer one is a 409.")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why (needed to dispute).")
    response = serializers.CharField(required=False, allow_blank=True, default="", help_text="To respond.")
    action_taken = serializers.CharField(required=False, allow_blank=True, default="", help_text="To respond.")
    no_action_reason = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.CharField(required=False, allow_blank=True, default="", help_text="To close.")
