"""Reads of surveys and their questions with more than one caller."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from panels.models import Panel
from surveys.building.models import QUESTION_ORDER, Question, Section, Survey


def survey_questions(survey: Survey) -> list[Question]:
    """The survey's questions in the order they are asked, each with its section and its condition's question."""
    return list(survey.questions.select_related("section", "show_if_question").order_by(*QUESTION_ORDER))


def surveys_of_panel(panel: Panel) -> QuerySet[Survey]:
    return Survey.objects.filter(panel=panel).annotate(response_count=Count("responses")).order_by("-created_at", "-pk")


@dataclass
class SectionView:
    section: Section
    questions: list[tuple[int, Question]] = field(default_factory=list)  # (number in the survey, question)


def survey_outline(survey: Survey) -> list[SectionView]:
    """The survey's sections in order, each with its questions numbered through the whole survey."""
    views = {s.pk: SectionView(s) for s in survey.sections.order_by("position", "pk")}
    for number, question in enumerate(survey_questions(survey), start=1):
        views[question.section_id].questions.append((number, question))
    return list(views.values())
