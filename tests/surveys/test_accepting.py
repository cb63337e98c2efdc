"""The fast path's guard agrees with the survey's own rule.

A response is stored by one hand-written INSERT guarded by the survey's row (surveys.responding.store): it stores
nothing unless the survey still has the questions the answers were checked against and still takes the response.
Pages decide with `Survey.accepting_state` (online, invitation, event) and `Survey.takes_paper_forms` (paper). These
tests check, through the real INSERT on this test run's database (SQLite or PostgreSQL: the path exists on both, as
two statements or one), that the guard stores a response exactly when those say it may: for every combination of
draft, open or closed; opening and closing dates absent, long before or after now, a microsecond either side of it
or equal to it; the copy's questions version current or stale; paper or not (all of them, since a boundary is one
state among hundreds and a random sample can miss it); and for any other offsets Hypothesis draws.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panels.models import Panel
from surveys.building.models import Question, Survey
from surveys.building.services import QuestionInput, question_add, survey_create
from surveys.responding.answers import CleanAnswer
from surveys.responding.models import Answer, Response
from surveys.responding.store import SurveyChanged, store_response

NOW = datetime(2026, 6, 15, 12, 30, 0, 500_000, tzinfo=UTC)
TICK = timedelta(microseconds=1)
# When a date falls relative to now: absent, or before, at or after it, by a long way or by the smallest step stored.
WHEN = [None, -timedelta(days=400), -timedelta(hours=1), -TICK, timedelta(0), TICK, timedelta(days=3)]
CHOICES: dict[str, list[Any]] = {
    "status": Survey.Status.values,
    "opens": WHEN,
    "closes": WHEN,
    "paper": [False, True],
    "version_current": [True, False],
}
STATES = st.fixed_dictionaries(
    {
        **{key: st.sampled_from(values) for key, values in CHOICES.items()},
        "opens": st.none() | st.timedeltas(min_value=-timedelta(days=30), max_value=timedelta(days=30)),
        "closes": st.none() | st.timedeltas(min_value=-timedelta(days=30), max_value=timedelta(days=30)),
    }
)


class _Undo(Exception):
    """Raised to roll each state back, so that the next starts from the same rows."""


@pytest.fixture
def question(panel: Panel) -> Question:
    survey = survey_create(panel=panel, title="Guarded", by=None)
    return question_add(section=survey.sections.get(), data=QuestionInput(kind=Question.Kind.TEXT, text="Say it"))


def _stores(survey: Survey, question: Question, *, paper: bool) -> bool:
    """Whether the fast path stores a response with one answer to `survey` (as the process holds it) at NOW."""
    response = Response(survey=survey, channel=Response.Channel.PAPER if paper else Response.Channel.ONLINE)
    try:
        store_response(response, [CleanAnswer(question, "Yes")], survey=survey, must_be_open=not paper, now=NOW)
    except SurveyChanged:
        assert not Response.objects.filter(survey=survey).exists()
        return False
    assert Answer.objects.get(response=response).value == "Yes"
    return True


def _agrees(question: Question, state: dict[str, Any]) -> bool:
    """Whether, with the survey in `state`, the guard stores a response exactly when the survey's rule says it may."""

    def at(offset: timedelta | None) -> datetime | None:
        return None if offset is None else NOW + offset

    with contextlib.suppress(_Undo), transaction.atomic():
        Survey.objects.filter(pk=question.survey_id).update(
            status=state["status"], opens_at=at(state["opens"]), closes_at=at(state["closes"])
        )
        survey = Survey.objects.get(pk=question.survey_id)  # the copy a process answers from
        if not state["version_current"]:
            survey.questions_version -= 1  # read before the questions last changed
        may = survey.takes_paper_forms if state["paper"] else survey.accepting_state(NOW) == "open"
        agrees = _stores(survey, question, paper=state["paper"]) == (may and state["version_current"])
        raise _Undo
    return agrees


def test_the_guard_stores_a_response_exactly_when_the_survey_takes_it_at_every_boundary(question: Question) -> None:
    states = [dict(zip(CHOICES, values, strict=True)) for values in itertools.product(*CHOICES.values())]
    assert [state for state in states if not _agrees(question, state)] == []


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=STATES)
def test_the_guard_stores_a_response_exactly_when_the_survey_takes_it(
    question: Question, state: dict[str, Any]
) -> None:
    assert _agrees(question, state)
