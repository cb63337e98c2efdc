"""The API for answering: a survey by its public link and answering it anonymously (no account needed), and the
responses a survey has (for the people who build and run it).

Public submission calls the same `response_submit` service the public form does, so it checks the same things: the
survey must be open, the form token fresh and unused, the answers valid.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from surveys.building.api import QuestionSerializer, SectionSerializer
from surveys.building.models import Survey
from surveys.building.permissions import get_survey_for_user
from surveys.building.selectors import survey_questions
from surveys.responding.errors import ResponseInvalid, ResponseRefused
from surveys.responding.kept import survey_for_answers
from surveys.responding.models import Answer
from surveys.responding.models import Response as SurveyResponse
from surveys.responding.permissions import get_public_survey
from surveys.responding.services import form_token_issue, response_submit


class PublicSurveySerializer(serializers.ModelSerializer[Survey]):
    accepting = serializers.CharField(source="accepting_state", read_only=True)
    sections = SectionSerializer(many=True, read_only=True)
    questions = serializers.SerializerMethodField()
    form_token = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = ["title", "introduction", "accepting", "closes_at", "sections", "questions", "form_token"]
        read_only_fields = fields

    @extend_schema(responses=QuestionSerializer(many=True))
    def get_questions(self, survey: Survey) -> Any:
        return QuestionSerializer(survey_questions(survey), many=True).data

    def get_form_token(self, survey: Survey) -> str:
        """Send it back with the answers: one response per token. Empty when the survey is not taking responses."""
        return form_token_issue(survey) if survey.is_accepting else ""


class AnswerSerializer(serializers.ModelSerializer[Answer]):
    question = serializers.IntegerField(source="question_id", read_only=True)

    class Meta:
        model = Answer
        fields = ["question", "value", "other_text"]
        read_only_fields = fields


class ResponseSerializer(serializers.ModelSerializer[SurveyResponse]):
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = SurveyResponse
        # No invitation, token or who typed a paper form in: nothing that could link a response to a person.
        fields = ["id", "channel", "submitted_on", "under_18", "answers"]
        read_only_fields = fields


class SubmitSerializer(serializers.Serializer[Any]):
    form_token = serializers.CharField()
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True, max_length=2000)),
        help_text="Field name (a question's form_field, or with _other, _<n> or _<part>) to the values sent.",
    )


# --- Responses -------------------------------------------------------------------------------------------------------


class SurveyResponseListApi(APIView):
    @extend_schema(responses=ResponseSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The survey's anonymous responses with their answers (limit/offset pages)."""
        survey, _ = get_survey_for_user(request.user, pk)
        rows = SurveyResponse.objects.filter(survey=survey).prefetch_related("answers").order_by("pk")
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ResponseSerializer(page, many=True).data)


class PublicSurveyApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(responses=PublicSurveySerializer)
    def get(self, request: Request, public_key: str) -> Response:
        """A survey by its public link, for anyone: its questions, whether it takes responses, and a form token."""
        survey = get_public_survey(public_key)
        return Response(PublicSurveySerializer(survey).data)


class PublicSurveyRespondApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        request=SubmitSerializer,
        responses={201: inline_serializer("SubmittedResponse", {"id": serializers.IntegerField()})},
    )
    def post(self, request: Request, public_key: str) -> Response:
        """Answer an open survey, anonymously: no account needed. Refused (400) if the survey is not open, the form
        token is stale or used, or an answer is invalid (with the reason for each field); 429 when too many
        responses arrive at once."""
        survey = survey_for_answers(public_key)
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            response = response_submit(
                survey=survey,
                data=data.validated_data["answers"],
                channel=SurveyResponse.Channel.ONLINE,
                form_token=data.validated_data["form_token"],
            )
        except ResponseInvalid as exc:
            raise ValidationError({"detail": [str(exc)], "answers": exc.errors}) from None
        except ResponseRefused as exc:
            code = status.HTTP_429_TOO_MANY_REQUESTS if exc.reason == "rate" else status.HTTP_400_BAD_REQUEST
            return Response({"detail": str(exc), "reason": exc.reason}, status=code)
        return Response({"id": response.pk}, status=status.HTTP_201_CREATED)
