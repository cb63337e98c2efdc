"""Surveys for tests: a built survey with one question of each common kind, and helpers to answer it."""

from __future__ import annotations

from typing import Any

from panels.models import Panel
from surveys.building.models import Question, Survey
from surveys.building.services import QuestionInput, question_add, survey_create, survey_open
from surveys.responding.services import form_token_issue


def make_survey(panel: Panel, *, by: Any = None, title: str = "Big Conversation 2026", open_it: bool = False) -> Survey:
    """A survey with: Q1 single choice (required), Q2 shown only if Q1 is "Yes", Q3 agreement, Q4 free text."""
    survey = survey_create(panel=panel, title=title, introduction="Tell us what you think.", by=by)
    section = survey.sections.get()
    q1 = question_add(
        section=section,
        data=QuestionInput(
            kind=Question.Kind.SINGLE, text="Have you been stopped and searched?", options=["Yes", "No"], required=True
        ),
    )
    question_add(
        section=section,
        data=QuestionInput(
            kind=Question.Kind.TEXT, text="What happened?", required=True, show_if_question=q1, show_if_values=["Yes"]
        ),
    )
    question_add(
        section=section,
        data=QuestionInput(kind=Question.Kind.AGREEMENT, text="The police in my area treat young people fairly."),
    )
    question_add(section=section, data=QuestionInput(kind=Question.Kind.TEXT, text="Anything else?"))
    if open_it:
        survey_open(survey=survey)
    return survey


def questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("section__position", "position", "pk"))


def answers(survey: Survey, **by_number: Any) -> dict[str, list[str]]:
    """Form data from answers keyed q1, q2 … by question number, e.g. answers(s, q1="Yes", q2="…")."""
    qs = questions(survey)
    data: dict[str, list[str]] = {}
    for key, value in by_number.items():
        number, _, suffix = key[1:].partition("_")
        name = qs[int(number) - 1].field_name + (f"_{suffix}" if suffix else "")
        data[name] = value if isinstance(value, list) else [str(value)]
    return data


def token(survey: Survey) -> str:
    return form_token_issue(survey)
