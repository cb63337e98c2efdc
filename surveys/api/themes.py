"""Themes: free-text answers coded by commissioners (tag, merge, count, quote)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panels.typing import api_user
from surveys.api.common import call_service
from surveys.loop_models import AnswerTheme, Theme
from surveys.models import Answer
from surveys.permissions import (
    get_survey_for_user,
)
from surveys.themes import (
    answer_tag,
    answer_untag,
    get_theme_for_user,
    text_answers,
    theme_create,
    theme_merge,
    themes_with_counts,
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
