from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from panels.models import Panel, User
from surveys import vocab
from surveys.building.models import Question, Survey
from surveys.building.selectors import survey_outline
from surveys.building.services import (
    QuestionInput,
    SurveyError,
    SurveyLocked,
    question_add,
    question_delete,
    question_move,
    question_move_to_section,
    question_update,
    section_add,
    section_delete,
    section_move,
    survey_add_trust_set,
    survey_close,
    survey_copy,
    survey_create,
    survey_new_version,
    survey_open,
    survey_update,
)
from surveys.responding.models import Response
from surveys.responding.services import response_submit
from surveys.stats import SamplingDesign
from tests.surveys.factories import answers, make_survey, questions, token


def test_a_new_survey_is_a_draft_with_one_section(panel: Panel, coordinator: User) -> None:
    survey = make_survey(panel, by=coordinator)
    assert survey.status == Survey.Status.DRAFT
    assert survey.sections.count() == 1
    assert [q.kind for q in questions(survey)] == ["single", "text", "agreement", "text"]


def test_it_numbers_questions_through_the_whole_survey(panel: Panel) -> None:
    survey = make_survey(panel)
    section = section_add(survey=survey, title="About you")
    question_add(section=section, data=QuestionInput(kind=Question.Kind.DEMOGRAPHICS, text="About you"))
    outline = survey_outline(survey)
    assert [[n for n, _ in s.questions] for s in outline] == [[1, 2, 3, 4], [5]]


def test_it_refuses_a_choice_question_without_two_options(panel: Panel) -> None:
    survey = make_survey(panel)
    with pytest.raises(SurveyError, match="two options"):
        question_add(
            section=survey.sections.get(), data=QuestionInput(kind=Question.Kind.SINGLE, text="Pick", options=["Only"])
        )


def test_it_refuses_a_condition_on_a_question_in_another_survey(panel: Panel) -> None:
    one, two = make_survey(panel), make_survey(panel)
    with pytest.raises(SurveyError, match="same survey"):
        question_add(
            section=two.sections.get(),
            data=QuestionInput(
                kind=Question.Kind.TEXT, text="Why?", show_if_question=questions(one)[0], show_if_values=["Yes"]
            ),
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
        question_add(section=survey.sections.get(), data=QuestionInput(kind=Question.Kind.TEXT, text="More?"))
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
        data=QuestionInput(
            kind=Question.Kind.SINGLE,
            text="Have you ever been stopped?",
            options=["Yes", "No", "Not sure"],
            required=True,
        ),
    )
    q1.refresh_from_db()
    assert q1.options == ["Yes", "No", "Not sure"]
    survey_open(survey=survey)
    response_submit(
        survey=survey, data=answers(survey, q1="No"), channel=Response.Channel.ONLINE, form_token=token(survey)
    )
    with pytest.raises(SurveyLocked):
        question_update(question=q1, section=q1.section, data=QuestionInput(kind=Question.Kind.TEXT, text="Changed"))


def test_a_condition_must_name_an_earlier_question(panel: Panel) -> None:
    survey = make_survey(panel)
    q1 = questions(survey)[0]
    later = section_add(survey=survey, title="Later")
    q5 = question_add(
        section=later, data=QuestionInput(kind=Question.Kind.SINGLE, text="Later?", options=["Yes", "No"])
    )
    with pytest.raises(SurveyError, match="must come after that question"):
        question_update(
            question=q1,
            section=q1.section,
            data=QuestionInput(
                kind=Question.Kind.SINGLE, text=q1.text, options=q1.options, show_if_question=q5, show_if_values=["Yes"]
            ),
        )
    q1.refresh_from_db()
    assert q1.show_if_question is None


def test_changing_the_wording_of_a_national_question_drops_its_code(panel: Panel) -> None:
    survey = make_survey(panel)
    survey_add_trust_set(survey=survey)
    good_job = survey.questions.get(standard_code="trust.good_job")
    question_update(
        question=good_job,
        section=good_job.section,
        data=QuestionInput(kind=good_job.kind, text=good_job.text, required=True),
    )
    good_job.refresh_from_db()
    assert good_job.standard_code == "trust.good_job"
    question_update(
        question=good_job,
        section=good_job.section,
        data=QuestionInput(kind=good_job.kind, text="How good are the police?"),
    )
    good_job.refresh_from_db()
    assert good_job.standard_code == ""


# --- Sampling design ----------------------------------------------------------------------------------------------


def test_a_new_survey_is_opt_in_unless_its_builder_says_it_is_a_probability_sample(panel: Panel) -> None:
    assert survey_create(panel=panel, title="Consultation", by=None).sampling_design == SamplingDesign.OPT_IN
    sample = survey_create(panel=panel, title="Address sample", sampling_design="probability", by=None)
    sample.refresh_from_db()
    assert sample.sampling_design == SamplingDesign.PROBABILITY


def test_an_unknown_sampling_design_is_refused_and_nothing_is_stored(panel: Panel) -> None:
    with pytest.raises(SurveyError, match="opt-in or a probability sample"):
        survey_create(panel=panel, title="Bad", sampling_design="quota", by=None)
    assert not Survey.objects.filter(title="Bad").exists()
    survey = make_survey(panel)
    with pytest.raises(SurveyError, match="opt-in or a probability sample"):
        survey_update(survey=survey, title="Renamed", introduction="", sampling_design="snowball")
    survey.refresh_from_db()
    assert (survey.title, survey.sampling_design) == ("Big Conversation 2026", "opt_in")


def test_the_sampling_design_can_be_corrected_after_responses_and_is_kept_when_not_given(panel: Panel) -> None:
    survey = make_survey(panel, open_it=True)
    response_submit(
        survey=survey, data=answers(survey, q1="No"), channel=Response.Channel.ONLINE, form_token=token(survey)
    )
    survey_update(survey=survey, title=survey.title, introduction="", sampling_design="probability")
    survey_update(survey=survey, title="Renamed", introduction="")
    survey.refresh_from_db()
    assert (survey.title, survey.sampling_design) == ("Renamed", "probability")


def test_copies_and_new_versions_keep_the_sampling_design(panel: Panel) -> None:
    survey = make_survey(panel, open_it=True)
    survey_update(survey=survey, title=survey.title, introduction="", sampling_design="probability")
    assert survey_copy(survey=survey, by=None).sampling_design == "probability"
    assert survey_new_version(survey=survey, by=None).sampling_design == "probability"


# --- Moving questions and sections, deleting sections ----------------------------------------------------------------


def texts(survey: Survey) -> list[list[str]]:
    """Question texts by section, in order, as the survey shows them."""
    return [[q.text for _, q in s.questions] for s in survey_outline(survey)]


@pytest.fixture
def two_sections(panel: Panel) -> Survey:
    """Section 1: make_survey's four questions (Q2 shown only if Q1 is "Yes"); section 2 "About you": A, B."""
    survey = make_survey(panel)
    about = section_add(survey=survey, title="About you")
    question_add(section=about, data=QuestionInput(kind=Question.Kind.TEXT, text="A"))
    question_add(section=about, data=QuestionInput(kind=Question.Kind.TEXT, text="B"))
    return survey


FIRST = ["Have you been stopped and searched?", "What happened?", "The police in my area treat young people fairly."]


def test_a_question_moves_up_and_down_within_its_section(two_sections: Survey) -> None:
    last = two_sections.questions.get(text="Anything else?")
    question_move(question=last, direction="up")
    assert texts(two_sections)[0] == [*FIRST[:2], "Anything else?", FIRST[2]]
    question_move(question=last, direction="down")
    assert texts(two_sections)[0] == [*FIRST, "Anything else?"]
    b = two_sections.questions.get(text="B")
    question_move(question=b, direction="up")
    assert texts(two_sections)[1] == ["B", "A"]


def test_a_question_at_the_edge_of_its_section_moves_into_the_next_one(two_sections: Survey) -> None:
    last = two_sections.questions.get(text="Anything else?")
    question_move(question=last, direction="down")
    assert texts(two_sections) == [FIRST, ["Anything else?", "A", "B"]]
    question_move(question=last, direction="up")
    assert texts(two_sections) == [[*FIRST, "Anything else?"], ["A", "B"]]
    a = two_sections.questions.get(text="A")
    question_move(question=a, direction="up")
    assert texts(two_sections) == [[*FIRST, "Anything else?", "A"], ["B"]]


def test_a_question_moves_to_the_end_of_another_section(two_sections: Survey) -> None:
    q3 = two_sections.questions.get(text=FIRST[2])
    question_move_to_section(question=q3, section=two_sections.sections.get(title="About you"))
    assert texts(two_sections) == [[*FIRST[:2], "Anything else?"], ["A", "B", FIRST[2]]]


def test_the_first_and_last_questions_go_no_further(two_sections: Survey) -> None:
    with pytest.raises(SurveyError, match="already the first question"):
        question_move(question=two_sections.questions.get(text=FIRST[0]), direction="up")
    with pytest.raises(SurveyError, match="already the last question"):
        question_move(question=two_sections.questions.get(text="B"), direction="down")
    with pytest.raises(SurveyError, match="up or down"):
        question_move(question=two_sections.questions.get(text="B"), direction="sideways")


def test_a_move_that_puts_a_question_before_its_condition_is_refused_and_changes_nothing(two_sections: Survey) -> None:
    before = texts(two_sections)
    dependant = two_sections.questions.get(text="What happened?")
    with pytest.raises(SurveyError, match="“What happened\\?” is shown only after some answers to “Have you been"):
        question_move(question=dependant, direction="up")
    condition = two_sections.questions.get(text=FIRST[0])
    with pytest.raises(SurveyError, match="must come after that question"):
        question_move(question=condition, direction="down")
    with pytest.raises(SurveyError, match="must come after that question"):
        question_move_to_section(question=condition, section=two_sections.sections.get(title="About you"))
    assert texts(two_sections) == before


def test_sections_move_with_their_questions(two_sections: Survey) -> None:
    # Move the condition's question into section 2 (and its dependant with it), so section 1 can go below.
    about = two_sections.sections.get(title="About you")
    first = two_sections.sections.get(title="Your views")
    question_move_to_section(question=two_sections.questions.get(text=FIRST[2]), section=about)
    section_move(section=about, direction="up")
    assert [s.section.title for s in survey_outline(two_sections)] == ["About you", "Your views"]
    assert texts(two_sections) == [["A", "B", FIRST[2]], [*FIRST[:2], "Anything else?"]]
    with pytest.raises(SurveyError, match="already the first section"):
        section_move(section=about, direction="up")
    with pytest.raises(SurveyError, match="already the last section"):
        section_move(section=first, direction="down")


def test_a_section_move_that_breaks_a_condition_is_refused(two_sections: Survey) -> None:
    about = two_sections.sections.get(title="About you")
    question_add(
        section=about,
        data=QuestionInput(
            kind=Question.Kind.TEXT,
            text="Where?",
            show_if_question=two_sections.questions.get(text=FIRST[0]),
            show_if_values=["Yes"],
        ),
    )
    with pytest.raises(SurveyError, match="“Where\\?” is shown only after"):
        section_move(section=about, direction="up")
    assert [s.section.title for s in survey_outline(two_sections)] == ["Your views", "About you"]


def test_an_empty_section_is_deleted_at_once_and_one_with_questions_only_when_confirmed(two_sections: Survey) -> None:
    empty = section_add(survey=two_sections, title="Empty")
    assert section_delete(section=empty) == 0
    about = two_sections.sections.get(title="About you")
    with pytest.raises(SurveyError, match="has 2 questions"):
        section_delete(section=about)
    assert two_sections.questions.filter(text__in=["A", "B"]).count() == 2
    assert section_delete(section=about, delete_questions=True) == 2
    assert texts(two_sections) == [[*FIRST, "Anything else?"]]
    assert [s.position for s in two_sections.sections.all()] == [1]


def test_the_last_section_and_a_section_another_depends_on_are_not_deleted(two_sections: Survey) -> None:
    first = two_sections.sections.get(title="Your views")
    about = two_sections.sections.get(title="About you")
    question_add(
        section=about,
        data=QuestionInput(
            kind=Question.Kind.TEXT,
            text="Where?",
            show_if_question=two_sections.questions.get(text=FIRST[0]),
            show_if_values=["Yes"],
        ),
    )
    with pytest.raises(SurveyError, match="“Where\\?”, in another section"):
        section_delete(section=first, delete_questions=True)
    assert two_sections.sections.count() == 2
    section_delete(section=about, delete_questions=True)
    with pytest.raises(SurveyError, match="at least one section"):
        section_delete(section=first, delete_questions=True)
    assert two_sections.questions.count() == 4


def test_nothing_moves_or_is_deleted_once_the_survey_has_responses(two_sections: Survey) -> None:
    survey_open(survey=two_sections)
    response_submit(
        survey=two_sections,
        data=answers(two_sections, q1="No"),
        channel=Response.Channel.ONLINE,
        form_token=token(two_sections),
    )
    before = texts(two_sections)
    about = two_sections.sections.get(title="About you")
    with pytest.raises(SurveyLocked):
        question_move(question=two_sections.questions.get(text="B"), direction="up")
    with pytest.raises(SurveyLocked):
        question_move_to_section(question=two_sections.questions.get(text=FIRST[2]), section=about)
    with pytest.raises(SurveyLocked):
        section_move(section=about, direction="up")
    with pytest.raises(SurveyLocked):
        section_delete(section=about, delete_questions=True)
    assert texts(two_sections) == before


def test_moves_mend_positions_left_tied_by_older_data(two_sections: Survey) -> None:
    # Older rows may share a position: the order falls back to the primary key, and a move must still move.
    two_sections.questions.filter(section__title="About you").update(position=0)
    question_move(question=two_sections.questions.get(text="B"), direction="up")
    assert texts(two_sections)[1] == ["B", "A"]
