"""Surveys with responses for the results and export tests: answers typed in as paper forms (no tokens, no rate
limit), so a test can make 50 in a moment."""

from __future__ import annotations

from typing import Any

from panels.models import Panel
from surveys.building.models import Question, Survey
from surveys.building.services import QuestionInput, question_add
from surveys.responding.models import Response
from surveys.responding.services import response_submit
from tests.surveys.factories import answers, make_survey

WHITE_BRITISH = "13"
BLACK_AFRICAN = "6"
INDIAN = "1"


def results_survey(panel: Panel, *, by: Any) -> Survey:
    """make_survey's four questions (Q1 single Yes/No, Q2 text if Yes, Q3 agreement, Q4 text) and Q5 demographics.

    The questions are added before opening: a survey's questions are fixed once it has responses.
    """
    survey = make_survey(panel, by=by)
    question_add(section=survey.sections.get(), data=QuestionInput(kind=Question.Kind.DEMOGRAPHICS, text="About you"))
    survey.status = Survey.Status.OPEN
    survey.save(update_fields=["status"])
    return survey


def respond(survey: Survey, *, by: Any, count: int = 1, **by_number: Any) -> list[Response]:
    """`count` paper responses with the same answers, e.g. respond(s, by=u, count=3, q1="No", q5_sex="female")."""
    data = answers(survey, **by_number)
    return [
        response_submit(survey=survey, data=data, channel=Response.Channel.PAPER, entered_by=by) for _ in range(count)
    ]
