"""The API of the loop: themes (free-text answers coded by commissioners: tag, merge, count, quote) and
recommendations to the PCC (create, send, respond, report progress, publish), with the same permissions as the pages
(docs/recommendations.md). A step a service refuses is a 400 with its message (common.api.exception_handler)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panels.typing import api_user
from surveys.building.models import Survey
from surveys.building.permissions import get_survey_for_user
from surveys.loop.models import AnswerTheme, Recommendation, RecommendationUpdate, Theme
from surveys.loop.permissions import get_recommendation_for_user, get_recommendation_panel_access, get_theme_for_user
from surveys.loop.selectors import recommendations_of_panel, text_answers, themes_with_counts
from surveys.loop.services import (
    answer_tag,
    answer_untag,
    recommendation_add_update,
    recommendation_create,
    recommendation_publish,
    recommendation_respond,
    recommendation_send,
    recommendation_update,
    theme_create,
    theme_merge,
)
from surveys.responding.models import Answer


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
        theme = theme_create(survey=survey, by=api_user(request), **data.validated_data)
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
            answer_untag(theme=theme, answer_id=values["answer"])
        else:
            answer_tag(theme=theme, answer_id=values["answer"], is_quote=values["quote"], by=api_user(request))
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
        merged = theme_merge(theme=theme, into=into)
        return Response(ThemeSerializer(themes_with_counts(theme.survey).get(pk=merged.pk)).data)


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
        recommendation = recommendation_create(
            panel=panel,
            survey=survey,
            themes=themes,
            title=values["title"],
            body=values["body"],
            by=api_user(request),
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
        recommendation_update(
            recommendation=recommendation,
            title=values.get("title", recommendation.title),
            body=values.get("body", recommendation.body),
            themes=themes,
        )
        return Response(_recommendation_data(request.user, pk))


class RecommendationSendApi(APIView):
    @extend_schema(request=None, responses=RecommendationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Send the draft to the PCC for a response (survey builders)."""
        recommendation, _ = get_recommendation_for_user(request.user, pk, action="write")
        recommendation_send(recommendation=recommendation)
        return Response(_recommendation_data(request.user, pk))


class RecommendationRespondApi(APIView):
    @extend_schema(request=RespondSerializer, responses=RecommendationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """The PCC's response: accepted, partly or not accepted, what will be done and by when (OPCC officers of
        the panel's force area)."""
        recommendation, _ = get_recommendation_for_user(request.user, pk, action="respond")
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recommendation_respond(recommendation=recommendation, by=api_user(request), **data.validated_data)
        return Response(_recommendation_data(request.user, pk))


class RecommendationUpdateApi(APIView):
    @extend_schema(request=RecommendationUpdateSerializer, responses={201: RecommendationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Add a progress update (the area's OPCC officers, or the panel's coordinators)."""
        recommendation, access = get_recommendation_for_user(request.user, pk, action="update")
        data = RecommendationUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recommendation_add_update(
            recommendation=recommendation, source=access.update_source, by=api_user(request), **data.validated_data
        )
        return Response(_recommendation_data(request.user, pk), status=status.HTTP_201_CREATED)


class RecommendationPublishApi(APIView):
    @extend_schema(request=None, responses=RecommendationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Publish on the panel's public page, with the response and updates (the panel's coordinators)."""
        recommendation, _ = get_recommendation_for_user(request.user, pk, action="publish")
        recommendation_publish(recommendation=recommendation)
        return Response(_recommendation_data(request.user, pk))
