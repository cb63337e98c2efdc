"""The API for building surveys: a panel's surveys, a survey with its sections and questions, changing its details,
moving questions and sections, deleting sections. The same people and rules as the builder's pages
(surveys.building.permissions, surveys.building.services); a step a service refuses is a 400 with its message
(common.api.exception_handler)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from surveys.building.models import SAMPLING_DESIGN_CHOICES, Question, Section, Survey
from surveys.building.permissions import (
    get_question_on_survey,
    get_section_on_survey,
    get_survey_for_user,
    get_survey_panel_access,
)
from surveys.building.selectors import survey_questions, surveys_of_panel
from surveys.building.services import (
    Direction,
    question_move,
    question_move_to_section,
    section_delete,
    section_move,
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


# --- Surveys ---------------------------------------------------------------------------------------------------------


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
        survey_update(
            survey=survey,
            title=values.get("title", survey.title),
            introduction=values.get("introduction", survey.introduction),
            sampling_design=values.get("sampling_design"),
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
            question_move_to_section(question=question, section=section)
        else:
            question_move(question=question, direction=values["direction"])
        return Response(SurveyDetailSerializer(survey).data)


class SurveySectionMoveApi(APIView):
    @extend_schema(request=DirectionSerializer, responses=SurveyDetailSerializer)
    def post(self, request: Request, pk: int, section_pk: int) -> Response:
        """Move a section, with its questions, up or down. Refused (400) as moving a question is."""
        survey, _ = get_survey_for_user(request.user, pk)
        section = get_section_on_survey(survey, section_pk)
        data = DirectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        section_move(section=section, direction=data.validated_data["direction"])
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
        section_delete(section=section, delete_questions=data.validated_data["delete_questions"])
        return Response(SurveyDetailSerializer(survey).data)
