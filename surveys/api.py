"""The surveys API: surveys, their questions and responses, public submission, themes and recommendations, with the
same permissions as the pages (docs/recommendations.md, docs/surveys.md).

Views are thin: reach the object through surveys/permissions.py (or the helpers in surveys/themes.py and
surveys/recommendations.py), call a service, serialise. A step a service refuses is a 400 with its message.
Public submission calls the same `response_submit` service the public form does, so it checks the same things:
the survey must be open, the form token fresh and unused, the answers valid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panels.api import as_400
from panels.typing import api_user
from surveys.loop_models import AnswerTheme, Recommendation, RecommendationUpdate, Theme
from surveys.models import SAMPLING_DESIGN_CHOICES, Answer, Question, Section, Survey
from surveys.models import Response as SurveyResponse
from surveys.permissions import (
    get_public_survey,
    get_question_on_survey,
    get_section_on_survey,
    get_survey_for_user,
    get_survey_panel_access,
)
from surveys.recommendations import (
    RecommendationError,
    get_recommendation_for_user,
    get_recommendation_panel_access,
    recommendation_add_update,
    recommendation_create,
    recommendation_publish,
    recommendation_respond,
    recommendation_send,
    recommendation_update,
    recommendations_of_panel,
)
from surveys.responding import ResponseInvalid, ResponseRefused, form_token_issue, response_submit
from surveys.results import Audience, SurveyResults, Table, survey_results
from surveys.selectors import surveys_of_panel
from surveys.services import (
    Direction,
    SurveyError,
    question_move,
    question_move_to_section,
    section_delete,
    section_move,
    survey_questions,
    survey_update,
)
from surveys.themes import (
    ThemeError,
    answer_tag,
    answer_untag,
    get_theme_for_user,
    text_answers,
    theme_create,
    theme_merge,
    themes_with_counts,
)


def call_service[T](call: Callable[[], T]) -> T:
    return as_400(call, ThemeError, RecommendationError, SurveyError)


# --- Serialisers ----------------------------------------------------------------------------


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


class ThemeSerializer(serializers.ModelSerializer[Theme]):
    answer_count = serializers.IntegerField(read_only=True)
    quote_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "name", "description", "answer_count", "quote_count"]
        read_only_fields = ["id", "answer_count", "quote_count"]


class TagSerializer(serializers.Serializer[Any]):
    answer = serializers.IntegerField()
    quote = serializers.BooleanField(default=False)
    remove = serializers.BooleanField(default=False)


class MergeSerializer(serializers.Serializer[Any]):
    into = serializers.IntegerField(help_text="The theme to merge this one into.")


class TextAnswerSerializer(serializers.ModelSerializer[Answer]):
    question = serializers.IntegerField(source="question_id", read_only=True)
    themes = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = ["id", "question", "value", "themes"]
        read_only_fields = fields

    @extend_schema(
        responses=inline_serializer(
            "AnswerThemeTag", {"theme": serializers.IntegerField(), "quote": serializers.BooleanField()}, many=True
        )
    )
    def get_themes(self, answer: Answer) -> list[dict[str, Any]]:
        tags: list[AnswerTheme] = list(answer.theme_tags.all())
        return [{"theme": t.theme_id, "quote": t.is_quote} for t in tags]


class RecommendationUpdateSerializer(serializers.ModelSerializer[RecommendationUpdate]):
    class Meta:
        model = RecommendationUpdate
        fields = ["id", "text", "complete", "source", "created_at"]
        read_only_fields = ["id", "source", "created_at"]


class RecommendationSerializer(serializers.ModelSerializer[Recommendation]):
    panel = serializers.CharField(source="panel.slug", read_only=True)
    survey = serializers.IntegerField(source="survey_id", read_only=True, allow_null=True)
    themes = serializers.SerializerMethodField()
    updates = RecommendationUpdateSerializer(many=True, read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft, awaiting or responded")

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "panel",
            "survey",
            "themes",
            "title",
            "body",
            "status",
            "sent_at",
            "decision",
            "response",
            "due_by",
            "responded_at",
            "published_at",
            "updates",
        ]
        read_only_fields = fields

    def get_themes(self, recommendation: Recommendation) -> list[int]:
        return [t.pk for t in recommendation.themes.all()]


class RecommendationCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    survey = serializers.IntegerField(required=False, allow_null=True, default=None)
    themes = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class RecommendationChangeSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(required=False)
    themes = serializers.ListField(child=serializers.IntegerField(), required=False)


class RespondSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=Recommendation.Decision.choices)
    response = serializers.CharField()
    due_by = serializers.DateField(required=False, allow_null=True, default=None)


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
        survey = get_public_survey(public_key)
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


# --- Results ----------------------------------------------------------------------------------------------------


def _table_data(table: Table) -> dict[str, Any]:
    return {
        "title": table.title,
        "columns": table.columns,
        "bases": table.bases,
        "multiple": table.multiple,
        "n_eff": table.n_eff,
        "rows": [
            {
                "code": row.code,
                "label": row.label,
                "cells": [
                    {
                        "count": c.count,
                        "base": c.base,
                        "share": c.share,
                        "low": c.low,
                        "high": c.high,
                        "small": c.small,
                        "hidden": c.hidden,
                        "margin_of_error": c.margin_of_error,
                    }
                    for c in row.cells
                ],
            }
            for row in table.rows
        ],
    }


def results_data(results: SurveyResults) -> dict[str, Any]:
    """The results as JSON: the same figures, suppression and notes as the results pages (surveys/results.py)."""
    return {
        "survey": results.survey.pk,
        "audience": str(results.audience),
        "responses": results.responses,
        "design": str(results.reporting.design),
        "weighted": results.reporting.weighted,
        "margin_of_error": results.reporting.margin_of_error,
        "note": results.reporting.note,
        "interval_note": results.interval_note,
        "weighting_note": results.weighting_note,
        "breakdown": results.breakdown.key if results.breakdown else None,
        "breakdown_choices": [{"key": c.key, "label": c.label} for c in results.breakdown_choices],
        "questions": [
            {
                "number": q.number,
                "question": q.question.pk,
                "text": q.question.text,
                "kind": q.question.kind,
                "answered": q.answered,
                "tables": [_table_data(t) for t in q.tables],
                "number_summary": (
                    None
                    if q.number_summary is None
                    else {
                        "count": q.number_summary.count,
                        "median": q.number_summary.median,
                        "minimum": q.number_summary.minimum,
                        "maximum": q.number_summary.maximum,
                    }
                ),
                "text_count": q.text_count,
                "texts": q.texts,
            }
            for q in results.questions
        ],
    }


class SurveyResultsApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("audience", str, enum=["panel", "shared"], description="panel (default) or shared"),
            OpenApiParameter("by", str, description="A breakdown key from breakdown_choices"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, pk: int) -> Response:
        """The survey's results, as on the results pages: `audience=shared` suppresses small numbers and leaves out
        free text, as the shared version does. For the people who build and run the survey."""
        survey, _ = get_survey_for_user(request.user, pk)
        audience = request.query_params.get("audience", Audience.PANEL)
        if audience not in Audience:
            raise ValidationError({"audience": ["panel or shared"]})
        results = survey_results(survey, audience=audience, breakdown=request.query_params.get("by") or None)
        return Response(results_data(results))


# --- Themes -----------------------------------------------------------------------------------------------------


class ThemeListApi(APIView):
    @extend_schema(responses=ThemeSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The survey's themes with how many answers each is tagged on, and how many of those are quotes."""
        survey, _ = get_survey_for_user(request.user, pk)
        return Response(ThemeSerializer(themes_with_counts(survey), many=True).data)

    @extend_schema(request=ThemeSerializer, responses={201: ThemeSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Add a theme to code answers into."""
        survey, _ = get_survey_for_user(request.user, pk)
        data = ThemeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        theme = call_service(lambda: theme_create(survey=survey, by=api_user(request), **data.validated_data))
        return Response(ThemeSerializer(themes_with_counts(survey).get(pk=theme.pk)).data, status=201)


class TextAnswerListApi(APIView):
    @extend_schema(responses=TextAnswerSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The survey's free-text answers with the themes each is tagged with."""
        survey, _ = get_survey_for_user(request.user, pk)
        return Response(TextAnswerSerializer(text_answers(survey), many=True).data)


class ThemeTagApi(APIView):
    @extend_schema(request=TagSerializer, responses=ThemeSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Tag a free-text answer with this theme (`quote` to show it as a quote), or `remove` the tag."""
        theme = get_theme_for_user(request.user, pk)
        data = TagSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["remove"]:
            call_service(lambda: answer_untag(theme=theme, answer_id=values["answer"]))
        else:
            call_service(
                lambda: answer_tag(
                    theme=theme, answer_id=values["answer"], is_quote=values["quote"], by=api_user(request)
                )
            )
        return Response(ThemeSerializer(themes_with_counts(theme.survey).get(pk=theme.pk)).data)


class ThemeMergeApi(APIView):
    @extend_schema(request=MergeSerializer, responses=ThemeSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Merge this theme into another of the same survey: its tags move there, and it is deleted."""
        theme = get_theme_for_user(request.user, pk)
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        into = Theme.objects.filter(pk=data.validated_data["into"], survey=theme.survey).first()
        if into is None:
            raise ValidationError({"into": ["Not a theme of this survey."]})
        merged = call_service(lambda: theme_merge(theme=theme, into=into))
        return Response(ThemeSerializer(themes_with_counts(theme.survey).get(pk=merged.pk)).data)


# --- Recommendations --------------------------------------------------------------------------------------------


def _recommendation_data(user: Any, pk: int) -> Any:
    recommendation, _ = get_recommendation_for_user(user, pk)
    return RecommendationSerializer(recommendation).data


def _themes(ids: list[int], survey: Survey | None) -> list[Theme]:
    themes = list(Theme.objects.filter(pk__in=ids, survey=survey)) if survey else []
    if len(themes) != len(set(ids)):
        raise ValidationError({"themes": ["Themes must come from the recommendation's survey."]})
    return themes


class RecommendationListApi(APIView):
    @extend_schema(responses=RecommendationSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        """The panel's recommendations to the PCC (the area's OPCC officers do not see drafts)."""
        access = get_recommendation_panel_access(request.user, slug)
        return Response(RecommendationSerializer(recommendations_of_panel(access), many=True).data)

    @extend_schema(request=RecommendationCreateSerializer, responses={201: RecommendationSerializer})
    def post(self, request: Request, slug: str) -> Response:
        """Write a draft recommendation, from one of the panel's surveys and its themes (survey builders)."""
        access = get_recommendation_panel_access(request.user, slug, write=True)
        panel = access.panel_access.panel
        data = RecommendationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        survey = None
        if values["survey"] is not None:
            survey = Survey.objects.filter(pk=values["survey"], panel=panel).first()
            if survey is None:
                raise ValidationError({"survey": ["Not one of this panel's surveys."]})
        themes = _themes(values["themes"], survey)
        recommendation = call_service(
            lambda: recommendation_create(
                panel=panel,
                survey=survey,
                themes=themes,
                title=values["title"],
                body=values["body"],
                by=api_user(request),
            )
        )
        return Response(_recommendation_data(request.user, recommendation.pk), status=status.HTTP_201_CREATED)


class RecommendationDetailApi(APIView):
    @extend_schema(responses=RecommendationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_recommendation_data(request.user, pk))

    @extend_schema(request=RecommendationChangeSerializer, responses=RecommendationSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        """Change a draft (survey builders)."""
        recommendation, _ = get_recommendation_for_user(request.user, pk, action="write")
        data = RecommendationChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        themes = (
            _themes(values["themes"], recommendation.survey)
            if "themes" in values
            else list(recommendation.themes.all())
        )
        call_service(
            lambda: recommendation_update(
                recommendation=recommendation,
                title=values.get("title", recommendation.title),
                body=values.get("body", recommendation.body),
                themes=themes,
            )
        )
        return Response(_recommendation_data(request.user, pk))


class RecommendationSendApi(APIView):
    @extend_schema(request=None, responses=RecommendationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Send the draft to the PCC for a response (survey builders)."""
        recommendation, _ = get_recommendation_for_user(request.user, pk, action="write")
        call_service(lambda: recommendation_send(recommendation=recommendation))
        return Response(_recommendation_data(request.user, pk))


class RecommendationRespondApi(APIView):
    @extend_schema(request=RespondSerializer, responses=RecommendationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """The PCC's response: accepted, partly or not accepted, what will be done and by when (OPCC officers of
        the panel's force area)."""
        recommendation, _ = get_recommendation_for_user(request.user, pk, action="respond")
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call_service(
            lambda: recommendation_respond(recommendation=recommendation, by=api_user(request), **data.validated_data)
        )
        return Response(_recommendation_data(request.user, pk))


class RecommendationUpdateApi(APIView):
    @extend_schema(request=RecommendationUpdateSerializer, responses={201: RecommendationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Add a progress update (the area's OPCC officers, or the panel's coordinators)."""
        recommendation, access = get_recommendation_for_user(request.user, pk, action="update")
        data = RecommendationUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        source = RecommendationUpdate.Source.OPCC if access.can_respond else RecommendationUpdate.Source.PANEL
        call_service(
            lambda: recommendation_add_update(
                recommendation=recommendation, source=source, by=api_user(request), **data.validated_data
            )
        )
        return Response(_recommendation_data(request.user, pk), status=status.HTTP_201_CREATED)


class RecommendationPublishApi(APIView):
    @extend_schema(request=None, responses=RecommendationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Publish on the panel's public page, with the response and updates (the panel's coordinators)."""
        recommendation, _ = get_recommendation_for_user(request.user, pk, action="publish")
        call_service(lambda: recommendation_publish(recommendation=recommendation))
        return Response(_recommendation_data(request.user, pk))
