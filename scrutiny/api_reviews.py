"""The review API: sessions and their samples, a member's own assessments, the chair's steps, findings,
escalations and the panel's audit log, with the same permissions as the pages (docs/api.md).

Views are thin: reach the object through scrutiny/permissions.py, call a service or selector, serialise.
A step the service refuses (ReviewError, SpecError) is a 400 with its message; a finding or escalation changed by
someone else since it was read is a 409. Other members' scores are read only through
`selectors.assessments_visible_to`, and nothing an escalation shows to a force names who scored or raised it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panels.models import Organisation
from panels.typing import api_user
from scrutiny import selectors
from scrutiny.api import RecordKindField
from scrutiny.models import (
    Assessment,
    AuditEvent,
    EncounterRecord,
    Escalation,
    EscalationEvent,
    EscalationStatus,
    Finding,
    ReviewSession,
    SessionRecord,
)
from scrutiny.models.escalations import STEPS
from scrutiny.permissions import (
    EscalationAccess,
    ReviewAccess,
    escalations_for_user,
    findings_for_user,
    get_escalation_for_user,
    get_finding_for_user,
    get_item_for_user,
    get_review_access,
    get_session_for_user,
    sessions_for_user,
)
from scrutiny.sampling import SampleSpec, SpecError
from scrutiny.services import escalations as escalation_services
from scrutiny.services import record_viewed
from scrutiny.services import reviews as review_services
from scrutiny.services.escalations import EscalationConflict
from scrutiny.services.reviews import AssessmentInput, FindingConflict, FindingInput

AUDIT_REFUSAL = "Only the panel's coordinators can read its audit log."
SCORE_REFUSAL = "Only the panel's members and chair score records."


def _service[T](call: Callable[[], T]) -> T:
    try:
        return call()
    except (EscalationConflict, FindingConflict):
        raise
    except ValueError as exc:  # ReviewError, SpecError
        raise ValidationError({"detail": [str(exc)]}) from None


class _ListApi(APIView):
    """A view whose GET is a limit/offset page of results, as the generic list views give."""

    pagination_class = LimitOffsetPagination

    def page(self, request: Request, rows: QuerySet[Any], serializer: type[serializers.BaseSerializer[Any]]) -> Any:
        paginator = self.pagination_class()
        found = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(serializer(found, many=True, context={"request": request}).data)


# --- Serialisers (shapes only: no logic) ----------------------------------------------------------------------
#
# Status-like fields are plain strings with their values in the description: several models have a "status", and
# enumerating each would make colliding enum names in the schema.


def _values(choices: Sequence[tuple[Any, str]]) -> str:
    return "One of " + ", ".join(f"`{v}`" for v, _ in choices) + "."


class SessionRecordFieldsSerializer(serializers.ModelSerializer[EncounterRecord]):
    """The record as members see it in a session: the published fields, no force identifiers or pseudonyms."""

    kind = RecordKindField(read_only=True)

    class Meta:
        model = EncounterRecord
        fields = [
            "id",
            "kind",
            "occurred_at",
            "month",
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
            "body_worn_video",
            "supervisor_signed_off",
            "initiation",
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
    status = serializers.CharField(read_only=True, help_text=_values(ReviewSession.Status.choices))
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
    member = serializers.CharField(source="member.__str__", read_only=True)
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
            "member",
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
    category = serializers.CharField(read_only=True, help_text=_values(Finding.Category.choices))
    rag = serializers.CharField(read_only=True, help_text=_values(Finding.Rag.choices))
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
    category = serializers.CharField(help_text=_values(Finding.Category.choices))
    rag = serializers.CharField(help_text=_values(Finding.Rag.choices))
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
    status = serializers.CharField(read_only=True, help_text=_values(EscalationStatus.choices))
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
        if self.context.get("panel_view"):
            return event.actor_label
        # Force and OPCC staff see which side acted, never which panel member: docs/threat-model.md.
        escalation = event.escalation
        if event.step in ("acknowledge", "respond"):
            return escalation.force.name
        if event.step == "reminder":
            return "system"
        return "" if event.step == "close" else escalation.finding.panel.name


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
        return [s for s, (allowed_from, _) in STEPS.items() if escalation.status in allowed_from and _may(access, s)]


class EscalationStepSerializer(serializers.Serializer[Any]):
    step = serializers.CharField(help_text=_values([(s, s) for s in STEPS]))
    version = serializers.IntegerField(help_text="The escalation's version you saw; a newer one is a 409.")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why (needed to dispute).")
    response = serializers.CharField(required=False, allow_blank=True, default="", help_text="To respond.")
    action_taken = serializers.CharField(required=False, allow_blank=True, default="", help_text="To respond.")
    no_action_reason = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.CharField(required=False, allow_blank=True, default="", help_text="To close.")


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.CharField(source="actor_label", read_only=True)
    action = serializers.CharField(read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "action", "action_label", "object_type", "object_id", "detail"]
        read_only_fields = fields


# --- Reads shared with the pages -------------------------------------------------------------------------------


def audit_events_for(access: ReviewAccess) -> QuerySet[AuditEvent]:
    """The panel's audit log, newest first, for those who may read it (coordinators, superusers); 403 otherwise."""
    if not access.can_read_audit:
        raise PermissionDenied(AUDIT_REFUSAL)
    return AuditEvent.objects.filter(panel=access.panel).order_by("-at", "-pk")


def _session_rows(session: ReviewSession, user: Any) -> QuerySet[SessionRecord]:
    own = Assessment.objects.filter(member=user).only("id", "item_id", "status")
    return (
        session.items.select_related("record")
        .annotate(scored=Count("assessments", filter=Q(assessments__status=Assessment.Status.SUBMITTED)))
        .prefetch_related(Prefetch("assessments", queryset=own, to_attr="mine"))
        .order_by("position")
    )


def _describe(spec: dict[str, Any]) -> str:
    try:
        return SampleSpec.from_json(spec).describe()
    except SpecError:
        return ""


def _session_detail(session: ReviewSession, access: ReviewAccess, user: Any) -> Any:
    session.item_rows = _session_rows(session, user)  # type: ignore[attr-defined]
    session.description = _describe(session.sample_spec)  # type: ignore[attr-defined]
    session.items_count = len(session.item_rows)  # type: ignore[attr-defined]
    session.can_score = access.can_score  # type: ignore[attr-defined]
    session.can_run = access.can_run  # type: ignore[attr-defined]
    return SessionDetailSerializer(session).data


def _item_detail(item: SessionRecord, user: Any) -> Any:
    row = _session_rows(item.session, user).select_related("session").get(pk=item.pk)
    if row.record.pii_flagged and row.record.redaction_checked_at is None:
        row.record.grounds_text = ""  # never shown before a coordinator's check (the sample leaves these out anyway)
    row.scorers = selectors.scored_count(row)[1]  # type: ignore[attr-defined]
    row.spread = selectors.spread(row) if row.is_revealed else None  # type: ignore[attr-defined]
    return ItemDetailSerializer(row).data


# --- Sessions ---------------------------------------------------------------------------------------------------


class SessionListApi(_ListApi):
    @extend_schema(responses=SessionSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        """The panel's review sessions, newest first."""
        access = get_review_access(request.user, slug)
        rows = sessions_for_user(request.user).filter(panel=access.panel).select_related("panel")
        return self.page(request, rows.annotate(items_count=Count("items")), SessionSerializer)

    @extend_schema(request=SessionCreateSerializer, responses={201: SessionDetailSerializer})
    def post(self, request: Request, slug: str) -> Response:
        """Create a session and draw its sample (chair and coordinators). A specification that cannot be drawn,
        or that matches no records, is a 400 saying what to change."""
        access = get_review_access(request.user, slug, run=True)
        data = SessionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        spec_json = data.validated_data["sample_spec"]
        if not isinstance(spec_json, dict):
            raise ValidationError({"sample_spec": ["Give the sample as an object of settings."]})
        user = api_user(request)
        session = _service(
            lambda: review_services.session_create(
                panel=access.panel,
                title=data.validated_data["title"],
                day=data.validated_data["date"],
                spec=SampleSpec.from_json(spec_json),
                by=user,
            )
        )
        return Response(_session_detail(session, access, user), status=status.HTTP_201_CREATED)


class SessionDetailApi(APIView):
    @extend_schema(responses=SessionDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The session and its records (published fields, no grounds), the current record, and for each record
        the number of submitted scores and your own score's status. Never anyone else's scores."""
        session, access = get_session_for_user(request.user, pk)
        return Response(_session_detail(session, access, request.user))


class SessionAddRecordApi(APIView):
    @extend_schema(request=AddRecordSerializer, responses={201: ItemSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Add one of the panel's force's records by hand (chair and coordinators)."""
        session, _ = get_session_for_user(request.user, pk, run=True)
        data = AddRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = _service(
            lambda: review_services.session_add_record(
                session=session, record_id=data.validated_data["record"], by=api_user(request)
            )
        )
        row = _session_rows(session, request.user).get(pk=item.pk)
        return Response(ItemSerializer(row).data, status=status.HTTP_201_CREATED)


class SessionGoToApi(APIView):
    @extend_schema(request=GoToSerializer, responses=SessionDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Put the live meeting on a record of the session (chair and coordinators)."""
        session, access = get_session_for_user(request.user, pk, run=True)
        data = GoToSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = None
        if data.validated_data["item"] is not None:
            item = session.items.filter(pk=data.validated_data["item"]).first()
            if item is None:
                raise ValidationError({"detail": ["That record is not in this session."]})
        session = _service(lambda: review_services.session_go_to(session=session, item=item, by=api_user(request)))
        return Response(_session_detail(session, access, request.user))


class SessionNextApi(APIView):
    @extend_schema(request=None, responses=SessionDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Move the live meeting to the next record (chair and coordinators); 400 on the last."""
        session, access = get_session_for_user(request.user, pk, run=True)
        session = _service(lambda: review_services.session_next(session=session, by=api_user(request)))
        return Response(_session_detail(session, access, request.user))


class SessionCloseApi(APIView):
    @extend_schema(request=None, responses=SessionDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Close the session (chair and coordinators): no more scores or agreed views."""
        session, access = get_session_for_user(request.user, pk, run=True)
        session = _service(lambda: review_services.session_close(session=session, by=api_user(request)))
        return Response(_session_detail(session, access, request.user))


class SessionStatsApi(APIView):
    @extend_schema(responses=SessionStatsSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """Fleiss' kappa on the grounds ratings and the share judged not reasonable by ethnic group, outcome and
        legislation (the panel's agreed view, or the members' majority where none was agreed). Open to the panel,
        as the session's summary page is."""
        session, _ = get_session_for_user(request.user, pk)
        kappa = selectors.session_kappa(session)
        summary = selectors.session_summary(session)
        return Response(
            SessionStatsSerializer(
                {
                    "kappa": {
                        "value": kappa.value,
                        "items": kappa.items,
                        "raters_mean": kappa.raters_mean,
                        "observed": kappa.observed,
                        "expected": kappa.expected,
                        "interpretation": kappa.interpretation,
                    },
                    "summary": {
                        name: [
                            {"key": s.key, "hits": s.hits, "total": s.total, "share": s.share, "small": s.small}
                            for s in shares
                        ]
                        for name, shares in summary.items()
                    },
                }
            ).data
        )


# --- Records in a session: detail, assessments, the chair's steps -----------------------------------------------


class ItemDetailApi(APIView):
    @extend_schema(responses=ItemDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One record of a session with its masked grounds; after the reveal, how the scores fell (counts only).
        A view of grounds text is written to the audit log."""
        item, _ = get_item_for_user(request.user, pk)
        record_viewed(record=item.record, by=api_user(request), context=f"review session {item.session_id}")
        return Response(_item_detail(item, request.user))


class ItemAssessmentListApi(APIView):
    @extend_schema(responses=AssessmentSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The scores of this record you may read: your own always; everyone's submitted scores once the chair
        has revealed the record."""
        item, _ = get_item_for_user(request.user, pk)
        rows = selectors.assessments_visible_to(request.user, item).select_related("member")
        return Response(AssessmentSerializer(rows, many=True, context={"user_id": request.user.pk}).data)


class MyAssessmentApi(APIView):
    @extend_schema(
        responses={200: AssessmentSerializer, 204: OpenApiResponse(description="You have not scored this record.")}
    )
    def get(self, request: Request, pk: int) -> Response:
        """Your own score of this record; 204 if you have not scored it."""
        item, _ = get_item_for_user(request.user, pk)
        mine = selectors.assessments_visible_to(request.user, item).filter(member=api_user(request)).first()
        if mine is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(AssessmentSerializer(mine, context={"user_id": request.user.pk}).data)

    @extend_schema(request=AssessmentInputSerializer, responses=AssessmentSerializer)
    def put(self, request: Request, pk: int) -> Response:
        """Save your own score (members and the chair): a draft, or submitted with `submit: true` (grounds and a
        grade needed). Refused once the chair has revealed the record."""
        item, access = get_item_for_user(request.user, pk)
        if not access.can_score:
            raise PermissionDenied(SCORE_REFUSAL)
        data = AssessmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        submit = values.pop("submit")
        assessment = _service(
            lambda: review_services.assessment_save(
                item=item, member=api_user(request), data=AssessmentInput(**values), submit=submit
            )
        )
        return Response(AssessmentSerializer(assessment, context={"user_id": request.user.pk}).data)


class ItemRevealApi(APIView):
    @extend_schema(request=None, responses=ItemDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Reveal the record's submitted scores to the panel (chair and coordinators). Drafts stay private."""
        item, _ = get_item_for_user(request.user, pk, run=True)
        item = _service(lambda: review_services.item_reveal(item=item, by=api_user(request)))
        return Response(_item_detail(item, request.user))


class ItemAgreeApi(APIView):
    @extend_schema(request=AgreeSerializer, responses=ItemDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Record the panel's agreed view of the record, after the reveal (chair and coordinators)."""
        item, _ = get_item_for_user(request.user, pk, run=True)
        data = AgreeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = _service(
            lambda: review_services.item_agree(
                item=item,
                grounds=data.validated_data["grounds"],
                grade=data.validated_data.get("grade"),
                note=data.validated_data["note"],
                by=api_user(request),
            )
        )
        return Response(_item_detail(item, request.user))


# --- Findings ---------------------------------------------------------------------------------------------------


def _findings(rows: QuerySet[Finding]) -> QuerySet[Finding]:
    return rows.select_related("panel", "updated_by", "escalation").prefetch_related("items")


def _finding_data(finding: Finding) -> Any:
    return FindingSerializer(_findings(Finding.objects.filter(pk=finding.pk)).get()).data


class FindingListApi(_ListApi):
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
        finding = _service(
            lambda: review_services.finding_create(
                panel=access.panel, session=session, data=_finding_input(values), by=api_user(request)
            )
        )
        return Response(_finding_data(finding), status=status.HTTP_201_CREATED)


def _finding_input(values: dict[str, Any]) -> FindingInput:
    return FindingInput(
        title=values["title"],
        category=values["category"],
        rag=values["rag"],
        observation=values["observation"],
        recommendation=values["recommendation"],
        item_ids=list(values["items"]),
    )


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
            finding = _service(
                lambda: review_services.finding_update(
                    finding=finding, data=_finding_input({**current, **values}), version=version, by=api_user(request)
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
        finding = _service(lambda: review_services.finding_publish(finding=finding, by=api_user(request)))
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
        escalation = _service(
            lambda: escalation_services.escalation_send(
                finding=finding, force=force, question=data.validated_data["question"], by=api_user(request)
            )
        )
        escalation, access = get_escalation_for_user(request.user, escalation.pk)
        return Response(_escalation_detail(escalation, access), status=status.HTTP_201_CREATED)


# --- Escalations ------------------------------------------------------------------------------------------------


def _may(access: EscalationAccess, step: str) -> bool:
    if step in ("acknowledge", "respond"):
        return access.can_answer
    if step in ("accept", "dispute"):
        return access.can_decide
    if step == "close":
        return access.can_close
    return False


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


class EscalationListApi(_ListApi):
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
        if step in STEPS and not _may(access, step):
            raise PermissionDenied(f"You cannot take the step “{step}” on this escalation.")
        try:
            escalation = _service(
                lambda: escalation_services.escalation_step(
                    escalation=escalation, step=step, by=api_user(request), **values
                )
            )
        except EscalationConflict as conflict:
            return Response({"detail": str(conflict)}, status=status.HTTP_409_CONFLICT)
        return Response(_escalation_detail(escalation, access))


# --- Audit log --------------------------------------------------------------------------------------------------


class AuditEventListApi(_ListApi):
    @extend_schema(responses=AuditEventSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        """The panel's audit log, newest first (coordinators). Read only: the log is append-only."""
        access = get_review_access(request.user, slug)
        return self.page(request, audit_events_for(access), AuditEventSerializer)


urlpatterns = [
    path("panels/<slug:slug>/sessions/", SessionListApi.as_view(), name="api-session-list"),
    path("sessions/<int:pk>/", SessionDetailApi.as_view(), name="api-session-detail"),
    path("sessions/<int:pk>/records/", SessionAddRecordApi.as_view(), name="api-session-add-record"),
    path("sessions/<int:pk>/go-to/", SessionGoToApi.as_view(), name="api-session-go-to"),
    path("sessions/<int:pk>/next/", SessionNextApi.as_view(), name="api-session-next"),
    path("sessions/<int:pk>/close/", SessionCloseApi.as_view(), name="api-session-close"),
    path("sessions/<int:pk>/stats/", SessionStatsApi.as_view(), name="api-session-stats"),
    path("session-items/<int:pk>/", ItemDetailApi.as_view(), name="api-item-detail"),
    path("session-items/<int:pk>/assessments/", ItemAssessmentListApi.as_view(), name="api-item-assessments"),
    path("session-items/<int:pk>/my-assessment/", MyAssessmentApi.as_view(), name="api-my-assessment"),
    path("session-items/<int:pk>/reveal/", ItemRevealApi.as_view(), name="api-item-reveal"),
    path("session-items/<int:pk>/agree/", ItemAgreeApi.as_view(), name="api-item-agree"),
    path("panels/<slug:slug>/findings/", FindingListApi.as_view(), name="api-finding-list"),
    path("findings/<int:pk>/", FindingDetailApi.as_view(), name="api-finding-detail"),
    path("findings/<int:pk>/publish/", FindingPublishApi.as_view(), name="api-finding-publish"),
    path("findings/<int:pk>/escalate/", FindingEscalateApi.as_view(), name="api-finding-escalate"),
    path("escalations/", EscalationListApi.as_view(), name="api-escalation-list"),
    path("escalations/<int:pk>/", EscalationDetailApi.as_view(), name="api-escalation-detail"),
    path("escalations/<int:pk>/steps/", EscalationStepApi.as_view(), name="api-escalation-step"),
    path("panels/<slug:slug>/audit/", AuditEventListApi.as_view(), name="api-audit-list"),
]
