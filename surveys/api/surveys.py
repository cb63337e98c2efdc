"""Surveys, their questions and sections, their responses, and public submission."""

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

from surveys.api.common import call_service
from surveys.models import SAMPLING_DESIGN_CHOICES, Answer, Question, Section, Survey
from surveys.models import Response as SurveyResponse
from surveys.permissions import (
    get_public_survey,
    get_question_on_survey,
    get_section_on_survey,
    get_survey_for_user,
    get_survey_panel_access,
)
from surveys.responding import ResponseInvalid, ResponseRefused, form_token_issue, response_submit, survey_for_answers
from surveys.selectors import surveys_of_panel
from surveys.services import (
    Direction,
    question_move,
    question_move_to_section,
    section_delete,
    section_move,
    survey_questions,
    survey_update,
)


class QuestionSerializer(serializers.ModelSerializer[Question]):
    section = serializers.IntegerField(source="section_id", read_only=True)
    form_field = serializers.CharField(source="field_name", read_only=True)
    show_if_question = serializers.IntegerField(source="show_if_question_id", read_only=True, allow_null=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "section",
            "position",
            "form_field",
            "kind",
            "text",
            "help_text",
            "required",
            "options",
            "allow_other",
            "scale",
            "minimum",
            "maximum",
            "standard_code",
            "show_if_question",
            "show_if_values",
        ]
        read_only_fields = fields


class SectionSerializer(serializers.ModelSerializer[Section]):
    class Meta:
        model = Section
        fields = ["id", "title", "position"]
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer[Survey]):
    panel = serializers.CharField(source="panel.slug", read_only=True)
    accepting = serializers.CharField(source="accepting_state", read_only=True)
    # Plain strings, not enums: several models have a "status", and the schema's enum names must not collide.
    status = serializers.CharField(read_only=True, help_text="draft, open or closed")
    sampling_design = serializers.CharField(
        read_only=True,
        help_text="opt_in (anyone could answer: no weighting, no margin of error) or probability (drawn at random "
        "from a known list: weighted to the Census, with margins of error)",
    )

    class Meta:
        model = Survey
        fields = [
            "id",
            "panel",
            "title",
            "introduction",
            "sampling_design",
            "status",
            "accepting",
            "opens_at",
            "closes_at",
            "version",
        ]
        read_only_fields = fields


class SurveyChangeSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    introduction = serializers.CharField(required=False, allow_blank=True)
    sampling_design = serializers.ChoiceField(
        choices=SAMPLING_DESIGN_CHOICES, required=False, help_text="opt_in or probability"
    )


class DirectionSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(choices=[(d, d) for d in Direction.ALL], help_text="up or down")


class QuestionMoveSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(
        choices=[(d, d) for d in Direction.ALL],
        required=False,
        help_text="up or down: one place, across into the next section at the top or bottom of its own",
    )
    section = serializers.IntegerField(required=False, help_text="Or: a section of the survey to move it to the end of")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("direction" in attrs) == ("section" in attrs):
            raise ValidationError({"detail": ["Give a direction (up or down) or a section, not both."]})
        return attrs


class SectionDeleteSerializer(serializers.Serializer[Any]):
    delete_questions = serializers.BooleanField(
        default=False, help_text="Needed when the section has questions: they are deleted with it."
    )


class SurveyListSerializer(SurveySerializer):
    response_count = serializers.IntegerField(read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "response_count"]
        read_only_fields = fields


class SurveyDetailSerializer(SurveySerializer):
    public_key = serializers.CharField(read_only=True)
    sections = SectionSerializer(many=True, read_only=True)
    questions = serializers.SerializerMethodField()

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "public_key", "sections", "questions"]
        read_only_fields = fields

    @extend_schema(responses=QuestionSerializer(many=True))
    def get_questions(self, survey: Survey) -> Any:
        return QuestionSerializer(survey_questions(survey), many=True).data


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


# --- Surveys and responses --------------------------------------------------------------------------------------


class SurveyListApi(APIView):
    @extend_schema(responses=SurveyListSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        """The panel's surveys (for the people who build them), newest first."""
        access = get_survey_panel_access(request.user, slug)
        return Response(SurveyListSerializer(surveys_of_panel(access.panel), many=True).data)


class SurveyDetailApi(APIView):
    @extend_schema(responses=SurveyDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The survey with its sections and questions in order."""
        survey, _ = get_survey_for_user(request.user, pk)
        return Response(SurveyDetailSerializer(survey).data)

    @extend_schema(request=SurveyChangeSerializer, responses=SurveyDetailSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        """Change the title, introduction or sampling design (also once the survey has responses: none of them
        changes what was asked)."""
        survey, _ = get_survey_for_user(request.user, pk)
        data = SurveyChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        call_service(
            lambda: survey_update(
                survey=survey,
                title=values.get("title", survey.title),
                introduction=values.get("introduction", survey.introduction),
                sampling_design=values.get("sampling_design"),
            )
        )
        return Response(SurveyDetailSerializer(survey).data)


class SurveyQuestionMoveApi(APIView):
    @extend_schema(request=QuestionMoveSerializer, responses=SurveyDetailSerializer)
    def post(self, request: Request, pk: int, question_pk: int) -> Response:
        """Move a question up or down, or to the end of another section. Refused (400) once the survey has
        responses, or when the move would put a question before the one its display condition depends on."""
        survey, _ = get_survey_for_user(request.user, pk)
        question = get_question_on_survey(survey, question_pk)
        data = QuestionMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "section" in values:
            section = Section.objects.filter(survey=survey, pk=values["section"]).first()
            if section is None:
                raise ValidationError({"section": ["Not a section of this survey."]})
            call_service(lambda: question_move_to_section(question=question, section=section))
        else:
            call_service(lambda: question_move(question=question, direction=values["direction"]))
        return Response(SurveyDetailSerializer(survey).data)


class SurveySectionMoveApi(APIView):
    @extend_schema(request=DirectionSerializer, responses=SurveyDetailSerializer)
    def post(self, request: Request, pk: int, section_pk: int) -> Response:
        """Move a section, with its questions, up or down. Refused (400) as moving a question is."""
        survey, _ = get_survey_for_user(request.user, pk)
        section = get_section_on_survey(survey, section_pk)
        data = DirectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call_service(lambda: section_move(section=section, direction=data.validated_data["direction"]))
        return Response(SurveyDetailSerializer(survey).data)


class SurveySectionDeleteApi(APIView):
    @extend_schema(request=SectionDeleteSerializer, responses=SurveyDetailSerializer)
    def post(self, request: Request, pk: int, section_pk: int) -> Response:
        """Delete a section. One with questions needs `delete_questions: true`; the last section, a survey with
        responses, and a section with a question another section's condition depends on are refused (400)."""
        survey, _ = get_survey_for_user(request.user, pk)
        section = get_section_on_survey(survey, section_pk)
        data = SectionDeleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call_service(lambda: section_delete(section=section, delete_questions=data.validated_data["delete_questions"]))
        return Response(SurveyDetailSerializer(survey).data)


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
