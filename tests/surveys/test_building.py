from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from panels.models import Panel, User
from surveys import vocab
from surveys.models import Question, Response, Survey
from surveys.responding import response_submit
from surveys.selectors import survey_outline
from surveys.services import (
    SurveyError,
    SurveyLocked,
    question_add,
    question_delete,
    question_update,
    section_add,
    survey_add_trust_set,
    survey_close,
    survey_copy,
    survey_new_version,
    survey_open,
)
from tests.surveys.factories import answers, make_survey, questions, token


def test_a_new_survey_is_a_draft_with_one_section(panel: Panel, coordinator: User) -> None:
    survey = make_survey(panel, by=coordinator)
    assert survey.status == Survey.Status.DRAFT
    assert survey.sections.count() == 1
    assert [q.kind for q in questions(survey)] == ["single", "text", "agreement", "text"]


def test_it_numbers_questions_through_the_whole_survey(panel: Panel) -> None:
    survey = make_survey(panel)
    section = section_add(survey=survey, title="About you")
    question_add(section=section, kind=Question.Kind.DEMOGRAPHICS, text="About you")
    outline = survey_outline(survey)
    assert [[n for n, _ in s.questions] for s in outline] == [[1, 2, 3, 4], [5]]


def test_it_refuses_a_choice_question_without_two_options(panel: Panel) -> None:
    survey = make_survey(panel)
    with pytest.raises(SurveyError, match="two options"):
        question_add(section=survey.sections.get(), kind=Question.Kind.SINGLE, text="Pick", options=["Only"])


def test_it_refuses_a_condition_on_a_question_in_another_survey(panel: Panel) -> None:
    one, two = make_survey(panel), make_survey(panel)
    with pytest.raises(SurveyError, match="same survey"):
        question_add(
            section=two.sections.get(),
            kind=Question.Kind.TEXT,
            text="Why?",
            show_if_question=questions(one)[0],
            show_if_values=["Yes"],
        )


def test_the_trust_set_uses_the_national_wording(panel: Panel) -> None:
    survey = make_survey(panel)
    survey_add_trust_set(survey=survey)
    trust = [q for q in questions(survey) if q.standard_code.startswith("trust.")]
    assert [q.text for q in trust] == [q.text for q in vocab.TRUST_SET]
    assert trust[0].text.startswith("Taking everything into account, how good a job")
    assert "They listen to the concerns of local people" in trust[1].options
    assert trust[1].scale == "agreement"


def test_a_copy_is_a_new_draft_with_the_conditions_pointing_at_its_own_questions(panel: Panel, member: User) -> None:
    survey = make_survey(panel, open_it=True)
    copy = survey_copy(survey=survey, by=member)
    assert copy.status == Survey.Status.DRAFT
    assert copy.title == f"Copy of {survey.title}"
    assert copy.public_key != survey.public_key
    q1, q2 = questions(copy)[:2]
    assert q2.show_if_question == q1
    assert q2.show_if_values == ["Yes"]


def test_questions_cannot_change_once_there_are_responses(panel: Panel) -> None:
    survey = make_survey(panel, open_it=True)
    response_submit(
        survey=survey, data=answers(survey, q1="No"), channel=Response.Channel.ONLINE, form_token=token(survey)
    )
    with pytest.raises(SurveyLocked):
        question_add(section=survey.sections.get(), kind=Question.Kind.TEXT, text="More?")
    with pytest.raises(SurveyLocked):
        question_delete(question=questions(survey)[0])
    with pytest.raises(SurveyLocked):
        section_add(survey=survey, title="More")


def test_a_new_version_copies_the_questions_and_points_back(panel: Panel, coordinator: User) -> None:
    survey = make_survey(panel, open_it=True)
    version = survey_new_version(survey=survey, by=coordinator)
    assert version.version == 2
    assert version.previous_version == survey
    assert version.title == survey.title
    assert len(questions(version)) == 4
    with pytest.raises(SurveyError, match="already has a newer version"):
        survey_new_version(survey=survey, by=coordinator)


def test_it_opens_with_dates_and_closes(panel: Panel) -> None:
    survey = make_survey(panel)
    later = timezone.now() + timedelta(days=1)
    survey_open(survey=survey, opens_at=later, closes_at=later + timedelta(days=7))
    assert survey.accepting_state() == "not_yet_open"
    assert survey.accepting_state(now=later + timedelta(hours=1)) == "open"
    assert survey.accepting_state(now=later + timedelta(days=8)) == "past_close"
    survey_close(survey=survey)
    assert survey.accepting_state() == "closed"


def test_it_will_not_open_an_empty_survey_or_close_before_it_opens(panel: Panel) -> None:
    survey = make_survey(panel)
    for q in questions(survey):
        question_delete(question=q)
    with pytest.raises(SurveyError, match="at least one question"):
        survey_open(survey=survey)
    survey = make_survey(panel)
    now = timezone.now()
    with pytest.raises(SurveyError, match="after the opening date"):
        survey_open(survey=survey, opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=1))


def test_a_question_can_be_changed_until_there_are_responses(panel: Panel) -> None:
    survey = make_survey(panel)
    q1 = questions(survey)[0]
    question_update(
        question=q1,
        section=q1.section,
        kind=Question.Kind.SINGLE,
        text="Have you ever been stopped?",
        options=["Yes", "No", "Not sure"],
        required=True,
    )
    q1.refresh_from_db()
    assert q1.options == ["Yes", "No", "Not sure"]
    survey_open(survey=survey)
    response_submit(
        survey=survey, data=answers(survey, q1="No"), channel=Response.Channel.ONLINE, form_token=token(survey)
    )
    with pytest.raises(SurveyLocked):
        question_update(question=q1, section=q1.section, kind=Question.Kind.TEXT, text="Changed")


def test_a_condition_must_name_an_earlier_question(panel: Panel) -> None:
    survey = make_survey(panel)
    q1 = questions(survey)[0]
    later = section_add(survey=survey, title="Later")
    q5 = question_add(section=later, kind=Question.Kind.SINGLE, text="Later?", options=["Yes", "No"])
    with pytest.raises(SurveyError, match="must come after that question"):
        question_update(
            question=q1,
            section=q1.section,
            kind=Question.Kind.SINGLE,
            text=q1.text,
            options=q1.options,
            show_if_question=q5,
            show_if_values=["Yes"],
        )
    q1.refresh_from_db()
    assert q1.show_if_question is None


def test_changing_the_wording_of_a_national_question_drops_its_code(panel: Panel) -> None:
    survey = make_survey(panel)
    survey_add_trust_set(survey=survey)
    good_job = survey.questions.get(standard_code="trust.good_job")
    question_update(question=good_job, section=good_job.section, kind=good_job.kind, text=good_job.text, required=True)
    good_job.refresh_from_db()
    assert good_job.standard_code == "trust.good_job"
    question_update(question=good_job, section=good_job.section, kind=good_job.kind, text="How good are the police?")
    good_job.refresh_from_db()
    assert good_job.standard_code == ""
