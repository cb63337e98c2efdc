"""The one rule for young respondents' consent (surveys.responding.consent), for every channel."""

from __future__ import annotations

import pytest

from panels.models import Panel, User
from surveys.building.models import Question
from surveys.building.services import QuestionInput, question_add, survey_create, survey_open
from surveys.responding.consent import (
    YOUNG_CONSENT_KIOSK,
    YOUNG_CONSENT_ONLINE,
    check_young_consent,
    said_under_18,
    young_trigger,
)
from surveys.responding.errors import ResponseInvalid
from surveys.responding.models import Response
from surveys.responding.services import response_submit

YOUNG_BAND = {"q7_age_band": ["14-17"]}
OLDER_BAND = {"q7_age_band": ["18-24"]}


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        (Response.Channel.ONLINE, YOUNG_CONSENT_ONLINE),
        (Response.Channel.INVITATION, YOUNG_CONSENT_ONLINE),
        (Response.Channel.EVENT, YOUNG_CONSENT_KIOSK),
    ],
)
def test_someone_who_says_they_are_14_to_17_must_tick_the_consent_box(channel: str, message: str) -> None:
    for data, age in ((YOUNG_BAND, ""), ({}, "14-17"), (OLDER_BAND, "14-17")):
        with pytest.raises(ResponseInvalid) as caught:
            check_young_consent(channel, data, age=age, consent=False)
        assert caught.value.errors == {"young_consent": message}
        check_young_consent(channel, data, age=age, consent=True)


@pytest.mark.parametrize("channel", [Response.Channel.ONLINE, Response.Channel.EVENT])
def test_nobody_else_is_asked_for_consent(channel: str) -> None:
    for data, age in (({}, ""), (OLDER_BAND, ""), ({}, "18-24"), ({"q7": ["14-17"]}, "")):
        check_young_consent(channel, data, age=age, consent=False)


def test_paper_entry_never_asks_for_the_tick() -> None:
    check_young_consent(Response.Channel.PAPER, YOUNG_BAND, age="14-17", consent=False)


def test_an_age_band_counts_wherever_it_was_sent() -> None:
    assert said_under_18({"q3_age_band": ["", "14-17"]})
    assert said_under_18({}, age="14-17")
    assert not said_under_18({"q3_age_band": ["18-24"], "q4": ["14-17"]})


def test_the_age_band_of_the_first_demographics_question_brings_up_the_information(panel: Panel) -> None:
    survey = survey_create(panel=panel, title="Youth voice", by=None)
    section = survey.sections.get()
    assert young_trigger([]) == ""
    question_add(section=section, data=QuestionInput(kind=Question.Kind.TEXT, text="Anything else?"))
    about = question_add(section=section, data=QuestionInput(kind=Question.Kind.DEMOGRAPHICS, text="About you"))
    assert young_trigger(list(survey.questions.order_by("position"))) == f"{about.field_name}_age_band"


def test_a_response_is_marked_under_18_by_the_first_page_or_its_age_band(panel: Panel, coordinator: User) -> None:
    survey = survey_create(panel=panel, title="Youth voice", by=None)
    section = survey.sections.get()
    said = question_add(section=section, data=QuestionInput(kind=Question.Kind.TEXT, text="Say something"))
    about = question_add(section=section, data=QuestionInput(kind=Question.Kind.DEMOGRAPHICS, text="About you"))
    survey_open(survey=survey)

    def paper(age: str, band: str) -> Response:
        data = {said.field_name: ["Hello"], f"{about.field_name}_age_band": [band]}
        paper = Response.Channel.PAPER
        return response_submit(survey=survey, data=data, channel=paper, entered_by=coordinator, age=age)

    assert paper("", "14-17").under_18
    assert paper("14-17", "").under_18
    assert not paper("", "18-24").under_18
    assert not paper("18-24", "").under_18
