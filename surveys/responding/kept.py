"""What each server process keeps between responses to a public link, so that a response needs no read of its own:
a recent copy of each open survey, and each survey's questions (docs/surveys.md, "How a response is stored").
What storing a response depends on is checked again by the INSERT that stores it (surveys.responding.store)."""

from __future__ import annotations

import functools
import threading
import time

from surveys.building.models import QUESTION_ORDER, Question, Survey
from surveys.responding.permissions import get_public_survey


@functools.lru_cache(maxsize=256)
def _kept_questions(public_key: str, questions_version: int) -> tuple[Question, ...]:
    """A survey's questions in order, as `survey_questions` gives them but without their sections and conditions'
    questions (checking answers reads only each question's own fields, a condition by its question's id).

    Kept by the process between responses: reading and building twenty questions was a fifth of a response's time.
    The key is the survey's random public key with its `questions_version`, which every change to its questions
    raises (surveys.building.services), so a changed survey is read afresh. The questions are only read, never
    changed, so the threads of one process can share them."""
    questions = Question.objects.filter(survey__public_key=public_key)
    return tuple(questions.order_by(*QUESTION_ORDER))


def questions_for_answers(survey: Survey) -> tuple[Question, ...]:
    return _kept_questions(survey.public_key, survey.questions_version)


# Copies of open surveys, by public key, with when they were read: the first read of every response sent to a public
# link, saved. A copy is used for at most KEEP_SURVEY_FOR seconds; what matters for storing a response (open or not,
# which questions) is checked again by the INSERT that stores it (surveys.responding.store), so an out-of-date copy
# costs a second read, never a response stored against a closed survey or the wrong questions. What else a page shows
# of a survey (its title, its panel's name) is at most that many seconds old.
KEEP_SURVEY_FOR = 10.0
_KEEP_AT_MOST = 1000
_kept_surveys: dict[str, tuple[float, Survey]] = {}
_kept_lock = threading.Lock()


def keep(survey: Survey) -> None:
    with _kept_lock:
        if len(_kept_surveys) >= _KEEP_AT_MOST:
            _kept_surveys.clear()
        _kept_surveys[survey.public_key] = (time.monotonic(), survey)


def survey_for_answers(public_key: str) -> Survey:
    """The survey a response to a public link is sent to: a copy this process read in the last few seconds if it
    was open then and still is by its dates, otherwise read now (404 for no survey or a draft)."""
    kept = _kept_surveys.get(public_key)
    if kept is not None and time.monotonic() - kept[0] < KEEP_SURVEY_FOR and kept[1].accepting_state() == "open":
        return kept[1]
    survey = get_public_survey(public_key)
    keep(survey)
    return survey
