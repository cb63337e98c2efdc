"""Coding free-text answers into themes: create, tag (and mark a quote), untag, merge, count.

Who may code: the people who build the survey (surveys/permissions.py `get_survey_for_user`); the views check that
before calling these. Only answers to free-text questions of the theme's own survey can be tagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from surveys.loop_models import AnswerTheme, Theme
from surveys.models import Answer, Question, Survey
from surveys.permissions import get_survey_for_user


class ThemeError(ValueError):
    pass


def text_answers(survey: Survey) -> QuerySet[Answer]:
    """The survey's free-text answers, oldest response first, each with its tags."""
    return (
        Answer.objects.filter(response__survey=survey, question__kind=Question.Kind.TEXT)
        .exclude(value="")
        .select_related("question")
        .prefetch_related(Prefetch("theme_tags", queryset=AnswerTheme.objects.select_related("theme")))
        .order_by("response_id", "question__position", "pk")
    )


def themes_with_counts(survey: Survey) -> QuerySet[Theme]:
    """The survey's themes, each with `answer_count` and `quote_count`."""
    return Theme.objects.filter(survey=survey).annotate(
        answer_count=Count("tags", distinct=True),
        quote_count=Count("tags", filter=Q(tags__is_quote=True), distinct=True),
    )


@dataclass
class ThemeSummary:
    theme: Theme
    count: int
    quotes: list[str] = field(default_factory=list)


def theme_summaries(survey: Survey) -> list[ThemeSummary]:
    """Each theme with its count and its quotes, most-mentioned first."""
    themes = list(themes_with_counts(survey))
    quotes: dict[int, list[str]] = {t.pk: [] for t in themes}
    for theme_id, value in (
        AnswerTheme.objects.filter(theme__survey=survey, is_quote=True)
        .order_by("pk")
        .values_list("theme_id", "answer__value")
    ):
        quotes[theme_id].append(str(value))
    summaries = [ThemeSummary(t, t.answer_count, quotes[t.pk]) for t in themes]  # type: ignore[attr-defined]
    return sorted(summaries, key=lambda s: (-s.count, s.theme.name.lower()))


def get_theme_on_survey(survey: Survey, pk: int) -> Theme:
    theme = Theme.objects.filter(survey=survey, pk=pk).first()
    if theme is None:
        raise Http404("No such theme.")
    return theme


def _text_answer(survey: Survey, answer_id: int) -> Answer:
    answer = Answer.objects.filter(pk=answer_id, response__survey=survey, question__kind=Question.Kind.TEXT).first()
    if answer is None:
        raise ThemeError("That is not a free-text answer to this survey.")
    return answer


@transaction.atomic
def theme_create(*, survey: Survey, name: str, description: str = "", by: Any) -> Theme:
    name = name.strip()
    if not name:
        raise ThemeError("Give the theme a name.")
    if Theme.objects.filter(survey=survey, name__iexact=name).exists():
        raise ThemeError(f"There is already a theme called “{name}”.")
    return Theme.objects.create(survey=survey, name=name, description=description.strip(), created_by=by)


@transaction.atomic
def answer_tag(*, theme: Theme, answer_id: int, is_quote: bool = False, by: Any) -> AnswerTheme:
    """Tag the answer with the theme (again: only the quote mark changes)."""
    answer = _text_answer(theme.survey, answer_id)
    tag = AnswerTheme.objects.filter(answer=answer, theme=theme).first()
    if tag is not None:
        if tag.is_quote != is_quote:
            tag.is_quote = is_quote
            tag.save(update_fields=["is_quote"])
        return tag
    try:
        with transaction.atomic():
            return AnswerTheme.objects.create(answer=answer, theme=theme, is_quote=is_quote, tagged_by=by)
    except IntegrityError:  # tagged by someone else at the same moment
        return AnswerTheme.objects.get(answer=answer, theme=theme)


@transaction.atomic
def answer_untag(*, theme: Theme, answer_id: int) -> None:
    AnswerTheme.objects.filter(theme=theme, answer_id=answer_id).delete()


@transaction.atomic
def theme_merge(*, theme: Theme, into: Theme) -> Theme:
    """Move every tag of `theme` to `into` (an answer tagged with both keeps one tag, a quote if either was), link
    its recommendations to `into`, and delete `theme`."""
    if theme.survey_id != into.survey_id:
        raise ThemeError("Themes can only be merged within one survey.")
    if theme.pk == into.pk:
        raise ThemeError("Choose two different themes to merge.")
    existing = {t.answer_id: t for t in AnswerTheme.objects.select_for_update().filter(theme=into)}
    for tag in AnswerTheme.objects.select_for_update().filter(theme=theme):
        kept = existing.get(tag.answer_id)
        if kept is None:
            tag.theme = into
            tag.save(update_fields=["theme"])
        else:
            if tag.is_quote and not kept.is_quote:
                kept.is_quote = True
                kept.save(update_fields=["is_quote"])
            tag.delete()
    for recommendation in theme.recommendations.all():
        recommendation.themes.add(into)
    theme.delete()
    return into


def get_theme_for_user(user: Any, pk: int) -> Theme:
    """A theme of a survey the user may build and code; 404 if none, 403 if the survey is not theirs."""
    theme = Theme.objects.filter(pk=pk).first()
    if theme is None:
        raise Http404("No such theme.")
    theme.survey, _ = get_survey_for_user(user, theme.survey_id)
    return theme
