from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panels.models import Panel, User
from surveys import vocab
from surveys.building.models import Question, Survey
from surveys.building.services import QuestionInput, SurveyError, question_add, section_add, survey_close, survey_open
from surveys.responding.errors import ResponseInvalid, ResponseRefused
from surveys.responding.kept import survey_for_answers
from surveys.responding.models import Answer, Response
from surveys.responding.services import response_submit, survey_invitations_create
from tests.surveys.factories import answers, make_survey, questions, token

ONLINE = Response.Channel.ONLINE


@pytest.fixture
def survey(panel: Panel) -> Survey:
    return make_survey(panel, open_it=True)


def submit(survey: Survey, **kwargs: object) -> Response:
    return response_submit(survey=survey, data=answers(survey, **kwargs), channel=ONLINE, form_token=token(survey))


def test_it_stores_a_response_and_its_answers_and_nothing_about_the_person(survey: Survey) -> None:
    response = submit(survey, q1="Yes", q2="Searched on the way home.", q3="tend_to_agree")
    assert response.channel == ONLINE
    assert response.submitted_on == timezone.localdate()
    assert {a.question.text: a.value for a in response.answers.select_related("question")} == {
        "Have you been stopped and searched?": "Yes",
        "What happened?": "Searched on the way home.",
        "The police in my area treat young people fairly.": "tend_to_agree",
    }
    fields = {f.name for f in Response._meta.get_fields()}
    assert not fields & {"ip_address", "user_agent", "user", "created_at", "email"}
    assert response.token_hash
    assert len(response.token_hash) == 64


def test_it_refuses_a_response_missing_a_required_answer_and_stores_nothing(survey: Survey) -> None:
    with pytest.raises(ResponseInvalid) as caught:
        submit(survey, q3="tend_to_agree")
    assert caught.value.errors == {questions(survey)[0].field_name: "Question 1: answer this question, it is needed"}
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


def test_a_question_shown_by_a_condition_is_required_only_when_shown(survey: Survey) -> None:
    assert submit(survey, q1="No").answers.count() == 1
    with pytest.raises(ResponseInvalid) as caught:
        submit(survey, q1="Yes")
    assert "Question 2" in caught.value.errors[questions(survey)[1].field_name]


def test_an_answer_to_a_hidden_question_is_not_stored(survey: Survey) -> None:
    response = submit(survey, q1="No", q2="Should not be kept")
    assert list(response.answers.values_list("question__text", flat=True)) == ["Have you been stopped and searched?"]


def test_it_refuses_an_option_that_does_not_exist(survey: Survey) -> None:
    with pytest.raises(ResponseInvalid) as caught:
        submit(survey, q1="Maybe")
    assert "Choose one of the answers given" in caught.value.errors[questions(survey)[0].field_name]
    with pytest.raises(ResponseInvalid):
        submit(survey, q1="No", q3="totally")
    assert not Response.objects.exists()


def test_it_refuses_an_over_long_answer(survey: Survey) -> None:
    with pytest.raises(ResponseInvalid) as caught:
        submit(survey, q1="No", q4="x" * (vocab.MAX_TEXT_LENGTH + 1))
    assert "2000 characters or fewer" in caught.value.errors[questions(survey)[3].field_name]
    assert not Response.objects.exists()


def test_it_refuses_an_empty_response(survey: Survey, panel: Panel) -> None:
    optional = make_survey(panel, open_it=False)
    first = questions(optional)[0]
    first.required = False
    first.save()
    survey_open(survey=optional)
    with pytest.raises(ResponseInvalid):
        response_submit(survey=optional, data={}, channel=ONLINE, form_token=token(optional))


def test_a_form_token_takes_one_response(survey: Survey) -> None:
    form = token(survey)
    response_submit(survey=survey, data=answers(survey, q1="No"), channel=ONLINE, form_token=form)
    with pytest.raises(ResponseRefused) as caught:
        response_submit(survey=survey, data=answers(survey, q1="No"), channel=ONLINE, form_token=form)
    assert caught.value.reason == "duplicate"
    assert Response.objects.count() == 1


def test_it_refuses_a_forged_expired_or_other_survey_token(survey: Survey, panel: Panel) -> None:
    data = answers(survey, q1="No")
    for bad in ("", "made-up", token(make_survey(panel, open_it=True))):
        with pytest.raises(ResponseRefused):
            response_submit(survey=survey, data=data, channel=ONLINE, form_token=bad)
    old = token(survey)
    with override_settings(), pytest.MonkeyPatch.context() as patch:
        patch.setattr("surveys.responding.services.FORM_TOKEN_MAX_AGE", -1)
        with pytest.raises(ResponseRefused) as caught:
            response_submit(survey=survey, data=data, channel=ONLINE, form_token=old)
    assert caught.value.reason == "expired"


@override_settings(SURVEY_RESPONSES_PER_MINUTE=2)
def test_it_limits_how_fast_responses_arrive(survey: Survey) -> None:
    submit(survey, q1="No")
    submit(survey, q1="No")
    with pytest.raises(ResponseRefused) as caught:
        submit(survey, q1="No")
    assert caught.value.reason == "rate"
    assert Response.objects.count() == 2


def test_a_closed_or_not_yet_open_survey_refuses_responses(survey: Survey, panel: Panel) -> None:
    survey_close(survey=survey)
    with pytest.raises(ResponseRefused) as caught:
        submit(survey, q1="No")
    assert caught.value.reason == "closed"
    later = make_survey(panel)
    survey_open(survey=later, opens_at=timezone.now() + timedelta(days=1))
    with pytest.raises(ResponseRefused) as caught:
        submit(later, q1="No")
    assert caught.value.reason == "not_yet_open"


def test_an_invitation_link_takes_one_response(survey: Survey) -> None:
    first, second = survey_invitations_create(survey=survey, count=2)
    data = answers(survey, q1="No")
    response = response_submit(survey=survey, data=data, channel=Response.Channel.INVITATION, invitation_token=first)
    assert response.invitation is not None
    assert response.invitation.used_at is not None
    with pytest.raises(ResponseRefused) as caught:
        response_submit(survey=survey, data=data, channel=Response.Channel.INVITATION, invitation_token=first)
    assert caught.value.reason == "used"
    response_submit(survey=survey, data=data, channel=Response.Channel.INVITATION, invitation_token=second)
    with pytest.raises(ResponseRefused):
        response_submit(survey=survey, data=data, channel=Response.Channel.INVITATION, invitation_token="nope")
    assert Response.objects.count() == 2
    assert not survey.invitations.filter(token_hash=first).exists()  # only hashes are kept


def test_an_event_response_sent_twice_is_stored_once(survey: Survey) -> None:
    client_id = str(uuid.uuid4())
    data = answers(survey, q1="No")
    one = response_submit(survey=survey, data=data, channel=Response.Channel.EVENT, client_id=client_id)
    two = response_submit(survey=survey, data=data, channel=Response.Channel.EVENT, client_id=client_id)
    assert one.pk == two.pk
    assert Response.objects.count() == 1


def test_a_paper_form_records_who_typed_it_in_even_after_closing(survey: Survey, coordinator: User) -> None:
    survey_close(survey=survey)
    response = response_submit(
        survey=survey, data=answers(survey, q1="No"), channel=Response.Channel.PAPER, entered_by=coordinator
    )
    assert response.channel == Response.Channel.PAPER
    assert response.entered_by == coordinator
    with pytest.raises(SurveyError):
        response_submit(survey=survey, data=answers(survey, q1="No"), channel=Response.Channel.PAPER)


def test_it_accepts_every_kind_of_question(panel: Panel) -> None:
    survey = make_survey(panel)
    section = section_add(survey=survey, title="More")
    K = Question.Kind
    question_add(
        section=section,
        data=QuestionInput(kind=K.MULTIPLE, text="Where?", options=["School", "Street"], allow_other=True),
    )
    question_add(section=section, data=QuestionInput(kind=K.RATING, text="How good?"))
    question_add(section=section, data=QuestionInput(kind=K.SCALE, text="0 to 10?"))
    question_add(
        section=section,
        data=QuestionInput(kind=K.RANKING, text="Priorities", options=["Knife crime", "Drugs", "Bikes"]),
    )
    question_add(section=section, data=QuestionInput(kind=K.NUMBER, text="How many times?", minimum=0, maximum=100))
    question_add(
        section=section, data=QuestionInput(kind=K.MATRIX, text="Agree?", options=["Fair", "Listen"], scale="agreement")
    )
    question_add(section=section, data=QuestionInput(kind=K.DEMOGRAPHICS, text="About you"))
    survey_open(survey=survey)
    data = answers(
        survey,
        q1="No",
        q5=["Street", "other"],
        q5_other="Park",
        q6="good",
        q7="7",
        q8_0="2",
        q8_2="1",
        q9="3",
        q10_0="strongly_agree",
        q10_1="neither",
        q11_age_band="14-17",
        q11_ethnic_group="8",
        q11_sex="prefer_not",
        q11_postcode_district="ls6 ",
    )
    response = response_submit(survey=survey, data=data, channel=ONLINE, form_token=token(survey))
    values = {a.question.kind + str(a.question.position): (a.value, a.other_text) for a in response.answers.all()}
    assert values["multiple1"] == (["Street", "other"], "Park")
    assert values["ranking4"] == (["Bikes", "Knife crime"], "")
    assert values["scale3"] == (7, "")
    assert values["matrix6"] == ({"0": "strongly_agree", "1": "neither"}, "")
    assert values["demographics7"] == (
        {"age_band": "14-17", "ethnic_group": "8", "sex": "prefer_not", "postcode_district": "LS6"},
        "",
    )
    assert response.under_18


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("q5", ["other"], "Say what your other answer is"),
        ("q7", "11", "from 0 to 10"),
        ("q9", "101", "from 0 to 100"),
        ("q9", "many", "whole number"),
        ("q8_0", "1", "different number"),
        ("q10_0", "maybe", "each statement"),
        ("q11_postcode_district", "LS6 3AB", "first part of your postcode"),
        ("q11_age_band", "12-13", "choose one of the answers"),
    ],
)
def test_it_refuses_answers_that_do_not_fit_the_question(panel: Panel, field: str, value: object, message: str) -> None:
    survey = make_survey(panel)
    section = section_add(survey=survey, title="More")
    K = Question.Kind
    question_add(
        section=section,
        data=QuestionInput(kind=K.MULTIPLE, text="Where?", options=["School", "Street"], allow_other=True),
    )
    question_add(section=section, data=QuestionInput(kind=K.RATING, text="How good?"))
    question_add(section=section, data=QuestionInput(kind=K.SCALE, text="0 to 10?"))
    question_add(
        section=section,
        data=QuestionInput(kind=K.RANKING, text="Priorities", options=["Knife crime", "Drugs", "Bikes"]),
    )
    question_add(section=section, data=QuestionInput(kind=K.NUMBER, text="How many times?", minimum=0, maximum=100))
    question_add(
        section=section, data=QuestionInput(kind=K.MATRIX, text="Agree?", options=["Fair", "Listen"], scale="agreement")
    )
    question_add(section=section, data=QuestionInput(kind=K.DEMOGRAPHICS, text="About you"))
    survey_open(survey=survey)
    extra = {"q8_1": "1"} if field == "q8_0" else {}
    with pytest.raises(ResponseInvalid) as caught:
        response_submit(
            survey=survey,
            data=answers(survey, q1="No", **{field: value}, **extra),
            channel=ONLINE,
            form_token=token(survey),
        )
    assert message in " ".join(caught.value.errors.values())
    assert not Response.objects.exists()


def test_an_online_response_takes_the_same_few_queries_however_many_questions(panel: Panel) -> None:
    """The survey's questions are read once and kept (surveys.responding); the form token's uniqueness is left to the
    database's index (no query before the insert); the response and all its answers go in one statement on
    PostgreSQL, two INSERTs elsewhere. Counted inside the test's transaction, so with a savepoint around the store."""
    small, large = make_survey(panel), make_survey(panel, title="Longer")
    section = section_add(survey=large, title="More")
    for n in range(16):
        question_add(section=section, data=QuestionInput(kind=Question.Kind.SCALE, text=f"Scale {n}", required=True))
    long_answers = {f"q{5 + n}": str(n % 11) for n in range(16)}
    inserts = 1 if connection.vendor == "postgresql" else 2

    counted = []
    for survey, data in ((small, answers(small, q1="No")), (large, answers(large, q1="No", **long_answers))):
        survey_open(survey=survey)
        survey.refresh_from_db()
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                response_submit(survey=survey, data=data, channel=ONLINE, form_token=token(survey))
            sql = [q["sql"] for q in queries.captured_queries]
            counted.append(len(sql))
            assert sum(s.lstrip().upper().startswith(("INSERT", "WITH")) for s in sql) == inserts
        assert Answer.objects.filter(response__survey=survey).count() == 2 * len(data)
    first_small, again_small, first_large, again_large = counted
    assert first_small == first_large <= 2 + inserts + 1  # the questions, a savepoint and its release, the inserts
    assert again_small == again_large == first_small - 1  # the questions were kept


def test_a_change_to_the_questions_is_seen_by_the_next_response(panel: Panel) -> None:
    """A process keeps a survey's questions between responses; a change to them (only possible before the first
    response is stored) must reach the next response all the same."""
    survey = make_survey(panel, open_it=True)
    with pytest.raises(ResponseInvalid):  # reads and keeps the questions as they are now
        submit(survey, q3="tend_to_agree")
    added = question_add(
        section=survey.sections.get(),
        data=QuestionInput(kind=Question.Kind.TEXT, text="One more thing?", required=True),
    )
    survey = Survey.objects.get(pk=survey.pk)  # as the next request reads it
    with pytest.raises(ResponseInvalid) as caught:
        submit(survey, q1="No")
    assert caught.value.errors == {added.field_name: "Question 5: answer this question, it is needed"}
    response = submit(survey, q1="No", q5="Nothing.")
    assert response.answers.get(question=added).value == "Nothing."


def test_answers_are_stored_exactly_as_given(survey: Survey) -> None:
    """The answers go to the database by hand-written SQL (surveys.responding): what comes back through the ORM is
    what was sent, quotes, percent signs, backslashes and all."""
    text = '100% "fair"? It\'s not; C:\\path\\ é ✓ 🚓 %s %(x)s {}'
    response = submit(survey, q1="Yes", q2=text, q3="strongly_disagree")
    stored = {a.question.text: a.value for a in Answer.objects.filter(response=response).select_related("question")}
    assert stored == {
        "Have you been stopped and searched?": "Yes",
        "What happened?": text,
        "The police in my area treat young people fairly.": "strongly_disagree",
    }
    assert Response.objects.get(pk=response.pk).token_hash == response.token_hash


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": Survey.Status.CLOSED}, "closed"),
        ({"closes_at": timezone.now() - timedelta(minutes=1)}, "past_close"),
        ({"opens_at": timezone.now() + timedelta(days=1)}, "not_yet_open"),
    ],
)
def test_a_survey_that_stopped_taking_responses_after_it_was_read_stores_nothing(
    survey: Survey, change: dict[str, Any], reason: str
) -> None:
    """A response may be checked against a copy of the survey read a moment ago (survey_for_answers); the INSERT
    that stores it checks again that the survey is open, the same test as Survey.accepting_state()."""
    copy = Survey.objects.get(pk=survey.pk)
    Survey.objects.filter(pk=survey.pk).update(**change)
    assert copy.accepting_state() == "open"
    assert Survey.objects.get(pk=survey.pk).accepting_state() == reason
    with pytest.raises(ResponseRefused) as caught:
        submit(copy, q1="No")
    assert caught.value.reason == reason
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


def test_paper_forms_are_still_taken_after_a_survey_closes_but_never_for_a_draft(
    survey: Survey, coordinator: User
) -> None:
    copy = Survey.objects.get(pk=survey.pk)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    paper = response_submit(survey=copy, data=answers(survey, q1="No"), channel="paper", entered_by=coordinator)
    assert paper.channel == "paper"
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)
    with pytest.raises(ResponseRefused):
        response_submit(survey=copy, data=answers(survey, q1="No"), channel="paper", entered_by=coordinator)
    assert Response.objects.count() == 1


def test_the_copy_of_a_survey_kept_for_answers_is_read_again_when_out_of_date(
    survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = survey_for_answers(survey.public_key)
    assert survey_for_answers(survey.public_key) is first  # kept
    survey_close(survey=survey)
    assert survey_for_answers(survey.public_key) is first  # still kept: the INSERT's guard catches it (above)
    monkeypatch.setattr("surveys.responding.kept.KEEP_SURVEY_FOR", 0.0)
    fresh = survey_for_answers(survey.public_key)
    assert fresh is not first
    assert fresh.accepting_state() == "closed"
    with pytest.raises(Http404):
        survey_for_answers("no-such-survey")


def test_answers_are_checked_in_the_order_of_sections_then_positions(panel: Panel) -> None:
    """A question moved to an earlier section is checked, and numbered in messages, before the first section's."""
    survey = make_survey(panel)
    first = survey.sections.get()
    second = section_add(survey=survey, title="Second")
    late = question_add(section=second, data=QuestionInput(kind=Question.Kind.TEXT, text="Last words", required=True))
    first.position, second.position = 2, 1
    first.save(update_fields=["position"])
    second.save(update_fields=["position"])
    survey_open(survey=survey)

    with pytest.raises(ResponseInvalid) as caught:
        response_submit(survey=survey, data={}, channel=ONLINE, form_token=token(survey))
    assert caught.value.errors[late.field_name].startswith("Question 1:")


@pytest.mark.skipif(not settings.DATABASE_POOL, reason="no connection pool (SQLite, or DATABASE_POOL=false)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # in autocommit, as a request runs
def test_a_stored_response_gives_its_connection_back_to_the_pool_unless_a_transaction_holds_it(panel: Panel) -> None:
    """Under load, requests queue for the pool's connections: a request that has stored its response does not keep
    one for the rest of its life (surveys.responding._give_back_connection)."""
    survey = make_survey(panel, open_it=True)
    survey.refresh_from_db()
    submit(survey, q1="No")
    assert connection.connection is None  # back in the pool
    with transaction.atomic():
        submit(survey, q1="No")
        assert connection.connection is not None  # the caller's transaction still needs it
    assert Response.objects.count() == 2
