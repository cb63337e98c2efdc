"""Survey pages: building, the public response flow, invitation links, paper entry, the event kiosk, QR codes."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panels.models import Panel, User
from surveys.building.models import Question, Survey
from surveys.building.services import QuestionInput, question_add, section_add, survey_close
from surveys.responding.models import Response
from surveys.responding.services import survey_invitations_create
from tests.frontend.helpers import banners, error_summary, page_text
from tests.surveys.factories import answers, make_survey, questions
from tests.surveys.results_data import respond, results_survey


@pytest.fixture
def survey(panel: Panel, coordinator: User) -> Survey:
    return make_survey(panel, by=coordinator, open_it=True)


def _token(response: object) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())  # type: ignore[attr-defined]
    assert match
    return match.group(1)


def test_a_coordinator_creates_a_survey_and_adds_a_question_with_a_condition(
    client: Client, panel: Panel, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.post(reverse("survey-create", args=[panel.slug]), {"title": "Safer streets"})
    survey = Survey.objects.get(title="Safer streets")
    assert response["Location"] == reverse("survey-detail", args=[survey.pk])
    section = survey.sections.get()
    first = {
        "section": section.pk,
        "kind": "single",
        "text": "Do you feel safe?",
        "options": "Yes\nNo",
        "required": "on",
    }
    client.post(reverse("survey-question-create", args=[survey.pk]), first)
    q1 = survey.questions.get()
    second = {"section": section.pk, "kind": "text", "text": "Why not?", "show_if": f"{q1.pk}:No"}
    assert client.post(reverse("survey-question-create", args=[survey.pk]), second).status_code == 302
    q2 = survey.questions.get(text="Why not?")
    assert q2.show_if_question == q1
    assert q2.show_if_values == ["No"]
    page = page_text(client.get(reverse("survey-detail", args=[survey.pk])))
    assert "2. Why not?" in page
    assert "shown only for some answers" in page


def test_the_question_page_shows_what_is_wrong(client: Client, survey: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    survey.responses.all().delete()
    section = survey.sections.get()
    response = client.post(
        reverse("survey-question-create", args=[survey.pk]),
        {"section": section.pk, "kind": "single", "text": "Pick", "options": "One"},
    )
    assert response.status_code == 400
    assert "at least two options" in error_summary(response)


def test_a_member_of_a_scrutiny_panel_cannot_reach_the_builder(client: Client, survey: Survey, member: User) -> None:
    client.force_login(member)
    assert client.get(reverse("survey-detail", args=[survey.pk])).status_code == 403


def test_the_trust_set_copy_and_new_version_buttons_work(client: Client, survey: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    client.post(reverse("survey-trust-set", args=[survey.pk]))
    assert survey.questions.filter(standard_code__startswith="trust.").count() == 3
    response = client.post(reverse("survey-copy", args=[survey.pk]))
    copy = Survey.objects.exclude(pk=survey.pk).get()
    assert response["Location"] == reverse("survey-detail", args=[copy.pk])
    client.post(reverse("survey-new-version", args=[survey.pk]))
    assert Survey.objects.filter(previous_version=survey, version=2).exists()


def test_the_public_link_shows_the_privacy_notice_before_the_first_question(client: Client, survey: Survey) -> None:
    start = client.get(reverse("survey-respond", args=[survey.public_key]))
    text = page_text(start)
    assert "We do not keep your IP address" in text
    assert "hashed" in text
    assert "Have you been stopped" not in text
    form = client.get(reverse("survey-respond", args=[survey.public_key]), {"start": "1", "age": "18+"})
    assert "Have you been stopped" in page_text(form)
    assert "If you are 14 to 17" not in page_text(form)


def test_someone_aged_14_to_17_sees_consent_and_safeguarding_text_and_must_agree(
    client: Client, survey: Survey
) -> None:
    url = reverse("survey-respond", args=[survey.public_key])
    form = client.get(url, {"start": "1", "age": "14-17"})
    assert "Childline" in page_text(form)
    data = {"form_token": _token(form), "age": "14-17", **answers(survey, q1="No")}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "happy to take part" in error_summary(refused)
    assert client.post(url, {**data, "young_consent": "yes"}).status_code == 302
    assert Response.objects.get().under_18


def test_a_response_is_stored_and_thanked_once(client: Client, survey: Survey) -> None:
    url = reverse("survey-respond", args=[survey.public_key])
    form = client.get(url, {"start": "1"})
    data = {"form_token": _token(form), **answers(survey, q1="Yes", q2="<b>stopped</b>")}
    response = client.post(url, data)
    assert response["Location"] == reverse("survey-thanks", args=[survey.public_key])
    assert client.post(url, data)["Location"] == reverse("survey-thanks", args=[survey.public_key])
    assert Response.objects.count() == 1


def test_a_missing_required_answer_is_refused_with_a_clear_error_and_nothing_stored(
    client: Client, survey: Survey
) -> None:
    url = reverse("survey-respond", args=[survey.public_key])
    form = client.get(url, {"start": "1"})
    response = client.post(
        url, {"form_token": _token(form), **answers(survey, q1="Yes", q4="<script>alert(1)</script>")}
    )
    assert response.status_code == 400
    assert "Question 2: answer this question" in error_summary(response)
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()
    assert not Response.objects.exists()


def test_a_closed_survey_refuses_responses_with_a_clear_page(client: Client, survey: Survey) -> None:
    url = reverse("survey-respond", args=[survey.public_key])
    form = client.get(url, {"start": "1"})
    survey_close(survey=survey)
    page = client.get(url)
    assert page.status_code == 410
    assert "This survey has closed" in page_text(page)
    posted = client.post(url, {"form_token": _token(form), **answers(survey, q1="No")})
    assert posted.status_code == 410
    assert not Response.objects.exists()


def test_a_survey_closed_after_a_response_refuses_the_next_with_the_closed_page(client: Client, survey: Survey) -> None:
    """The server answers from a copy of the survey read a moment ago (surveys.responding.survey_for_answers); the
    copy still says open after the survey closes, but the response is refused all the same."""
    url = reverse("survey-respond", args=[survey.public_key])
    first, second = client.get(url, {"start": "1"}), client.get(url, {"start": "1"})
    assert client.post(url, {"form_token": _token(first), **answers(survey, q1="No")}).status_code == 302
    survey_close(survey=survey)
    posted = client.post(url, {"form_token": _token(second), **answers(survey, q1="No")})
    assert posted.status_code == 410
    assert "This survey has closed" in page_text(posted)
    assert Response.objects.count() == 1


def test_a_draft_has_no_public_page(client: Client, panel: Panel) -> None:
    draft = make_survey(panel)
    assert client.get(reverse("survey-respond", args=[draft.public_key])).status_code == 404


def test_an_invitation_link_takes_one_response(client: Client, survey: Survey) -> None:
    [token] = survey_invitations_create(survey=survey, count=1)
    url = reverse("survey-invited", args=[token])
    assert "Your privacy" in page_text(client.get(url))
    assert client.post(url, answers(survey, q1="No")).status_code == 302
    again = client.get(url)
    assert again.status_code == 410
    assert "already been used" in page_text(again)
    assert client.post(url, answers(survey, q1="No")).status_code == 410
    assert Response.objects.get().channel == Response.Channel.INVITATION


def test_the_invitations_page_shows_new_links_once(client: Client, survey: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(reverse("survey-invitations", args=[survey.pk]), {"count": "3"})
    assert response.content.decode().count("/i/") == 3
    assert "3 links made, 0 used" in page_text(client.get(reverse("survey-invitations", args=[survey.pk])))


def test_the_public_survey_sets_no_cookie_and_takes_answers_without_a_csrf_token(survey: Survey) -> None:
    """Respondents are anonymous and act for nobody, so their pages neither set nor need the CSRF cookie (the form
    token does that job): the survey works for people who refuse cookies."""
    browser = Client(enforce_csrf_checks=True)
    url = reverse("survey-respond", args=[survey.public_key])
    start, form = browser.get(url), browser.get(url, {"start": "1"})
    assert not start.cookies
    assert not form.cookies
    assert 'name="csrfmiddlewaretoken"' not in form.content.decode()
    assert browser.post(url, {"form_token": _token(form), **answers(survey, q1="No")}).status_code == 302
    assert Response.objects.count() == 1
    [link] = survey_invitations_create(survey=survey, count=1)
    invited = reverse("survey-invited", args=[link])
    assert not browser.get(invited).cookies
    assert browser.post(invited, answers(survey, q1="No")).status_code == 302
    assert Response.objects.count() == 2


def test_paper_entry_and_the_kiosk_still_need_their_csrf_token(survey: Survey, coordinator: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)
    paper = browser.post(reverse("survey-paper", args=[survey.pk]), answers(survey, q1="No"))
    kiosk = browser.post(
        reverse("survey-kiosk-submit", args=[survey.pk]),
        json.dumps({"client_id": str(uuid.uuid4()), "answers": answers(survey, q1="No")}),
        content_type="application/json",
    )
    assert (paper.status_code, kiosk.status_code) == (403, 403)
    assert not Response.objects.exists()


def test_paper_entry_marks_the_response_as_paper_and_who_typed_it(
    client: Client, survey: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    url = reverse("survey-paper", args=[survey.pk])
    assert client.post(url, answers(survey, q1="No", q3="strongly_agree"))["Location"] == url
    response = Response.objects.get()
    assert response.channel == Response.Channel.PAPER
    assert response.entered_by == coordinator
    assert "1 paper form typed in" in page_text(client.get(url))


def test_the_kiosk_stores_a_resent_response_once_and_reports_errors(
    client: Client, survey: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    assert client.get(reverse("survey-kiosk", args=[survey.pk])).status_code == 200
    url = reverse("survey-kiosk-submit", args=[survey.pk])
    body = {"client_id": str(uuid.uuid4()), "answers": answers(survey, q1="No")}
    for _ in range(2):
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.json()["ok"]
    assert Response.objects.get().channel == Response.Channel.EVENT
    bad = client.post(url, json.dumps({"client_id": str(uuid.uuid4()), "answers": {}}), content_type="application/json")
    assert bad.status_code == 400
    assert client.post(url, "not json", content_type="application/json").status_code == 400


def test_the_qr_code_comes_as_png_and_svg(client: Client, survey: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    png = client.get(reverse("survey-qr", args=[survey.pk, "png"]))
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    svg = client.get(reverse("survey-qr", args=[survey.pk, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert client.get(reverse("survey-qr", args=[survey.pk, "gif"])).status_code == 404


def test_the_preview_draws_every_kind_of_question(client: Client, panel: Panel, coordinator: User) -> None:
    survey = make_survey(panel, by=coordinator)
    section = survey.sections.get()
    K = Question.Kind
    question_add(
        section=section,
        data=QuestionInput(kind=K.MULTIPLE, text="Where?", options=["School", "Street"], allow_other=True),
    )
    question_add(section=section, data=QuestionInput(kind=K.SCALE, text="Zero to ten?"))
    question_add(section=section, data=QuestionInput(kind=K.RANKING, text="Priorities", options=["Knives", "Drugs"]))
    question_add(section=section, data=QuestionInput(kind=K.NUMBER, text="How many?"))
    question_add(section=section, data=QuestionInput(kind=K.MATRIX, text="Agree?", options=["Fair"], scale="agreement"))
    question_add(section=section, data=QuestionInput(kind=K.RATING, text="Rate?"))
    question_add(section=section, data=QuestionInput(kind=K.DEMOGRAPHICS, text="About you"))
    client.force_login(coordinator)
    text = page_text(client.get(reverse("survey-preview", args=[survey.pk])))
    for expected in (
        "If other, please say",
        "Number your priorities",
        "Strongly agree",
        "Very poor",
        "Black, Black British",
        "Prefer not to say",
        "first part of your postcode",
    ):
        assert expected in text, expected
    assert len(questions(survey)) == 11


def test_the_panel_nav_shows_surveys_to_builders_only(
    client: Client, panel: Panel, member: User, coordinator: User
) -> None:
    client.force_login(member)
    assert "Surveys" not in page_text(client.get(reverse("panel-detail", args=[panel.slug])))
    client.force_login(coordinator)
    assert "Surveys" in page_text(client.get(reverse("panel-detail", args=[panel.slug])))


def test_answering_14_to_17_in_the_demographics_also_brings_up_the_consent(client: Client, survey: Survey) -> None:
    survey.status = Survey.Status.DRAFT
    survey.save()
    section = survey.sections.get()
    question_add(section=section, data=QuestionInput(kind=Question.Kind.DEMOGRAPHICS, text="About you"))
    survey.status = Survey.Status.OPEN
    survey.save()
    url = reverse("survey-respond", args=[survey.public_key])
    form = client.get(url, {"start": "1", "age": "18+"})
    assert "data-show-if-values='[\"14-17\"]'" in form.content.decode()
    data = {"form_token": _token(form), **answers(survey, q1="No", q5_age_band="14-17")}
    refused = client.post(url, data)
    assert "happy to take part" in error_summary(refused)
    assert client.post(url, {**data, "young_consent": "yes"}).status_code == 302
    assert Response.objects.get().under_18


def test_a_paper_form_saying_14_to_17_is_typed_in_without_a_tick_and_marked_under_18(
    client: Client, survey: Survey, coordinator: User
) -> None:
    """The respondent is not at the keyboard: paper entry asks no consent tick (surveys.responding.consent)."""
    survey.status = Survey.Status.DRAFT
    survey.save()
    question_add(section=survey.sections.get(), data=QuestionInput(kind=Question.Kind.DEMOGRAPHICS, text="About you"))
    survey.status = Survey.Status.OPEN
    survey.save()
    client.force_login(coordinator)
    url = reverse("survey-paper", args=[survey.pk])
    assert "young_consent" not in client.get(url).content.decode()
    assert client.post(url, answers(survey, q1="No", q5_age_band="14-17"))["Location"] == url
    assert Response.objects.get().under_18


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_builder_and_response_pages_cost_the_same_queries_whatever_the_number_of_questions(
    client: Client, panel: Panel, coordinator: User
) -> None:
    counts = []
    for n in (5, 15):
        survey = make_survey(panel, by=coordinator, title=f"Survey with {n}")
        section = survey.sections.get()
        first = questions(survey)[0]
        for i in range(n):
            question_add(
                section=section,
                data=QuestionInput(
                    kind=Question.Kind.TEXT, text=f"Question {i}", show_if_question=first, show_if_values=["Yes"]
                ),
            )
        survey.status = Survey.Status.OPEN
        survey.save()
        client.force_login(coordinator)
        detail = _queries(client, reverse("survey-detail", args=[survey.pk]))
        listing = _queries(client, reverse("survey-list", args=[panel.slug]))
        client.logout()
        respond = _queries(client, reverse("survey-respond", args=[survey.public_key]) + "?start=1")
        counts.append((detail, listing, respond))
    assert counts[0] == counts[1]


def test_a_builder_changes_a_question_and_the_survey_details(client: Client, panel: Panel, coordinator: User) -> None:
    survey = make_survey(panel, by=coordinator)
    client.force_login(coordinator)
    q4 = questions(survey)[3]
    url = reverse("survey-question-edit", args=[survey.pk, q4.pk])
    form = client.get(url)
    assert "Anything else?" in form.content.decode()
    data = {"section": q4.section_id, "kind": "text", "text": "Anything more to tell us?"}
    assert client.post(url, data).status_code == 302
    q4.refresh_from_db()
    assert q4.text == "Anything more to tell us?"
    edit = reverse("survey-edit", args=[survey.pk])
    assert client.post(edit, {"title": "Renamed", "introduction": "Hello"}).status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Renamed"


@override_settings(SURVEY_RESPONSES_PER_MINUTE=1)
def test_a_flood_keeps_the_answers_and_asks_to_send_again_in_a_minute(client: Client, survey: Survey) -> None:
    url = reverse("survey-respond", args=[survey.public_key])
    first = client.get(url, {"start": "1"})
    assert client.post(url, {"form_token": _token(first), **answers(survey, q1="No")}).status_code == 302
    second = client.get(url, {"start": "1"})
    response = client.post(url, {"form_token": _token(second), **answers(survey, q1="No", q4="Kept for later")})
    assert response.status_code == 429
    assert "Wait a minute" in error_summary(response)
    assert "Kept for later" in response.content.decode()
    assert Response.objects.count() == 1


# --- Sampling design ----------------------------------------------------------------------------------------------


def test_a_builder_says_a_survey_is_a_probability_sample_and_the_survey_page_shows_it(
    client: Client, panel: Panel, coordinator: User
) -> None:
    client.force_login(coordinator)
    form = client.get(reverse("survey-create", args=[panel.slug]))
    assert "picked at random from a list" in page_text(form)  # the hint saying what a probability sample is
    assert re.search(r'name="sampling_design"[^>]*value="opt_in"[^>]*checked', form.content.decode())
    client.post(
        reverse("survey-create", args=[panel.slug]), {"title": "Address sample", "sampling_design": "probability"}
    )
    survey = Survey.objects.get(title="Address sample")
    assert survey.sampling_design == "probability"
    page = page_text(client.get(reverse("survey-detail", args=[survey.pk])))
    assert "How people are found Probability sample" in page
    assert "Address sample Probability sample" in page_text(client.get(reverse("survey-list", args=[panel.slug])))
    client.post(reverse("survey-edit", args=[survey.pk]), {"title": "Address sample", "sampling_design": "opt_in"})
    survey.refresh_from_db()
    assert survey.sampling_design == "opt_in"
    assert "How people are found Opt-in" in page_text(client.get(reverse("survey-detail", args=[survey.pk])))


def test_an_unknown_sampling_design_is_shown_as_an_error_and_nothing_changes(
    client: Client, survey: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.post(reverse("survey-edit", args=[survey.pk]), {"title": "Renamed", "sampling_design": "quota"})
    assert response.status_code == 400
    assert "Select a valid choice" in error_summary(response)
    survey.refresh_from_db()
    assert (survey.title, survey.sampling_design) == ("Big Conversation 2026", "opt_in")


def _answered(panel: Panel, coordinator: User, design: str) -> Survey:
    """60 responses in all five Census groups (each count 10 or more, so the shared page hides none of Q1's)."""
    s = results_survey(panel, by=coordinator)
    s.sampling_design = design
    s.save(update_fields=["sampling_design"])
    respond(s, by=coordinator, count=20, q1="No", q5_ethnic_group="13")  # White
    respond(s, by=coordinator, count=10, q1="Yes", q2="x", q5_ethnic_group="1")  # Asian
    respond(s, by=coordinator, count=10, q1="Yes", q2="x", q5_ethnic_group="6")  # Black
    respond(s, by=coordinator, count=10, q1="No", q5_ethnic_group="9")  # Mixed
    respond(s, by=coordinator, count=10, q1="No", q5_ethnic_group="18")  # Other
    return s


@pytest.mark.parametrize("page", ["survey-results", "survey-results-shared"])
def test_a_probability_survey_shows_weighted_shares_n_eff_and_margins_of_error(
    client: Client, panel: Panel, coordinator: User, page: str
) -> None:
    s = _answered(panel, coordinator, "probability")
    client.force_login(coordinator)
    response = client.get(reverse(page, args=[s.pk]))
    text = page_text(response)
    assert "This was a probability sample" in text
    assert "Weighted to the Census 2021 population of Cheshire" in text
    assert "effective sample size" in text
    assert re.search(r"± \d+\.\d points", text)
    assert "data-moe" in response.content.decode()
    assert "opt-in survey" not in text


@pytest.mark.parametrize("page", ["survey-results", "survey-results-shared"])
def test_an_opt_in_survey_shows_no_margin_of_error_and_says_why(
    client: Client, panel: Panel, coordinator: User, page: str
) -> None:
    s = _answered(panel, coordinator, "opt_in")
    client.force_login(coordinator)
    response = client.get(reverse(page, args=[s.pk]))
    text = page_text(response)
    assert "This was an opt-in survey" in text
    assert "they are not a margin of error" in text  # beside the Wilson intervals the page still shows
    assert "effective sample size" not in text
    assert "±" not in text
    assert "data-moe" not in response.content.decode()
    assert "data-interval" in response.content.decode()


def test_a_probability_survey_that_cannot_be_weighted_says_why_on_the_page(
    client: Client, panel: Panel, coordinator: User
) -> None:
    s = results_survey(panel, by=coordinator)
    s.sampling_design = "probability"
    s.save(update_fields=["sampling_design"])
    respond(s, by=coordinator, count=12, q1="No", q5_ethnic_group="13")
    client.force_login(coordinator)
    response = client.get(reverse("survey-results", args=[s.pk]))
    assert response.status_code == 200
    text = page_text(response)
    assert "Not weighted: no respondent gave an ethnic group in Asian, Black, Mixed or Other" in text
    assert "these figures are not weighted" in text
    assert "±" not in text


# --- Moving questions and sections, deleting sections ----------------------------------------------------------------


@pytest.fixture
def draft(panel: Panel, coordinator: User) -> Survey:
    """make_survey's four questions in "Your views", and a second section "About you" with one question."""
    s = make_survey(panel, by=coordinator)
    about = section_add(survey=s, title="About you")
    question_add(section=about, data=QuestionInput(kind=Question.Kind.TEXT, text="Your area?"))
    return s


def _order(survey: Survey) -> list[tuple[str, str]]:
    return [(q.section.title, q.text) for q in questions(survey)]


def test_the_builder_page_has_move_buttons_named_for_screen_readers(
    client: Client, draft: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    content = client.get(reverse("survey-detail", args=[draft.pk])).content.decode()
    buttons = re.findall(r"<button[^>]*>(.*?)</button>", content, re.DOTALL)
    labels = [page_text_of(b) for b in buttons]
    assert "Move down question 1" in labels
    assert "Move up question 1" not in labels  # the first question has nowhere to go up to
    assert "Move up question 5" in labels
    assert "Move down question 5" not in labels
    assert "Move down section “Your views”" in labels
    assert "Move up section “About you”" in labels
    assert "Delete section “About you”" in labels


def page_text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def test_move_buttons_reorder_questions_and_sections(client: Client, draft: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    last = draft.questions.get(text="Anything else?")
    response = client.post(reverse("survey-question-move", args=[draft.pk, last.pk]), {"direction": "down"})
    assert response["Location"] == reverse("survey-detail", args=[draft.pk]) + f"#question-{last.pk}"
    assert _order(draft)[-2:] == [("About you", "Anything else?"), ("About you", "Your area?")]
    about = draft.sections.get(title="About you")
    # "About you" now holds "Anything else?" and "Your area?", neither a display condition: it may go first.
    client.post(reverse("survey-section-move", args=[draft.pk, about.pk]), {"direction": "up"})
    assert [t for t, _ in _order(draft)][:2] == ["About you", "About you"]


def test_a_move_before_the_question_a_condition_needs_is_refused_with_a_message(
    client: Client, draft: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    before = _order(draft)
    dependant = draft.questions.get(text="What happened?")
    response = client.post(
        reverse("survey-question-move", args=[draft.pk, dependant.pk]), {"direction": "up"}, follow=True
    )
    assert "“What happened?” is shown only after some answers to “Have you been stopped and searched?”" in banners(
        response
    )
    assert _order(draft) == before


def test_a_section_with_questions_is_deleted_only_after_the_builder_confirms(
    client: Client, draft: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    about = draft.sections.get(title="About you")
    url = reverse("survey-section-delete", args=[draft.pk, about.pk])
    asked = client.post(url)
    assert asked.status_code == 200
    assert "Delete the section “About you” and its questions?" in page_text(asked)
    assert "Your area?" in page_text(asked)
    assert draft.sections.filter(pk=about.pk).exists()
    client.post(url, {"confirm": "yes"})
    assert not draft.sections.filter(pk=about.pk).exists()
    assert not draft.questions.filter(text="Your area?").exists()


def test_an_empty_section_is_deleted_at_once_but_never_the_last(
    client: Client, draft: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    empty = section_add(survey=draft, title="Empty")
    client.post(reverse("survey-section-delete", args=[draft.pk, empty.pk]))
    assert not draft.sections.filter(pk=empty.pk).exists()
    lone = make_survey(draft.panel, by=coordinator)
    section = lone.sections.get()
    response = client.post(
        reverse("survey-section-delete", args=[lone.pk, section.pk]), {"confirm": "yes"}, follow=True
    )
    assert "at least one section" in banners(response)
    assert lone.questions.count() == 4


def test_once_a_survey_has_responses_nothing_moves_and_the_buttons_are_gone(
    client: Client, survey: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    respond(survey, by=coordinator, q1="No")
    assert survey.responses.count() == 1
    before = _order(survey)
    last = survey.questions.get(text="Anything else?")
    response = client.post(reverse("survey-question-move", args=[survey.pk, last.pk]), {"direction": "up"}, follow=True)
    assert "cannot change" in banners(response)
    assert _order(survey) == before
    assert "Move up" not in page_text(client.get(reverse("survey-detail", args=[survey.pk])))


@pytest.mark.parametrize("name", ["survey-question-move", "survey-section-move", "survey-section-delete"])
def test_outsiders_and_scrutiny_panel_members_cannot_move_or_delete(
    client: Client, draft: Survey, outsider: User, member: User, name: str
) -> None:
    question, section = draft.questions.get(text="Your area?"), draft.sections.get(title="About you")
    url = reverse(name, args=[draft.pk, question.pk if name == "survey-question-move" else section.pk])
    before = _order(draft)
    for user in (outsider, member):
        client.force_login(user)
        assert client.post(url, {"direction": "up", "confirm": "yes"}).status_code == 403
    assert _order(draft) == before
    assert draft.sections.count() == 2
