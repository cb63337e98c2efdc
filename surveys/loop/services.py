"""Writes of the loop: coding free-text answers into themes (create, tag and mark a quote, untag, merge), and
recommendations to the PCC (write, send, respond, report progress, publish).

Who may do each is checked by the views before they call these (surveys.loop.permissions). Only answers to
free-text questions of the theme's own survey can be tagged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from common.errors import DomainError
from panels.models import Panel
from surveys.building.models import Question, Survey
from surveys.loop.models import AnswerTheme, Recommendation, RecommendationUpdate, Theme
from surveys.responding.models import Answer


class ThemeError(DomainError):
    pass


class RecommendationError(DomainError):
    pass


# --- Themes ---------------------------------------------------------------------------------------------------------


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


# --- Recommendations --------------------------------------------------------------------------------------------------


def _check_text(title: str, body: str) -> None:
    if not title.strip() or not body.strip():
        raise RecommendationError("A recommendation needs a title and what the panel recommends.")


def _check_survey_and_themes(panel: Panel, survey: Survey | None, themes: list[Theme]) -> None:
    if survey is not None and survey.panel_id != panel.pk:
        raise RecommendationError("That survey belongs to another panel.")
    if any(survey is None or t.survey_id != survey.pk for t in themes):
        raise RecommendationError("Themes must come from the recommendation's survey.")


@transaction.atomic
def recommendation_create(
    *,
    panel: Panel,
    title: str,
    body: str,
    survey: Survey | None = None,
    themes: list[Theme] | None = None,
    by: Any,
) -> Recommendation:
    themes = themes or []
    _check_text(title, body)
    _check_survey_and_themes(panel, survey, themes)
    recommendation = Recommendation.objects.create(
        panel=panel, survey=survey, title=title.strip(), body=body.strip(), created_by=by
    )
    recommendation.themes.set(themes)
    return recommendation


@transaction.atomic
def recommendation_update(
    *, recommendation: Recommendation, title: str, body: str, themes: list[Theme] | None = None
) -> Recommendation:
    recommendation.refresh_from_db(fields=["status"])
    if recommendation.status != Recommendation.Status.DRAFT:
        raise RecommendationError("Only a draft can be changed: this one has been sent to the PCC.")
    _check_text(title, body)
    themes = themes or []
    _check_survey_and_themes(recommendation.panel, recommendation.survey, themes)
    recommendation.title = title.strip()
    recommendation.body = body.strip()
    recommendation.save(update_fields=["title", "body"])
    recommendation.themes.set(themes)
    return recommendation


@transaction.atomic
def recommendation_send(*, recommendation: Recommendation) -> Recommendation:
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status != Recommendation.Status.DRAFT:
        raise RecommendationError("This recommendation has already been sent to the PCC.")
    recommendation.status = Recommendation.Status.AWAITING
    recommendation.sent_at = timezone.now()
    recommendation.save(update_fields=["status", "sent_at"])
    return recommendation


@transaction.atomic
def recommendation_respond(
    *, recommendation: Recommendation, decision: str, response: str, due_by: date | None, by: Any
) -> Recommendation:
    """The PCC's response. It may be given again (a changed response) until the panel publishes it; after that,
    progress is reported through updates."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status == Recommendation.Status.DRAFT:
        raise RecommendationError("The panel has not sent this recommendation yet.")
    if recommendation.status == Recommendation.Status.RESPONDED and recommendation.is_published:
        raise RecommendationError("The response has been published. Add a progress update instead.")
    if decision not in Recommendation.Decision.values:
        raise RecommendationError("Say whether the recommendation is accepted, partly accepted or not accepted.")
    if not response.strip():
        raise RecommendationError("Say what will be done, or why not.")
    if decision != Recommendation.Decision.NOT_ACCEPTED and due_by is None:
        raise RecommendationError("Say by when it will be done.")
    if due_by is not None and due_by < timezone.localdate():
        raise RecommendationError("The date it will be done by cannot be in the past.")
    recommendation.status = Recommendation.Status.RESPONDED
    recommendation.decision = decision
    recommendation.response = response.strip()
    recommendation.due_by = due_by
    recommendation.responded_at = timezone.now()
    recommendation.responded_by = by
    recommendation.save(update_fields=["status", "decision", "response", "due_by", "responded_at", "responded_by"])
    return recommendation


@transaction.atomic
def recommendation_add_update(
    *, recommendation: Recommendation, text: str, complete: bool = False, source: str, by: Any
) -> RecommendationUpdate:
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status != Recommendation.Status.RESPONDED:
        raise RecommendationError("Progress can be reported once the PCC has responded.")
    if not text.strip():
        raise RecommendationError("Say what has been done.")
    if source not in RecommendationUpdate.Source.values:
        raise RecommendationError("Unknown source.")
    return RecommendationUpdate.objects.create(
        recommendation=recommendation, text=text.strip(), complete=complete, source=source, created_by=by
    )


@transaction.atomic
def recommendation_publish(*, recommendation: Recommendation) -> Recommendation:
    """Show the recommendation on the panel's public page, with the PCC's response and updates as they come."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status == Recommendation.Status.DRAFT:
        raise RecommendationError("Send the recommendation to the PCC before publishing it.")
    if recommendation.published_at is None:
        recommendation.published_at = timezone.now()
        recommendation.save(update_fields=["published_at"])
    return recommendation
