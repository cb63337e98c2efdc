"""Review sessions through the API: the sample, the records, a member's own scores and the chair's steps."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panels.typing import api_user
from scrutiny.records.services import record_viewed
from scrutiny.reviews import selectors
from scrutiny.reviews import services as review_services
from scrutiny.reviews.api.common import PagedListApi
from scrutiny.reviews.api.serializers import (
    AddRecordSerializer,
    AgreeSerializer,
    AssessmentInputSerializer,
    AssessmentSerializer,
    GoToSerializer,
    ItemDetailSerializer,
    ItemSerializer,
    SessionCreateSerializer,
    SessionDetailSerializer,
    SessionSerializer,
    SessionStatsSerializer,
)
from scrutiny.reviews.models import Assessment, ReviewSession, SessionRecord
from scrutiny.reviews.permissions import (
    SCORE_REFUSAL,
    ReviewAccess,
    get_item_for_user,
    get_review_access,
    get_session_for_user,
    sessions_for_user,
)
from scrutiny.reviews.sampling import SampleSpec, SpecError
from scrutiny.reviews.services import AssessmentInput


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


class SessionListApi(PagedListApi):
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
        session = review_services.session_create(
            panel=access.panel,
            title=data.validated_data["title"],
            day=data.validated_data["date"],
            spec=SampleSpec.from_json(spec_json),
            by=user,
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
        item = review_services.session_add_record(
            session=session, record_id=data.validated_data["record"], by=api_user(request)
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
        session = review_services.session_go_to(session=session, item=item, by=api_user(request))
        return Response(_session_detail(session, access, request.user))


class SessionNextApi(APIView):
    @extend_schema(request=None, responses=SessionDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Move the live meeting to the next record (chair and coordinators); 400 on the last."""
        session, access = get_session_for_user(request.user, pk, run=True)
        session = review_services.session_next(session=session, by=api_user(request))
        return Response(_session_detail(session, access, request.user))


class SessionCloseApi(APIView):
    @extend_schema(request=None, responses=SessionDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Close the session (chair and coordinators): no more scores or agreed views."""
        session, access = get_session_for_user(request.user, pk, run=True)
        session = review_services.session_close(session=session, by=api_user(request))
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
        rows = selectors.assessments_visible_to(request.user, item)
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
        assessment = review_services.assessment_save(
            item=item, member=api_user(request), data=AssessmentInput(**values), submit=submit
        )
        return Response(AssessmentSerializer(assessment, context={"user_id": request.user.pk}).data)


class ItemRevealApi(APIView):
    @extend_schema(request=None, responses=ItemDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Reveal the record's submitted scores to the panel (chair and coordinators). Drafts stay private."""
        item, _ = get_item_for_user(request.user, pk, run=True)
        item = review_services.item_reveal(item=item, by=api_user(request))
        return Response(_item_detail(item, request.user))


class ItemAgreeApi(APIView):
    @extend_schema(request=AgreeSerializer, responses=ItemDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Record the panel's agreed view of the record, after the reveal (chair and coordinators)."""
        item, _ = get_item_for_user(request.user, pk, run=True)
        data = AgreeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = review_services.item_agree(
            item=item,
            grounds=data.validated_data["grounds"],
            grade=data.validated_data.get("grade"),
            note=data.validated_data["note"],
            by=api_user(request),
        )
        return Response(_item_detail(item, request.user))
