"""Reads with more than one caller."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from panels.models import Panel
from surveys.models import Question, Section, Survey
from surveys.services import survey_questions


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
