"""Reads of themes and recommendations with more than one caller: a survey's free-text answers and its themes with
their counts and quotes; a panel's recommendations, those awaiting the PCC's response, those a user may read, and the
published ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from panels.models import ForceArea, Membership, Panel
from panels.permissions import opcc_force_area_ids, panels_visible_to
from surveys.building.models import Question, Survey
from surveys.loop.models import AnswerTheme, Recommendation, RecommendationUpdate, Theme
from surveys.responding.models import Answer

if TYPE_CHECKING:
    from surveys.loop.permissions import RecommendationAccess


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


def recommendations_with_updates() -> QuerySet[Recommendation]:
    return Recommendation.objects.select_related("panel", "panel__force_area", "survey").prefetch_related(
        "themes", Prefetch("updates", queryset=RecommendationUpdate.objects.order_by("created_at", "pk"))
    )


def recommendations_of_panel(access: RecommendationAccess) -> QuerySet[Recommendation]:
    rows = recommendations_with_updates().filter(panel=access.panel_access.panel)
    if not access.sees_drafts:
        rows = rows.exclude(status=Recommendation.Status.DRAFT)
    return rows


def recommendations_of_area(area: ForceArea) -> list[Recommendation]:
    """The area's panels' recommendations sent to the PCC (drafts left out), in the order sent, each with
    `completed`: whether an update has said it is done."""
    done = RecommendationUpdate.objects.filter(recommendation=OuterRef("pk"), complete=True)
    return list(
        Recommendation.objects.filter(panel__force_area=area)
        .exclude(status=Recommendation.Status.DRAFT)
        .select_related("panel")
        .annotate(completed=Exists(done))
        .order_by("sent_at", "pk")
    )


def recommendations_awaiting_response(user: Any) -> QuerySet[Recommendation]:
    """Sent recommendations the user may answer: those of panels in their force area (OPCC officers)."""
    if not user.is_authenticated:
        return Recommendation.objects.none()
    rows = recommendations_with_updates().filter(status=Recommendation.Status.AWAITING).order_by("sent_at", "pk")
    if user.is_superuser:
        return rows
    return rows.filter(panel__force_area_id__in=opcc_force_area_ids(user))


def recommendations_visible_to(user: Any) -> QuerySet[Recommendation]:
    """Every recommendation the user may read, across their panels and their force area."""
    if not user.is_authenticated:
        return Recommendation.objects.none()
    rows = recommendations_with_updates().filter(panel__in=panels_visible_to(user))
    if user.is_superuser:
        return rows
    member_of = Membership.objects.active().filter(user=user).values("panel_id")
    return rows.filter(Q(panel_id__in=member_of) | ~Q(status=Recommendation.Status.DRAFT))


def public_recommendations(panel: Panel) -> list[Recommendation]:
    """Published recommendations with their response and updates, newest first. One query for the rows and one for
    the updates."""
    return list(
        Recommendation.objects.filter(panel=panel, published_at__isnull=False)
        .select_related("survey")
        .prefetch_related(Prefetch("updates", queryset=RecommendationUpdate.objects.order_by("created_at", "pk")))
        .order_by("-published_at", "-pk")
    )
