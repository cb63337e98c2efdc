"""The surveys API: the same permissions as the pages, public submission only for open surveys (through the same
service as the public form), themes and recommendations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panels.models import Organisation, Panel, User
from surveys.building.models import Survey
from surveys.building.services import section_add, survey_close
from surveys.loop.models import AnswerTheme, Recommendation, Theme
from surveys.loop.selectors import text_answers
from surveys.loop.services import theme_create
from surveys.responding.models import Response
from tests.factories import OrganisationFactory, PanelFactory, StaffRoleFactory, enrol_totp
from tests.surveys.factories import answers, make_survey


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=data or {}, content_type="application/json")


def submit(client: Client, survey: Survey, **by_number: str) -> Any:
    started = client.get(reverse("api-public-survey", kwargs={"public_key": survey.public_key})).json()
    return post(
        client,
        reverse("api-public-survey-respond", kwargs={"public_key": survey.public_key}),
        {"form_token": started["form_token"], "answers": answers(survey, **by_number)},
    )


@pytest.fixture
def survey(panel: Panel, coordinator: User) -> Survey:
    return make_survey(panel, by=coordinator, open_it=True)


@pytest.fixture
def officer(panel: Panel) -> User:
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=panel.force_area)
    user = StaffRoleFactory.create(user__email="officer@opcc.example.org", organisation=office).user
    enrol_totp(user)  # staff roles must use two-factor authentication
    return user


# --- Public submission --------------------------------------------------------------------------------------------


def test_anyone_answers_an_open_survey(client: Client, survey: Survey) -> None:
    response = submit(client, survey, q1="Yes", q2="Not told why")
    assert response.status_code == 201
    stored = Response.objects.get(pk=response.json()["id"])
    assert stored.channel == Response.Channel.ONLINE


def test_a_form_token_is_used_once(client: Client, survey: Survey) -> None:
    started = client.get(reverse("api-public-survey", kwargs={"public_key": survey.public_key})).json()
    url = reverse("api-public-survey-respond", kwargs={"public_key": survey.public_key})
    body = {"form_token": started["form_token"], "answers": answers(survey, q1="No")}
    assert post(client, url, body).status_code == 201
    again = post(client, url, body)
    assert again.status_code == 400
    assert again.json()["reason"] == "duplicate"


def test_a_closed_survey_takes_no_answers(client: Client, survey: Survey) -> None:
    started = client.get(reverse("api-public-survey", kwargs={"public_key": survey.public_key})).json()
    survey_close(survey=survey)
    assert client.get(reverse("api-public-survey", kwargs={"public_key": survey.public_key})).json()["form_token"] == ""
    response = post(
        client,
        reverse("api-public-survey-respond", kwargs={"public_key": survey.public_key}),
        {"form_token": started["form_token"], "answers": answers(survey, q1="No")},
    )
    assert response.status_code == 400
    assert response.json()["reason"] == "closed"
    assert not Response.objects.exists()


def test_a_draft_survey_is_not_found(client: Client, panel: Panel, coordinator: User) -> None:
    draft = make_survey(panel, by=coordinator, title="Draft")
    assert client.get(reverse("api-public-survey", kwargs={"public_key": draft.public_key})).status_code == 404
    url = reverse("api-public-survey-respond", kwargs={"public_key": draft.public_key})
    assert post(client, url, {"form_token": "x", "answers": {}}).status_code == 404


def test_invalid_answers_are_refused_with_the_reasons(client: Client, survey: Survey) -> None:
    response = submit(client, survey, q1="Yes")  # q2 is needed after "Yes"
    assert response.status_code == 400
    assert response.json()["answers"]
    assert not Response.objects.exists()


# --- Surveys, responses, themes: builders only --------------------------------------------------------------------


def test_the_builder_reads_surveys_questions_and_responses(client: Client, survey: Survey, coordinator: User) -> None:
    submit(client, survey, q1="Yes", q2="Not told why")
    client.force_login(coordinator)
    listed = client.get(reverse("api-survey-list", kwargs={"slug": survey.panel.slug})).json()
    assert [(s["id"], s["response_count"]) for s in listed] == [(survey.pk, 1)]
    detail = client.get(reverse("api-survey-detail", kwargs={"pk": survey.pk})).json()
    assert [q["kind"] for q in detail["questions"]] == ["single", "text", "agreement", "text"]
    page = client.get(reverse("api-survey-responses", kwargs={"pk": survey.pk})).json()
    assert page["count"] == 1
    assert "Not told why" in [a["value"] for a in page["results"][0]["answers"]]


@pytest.mark.parametrize(
    "route", ["api-survey-detail", "api-survey-responses", "api-theme-list", "api-text-answer-list"]
)
def test_it_refuses_outsider_and_scrutiny_member(
    client: Client, survey: Survey, outsider: User, member: User, route: str
) -> None:
    url = reverse(route, kwargs={"pk": survey.pk})
    assert client.get(url).status_code == 401
    for user in (outsider, member):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_themes_through_the_api(client: Client, survey: Survey, coordinator: User) -> None:
    submit(client, survey, q1="Yes", q2="Not told why", q4="More youth clubs")
    client.force_login(coordinator)
    themes_url = reverse("api-theme-list", kwargs={"pk": survey.pk})
    assert post(client, themes_url, {"name": ""}).status_code == 400
    why = post(client, themes_url, {"name": "Reasons"}).json()
    clubs = post(client, themes_url, {"name": "Youth services"}).json()
    first, second = text_answers(survey)
    tagged = post(client, reverse("api-theme-tag", kwargs={"pk": why["id"]}), {"answer": first.pk, "quote": True})
    assert tagged.json()["answer_count"] == 1
    assert tagged.json()["quote_count"] == 1
    post(client, reverse("api-theme-tag", kwargs={"pk": clubs["id"]}), {"answer": second.pk})
    listed = client.get(reverse("api-text-answer-list", kwargs={"pk": survey.pk})).json()
    assert listed[0]["themes"] == [{"theme": why["id"], "quote": True}]
    merged = post(client, reverse("api-theme-merge", kwargs={"pk": clubs["id"]}), {"into": why["id"]}).json()
    assert merged["answer_count"] == 2
    assert list(Theme.objects.values_list("name", flat=True)) == ["Reasons"]
    removed = post(client, reverse("api-theme-tag", kwargs={"pk": why["id"]}), {"answer": first.pk, "remove": True})
    assert removed.json()["answer_count"] == 1


def test_a_theme_of_another_panels_survey_is_refused(
    client: Client, survey: Survey, coordinator: User, outsider: User
) -> None:
    theme = theme_create(survey=survey, name="Reasons", by=coordinator)
    client.force_login(outsider)
    assert post(client, reverse("api-theme-tag", kwargs={"pk": theme.pk}), {"answer": 1}).status_code == 403
    assert not AnswerTheme.objects.exists()


def test_a_merge_into_another_surveys_theme_is_a_400(
    client: Client, survey: Survey, panel: Panel, coordinator: User
) -> None:
    theme = theme_create(survey=survey, name="A", by=coordinator)
    other = theme_create(survey=make_survey(panel, by=coordinator, title="Other"), name="B", by=coordinator)
    client.force_login(coordinator)
    assert post(client, reverse("api-theme-merge", kwargs={"pk": theme.pk}), {"into": other.pk}).status_code == 400


# --- Recommendations ----------------------------------------------------------------------------------------------


def test_a_recommendation_through_the_api(
    client: Client, survey: Survey, coordinator: User, officer: User, member: User
) -> None:
    theme = theme_create(survey=survey, name="Reasons", by=coordinator)
    client.force_login(coordinator)
    created = post(
        client,
        reverse("api-recommendation-list", kwargs={"slug": survey.panel.slug}),
        {"title": "Explain searches", "body": "Say why.", "survey": survey.pk, "themes": [theme.pk]},
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["themes"] == [theme.pk]
    changed = client.patch(
        reverse("api-recommendation-detail", kwargs={"pk": pk}),
        data={"title": "Explain every search"},
        content_type="application/json",
    )
    assert changed.json()["title"] == "Explain every search"
    assert post(client, reverse("api-recommendation-send", kwargs={"pk": pk})).json()["status"] == "awaiting"
    respond_url = reverse("api-recommendation-respond", kwargs={"pk": pk})
    assert post(client, respond_url, {"decision": "accepted", "response": "x"}).status_code == 403

    client.force_login(member)
    assert client.get(reverse("api-recommendation-detail", kwargs={"pk": pk})).status_code == 200
    assert post(client, respond_url, {"decision": "accepted", "response": "x"}).status_code == 403

    client.force_login(officer)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert post(client, respond_url, {"decision": "accepted", "response": "x"}).status_code == 400  # no date
    answered = post(client, respond_url, {"decision": "accepted", "response": "We will.", "due_by": due})
    assert answered.json()["status"] == "responded"
    update = post(client, reverse("api-recommendation-updates", kwargs={"pk": pk}), {"text": "Done.", "complete": True})
    assert update.status_code == 201
    assert update.json()["updates"][0]["source"] == "opcc"
    assert post(client, reverse("api-recommendation-publish", kwargs={"pk": pk})).status_code == 403

    client.force_login(coordinator)
    published = post(client, reverse("api-recommendation-publish", kwargs={"pk": pk}))
    assert published.json()["published_at"] is not None
    assert Recommendation.objects.get().is_published


def test_recommendations_are_refused_to_outsiders_and_drafts_hidden_from_officers(
    client: Client, survey: Survey, coordinator: User, officer: User, outsider: User
) -> None:
    client.force_login(coordinator)
    list_url = reverse("api-recommendation-list", kwargs={"slug": survey.panel.slug})
    pk = post(client, list_url, {"title": "T", "body": "B"}).json()["id"]
    client.logout()
    assert client.get(list_url).status_code == 401
    client.force_login(outsider)
    assert client.get(list_url).status_code == 403
    assert client.get(reverse("api-recommendation-detail", kwargs={"pk": pk})).status_code == 404
    client.force_login(officer)
    assert client.get(list_url).json() == []
    assert client.get(reverse("api-recommendation-detail", kwargs={"pk": pk})).status_code == 404


def test_a_recommendation_cannot_name_another_panels_survey(client: Client, panel: Panel, coordinator: User) -> None:
    foreign = make_survey(PanelFactory.create(), by=coordinator)
    client.force_login(coordinator)
    response = post(
        client,
        reverse("api-recommendation-list", kwargs={"slug": panel.slug}),
        {"title": "T", "body": "B", "survey": foreign.pk},
    )
    assert response.status_code == 400


# --- Results ------------------------------------------------------------------------------------------------------


def test_results_as_on_the_pages_with_free_text_for_the_panel_only(
    client: Client, survey: Survey, coordinator: User, outsider: User, member: User
) -> None:
    submit(client, survey, q1="Yes", q2="Not told why")
    submit(client, survey, q1="No")
    url = reverse("api-survey-results", kwargs={"pk": survey.pk})
    assert client.get(url).status_code == 401
    for user in (outsider, member):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(coordinator)
    panel_view = client.get(url).json()
    assert panel_view["responses"] == 2
    first = panel_view["questions"][0]
    assert [r["label"] for r in first["tables"][0]["rows"]] == ["Yes", "No"]
    assert panel_view["questions"][1]["texts"] == ["Not told why"]
    shared = client.get(f"{url}?audience=shared").json()
    assert shared["questions"][1]["texts"] == []
    assert all(c["hidden"] for r in shared["questions"][0]["tables"][0]["rows"] for c in r["cells"])  # under 10
    assert client.get(f"{url}?audience=everyone").status_code == 400


# --- Building: details, sampling design, order ------------------------------------------------------------------------


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data=data, content_type="application/json")


def test_the_sampling_design_is_read_and_changed_like_the_title(
    client: Client, survey: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    url = reverse("api-survey-detail", kwargs={"pk": survey.pk})
    assert client.get(url).json()["sampling_design"] == "opt_in"
    response = patch(client, url, {"sampling_design": "probability", "title": "Address sample"})
    assert response.status_code == 200
    assert (response.json()["sampling_design"], response.json()["title"]) == ("probability", "Address sample")
    survey.refresh_from_db()
    assert survey.sampling_design == "probability"
    listed = client.get(reverse("api-survey-list", kwargs={"slug": survey.panel.slug})).json()
    assert listed[0]["sampling_design"] == "probability"


def test_a_bad_sampling_design_is_a_400_and_nothing_changes(client: Client, survey: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    url = reverse("api-survey-detail", kwargs={"pk": survey.pk})
    response = patch(client, url, {"sampling_design": "quota", "title": "Renamed"})
    assert response.status_code == 400
    assert "sampling_design" in response.json()
    assert patch(client, url, {"title": "   "}).status_code == 400
    survey.refresh_from_db()
    assert (survey.title, survey.sampling_design) == ("Big Conversation 2026", "opt_in")


def _texts(body: dict[str, Any]) -> list[str]:
    return [q["text"] for q in body["questions"]]


@pytest.fixture
def draft(panel: Panel, coordinator: User) -> Survey:
    s = make_survey(panel, by=coordinator)
    section_add(survey=s, title="About you")
    return s


def test_questions_and_sections_move_through_the_api(client: Client, draft: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    last = draft.questions.get(text="Anything else?")
    about = draft.sections.get(title="About you")
    url = reverse("api-survey-question-move", kwargs={"pk": draft.pk, "question_pk": last.pk})
    body = post(client, url, {"direction": "up"}).json()
    assert _texts(body)[2:] == ["Anything else?", "The police in my area treat young people fairly."]
    body = post(client, url, {"section": about.pk}).json()
    assert next(q for q in body["questions"] if q["id"] == last.pk)["section"] == about.pk
    section_url = reverse("api-survey-section-move", kwargs={"pk": draft.pk, "section_pk": about.pk})
    body = post(client, section_url, {"direction": "up"}).json()
    assert [s["title"] for s in body["sections"]] == ["About you", "Your views"]
    assert _texts(body)[0] == "Anything else?"


def test_a_move_the_rules_refuse_is_a_400_with_the_reason(client: Client, draft: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    dependant = draft.questions.get(text="What happened?")
    url = reverse("api-survey-question-move", kwargs={"pk": draft.pk, "question_pk": dependant.pk})
    before = _texts(client.get(reverse("api-survey-detail", kwargs={"pk": draft.pk})).json())
    refused = post(client, url, {"direction": "up"})
    assert refused.status_code == 400
    assert "must come after that question" in str(refused.json())
    assert post(client, url, {"direction": "sideways"}).status_code == 400
    assert post(client, url, {}).status_code == 400
    other = make_survey(draft.panel).sections.get()
    assert post(client, url, {"section": other.pk}).status_code == 400
    assert _texts(client.get(reverse("api-survey-detail", kwargs={"pk": draft.pk})).json()) == before


def test_sections_are_deleted_through_the_api_only_when_the_rules_allow(
    client: Client, draft: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    first = draft.sections.get(title="Your views")
    about = draft.sections.get(title="About you")
    first_url = reverse("api-survey-section-delete", kwargs={"pk": draft.pk, "section_pk": first.pk})
    refused = post(client, first_url)
    assert refused.status_code == 400
    assert "has 4 questions" in str(refused.json())
    about_url = reverse("api-survey-section-delete", kwargs={"pk": draft.pk, "section_pk": about.pk})
    assert [s["title"] for s in post(client, about_url).json()["sections"]] == ["Your views"]
    last = post(client, first_url, {"delete_questions": True})
    assert last.status_code == 400
    assert "at least one section" in str(last.json())
    assert draft.questions.count() == 4


def test_nothing_moves_through_the_api_once_there_are_responses(
    client: Client, survey: Survey, coordinator: User
) -> None:
    submit(client, survey, q1="No")
    client.force_login(coordinator)
    last = survey.questions.get(text="Anything else?")
    url = reverse("api-survey-question-move", kwargs={"pk": survey.pk, "question_pk": last.pk})
    refused = post(client, url, {"direction": "up"})
    assert refused.status_code == 400
    assert "cannot change" in str(refused.json())


@pytest.mark.parametrize(
    "name", ["api-survey-question-move", "api-survey-section-move", "api-survey-section-delete", "api-survey-detail"]
)
def test_outsiders_and_scrutiny_panel_members_cannot_change_a_survey(
    client: Client, draft: Survey, outsider: User, member: User, name: str
) -> None:
    question = draft.questions.get(text="Anything else?")
    about = draft.sections.get(title="About you")
    kwargs: dict[str, int] = {"pk": draft.pk}
    if name == "api-survey-question-move":
        kwargs["question_pk"] = question.pk
    elif name != "api-survey-detail":
        kwargs["section_pk"] = about.pk
    url = reverse(name, kwargs=kwargs)
    body = {"direction": "up", "delete_questions": True, "sampling_design": "probability"}
    for user in (outsider, member):
        client.force_login(user)
        response = patch(client, url, body) if name == "api-survey-detail" else post(client, url, body)
        assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.sampling_design == "opt_in"
    assert draft.sections.count() == 2
    assert [q.text for q in draft.questions.order_by("position")][-1] == "Anything else?"
