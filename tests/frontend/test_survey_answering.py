"""The event kiosk's answers: consent for 14 to 17 year olds as on the public form, and what a tablet is told when
the server refuses a response (the survey closed while it was offline)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from panels.models import Panel, User
from surveys.building.models import Question, Survey
from surveys.building.services import QuestionInput, question_add, survey_close
from surveys.responding.models import Response
from tests.frontend.helpers import page_text
from tests.surveys.factories import answers, make_survey


@pytest.fixture
def survey(panel: Panel, coordinator: User) -> Survey:
    return make_survey(panel, by=coordinator, open_it=True)


def _send(client: Client, survey: Survey, **extra: Any) -> Any:
    body = {"client_id": str(uuid.uuid4()), "answers": answers(survey, q1="No"), **extra}
    url = reverse("survey-kiosk-submit", args=[survey.pk])
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_kiosk_asks_the_age_and_holds_the_young_peoples_consent(
    client: Client, survey: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("survey-kiosk", args=[survey.pk]))
    text = page_text(page)
    assert "Are you aged 14 to 17?" in text
    assert "Childline" in text
    assert 'name="young_consent"' in page.content.decode()
    assert "I have read the information for 14 to 17 year olds and I am happy to take part" in text
    # Said for a tablet at a stall, not for someone's own browser.
    assert "stop at any time by handing the tablet back" in text
    assert "one-use code" not in text
    assert "one-use code" in page_text(client.get(reverse("survey-respond", args=[survey.public_key])))


def test_the_kiosk_refuses_someone_aged_14_to_17_without_consent_and_stores_nothing(
    client: Client, survey: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    for consent in ({}, {"young_consent": False}, {"young_consent": "no"}):
        refused = _send(client, survey, age="14-17", **consent)
        assert refused.status_code == 400
        assert refused.json()["ok"] is False
        assert "happy to take part" in refused.json()["errors"]["young_consent"]
    assert not Response.objects.exists()

    stored = _send(client, survey, age="14-17", young_consent=True)
    assert stored.status_code == 200
    assert stored.json()["ok"]
    response = Response.objects.get()
    assert response.under_18
    assert response.channel == Response.Channel.EVENT


def test_an_adult_at_the_kiosk_needs_no_consent(client: Client, survey: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    assert _send(client, survey, age="18+").json()["ok"]
    assert _send(client, survey).json()["ok"]
    assert list(Response.objects.values_list("under_18", flat=True)) == [False, False]


def test_a_14_to_17_age_band_in_the_demographics_also_needs_consent_at_the_kiosk(
    client: Client, panel: Panel, coordinator: User
) -> None:
    survey = make_survey(panel, by=coordinator)
    question_add(section=survey.sections.get(), data=QuestionInput(kind=Question.Kind.DEMOGRAPHICS, text="About you"))
    survey.status = Survey.Status.OPEN
    survey.save()
    client.force_login(coordinator)
    page = client.get(reverse("survey-kiosk", args=[survey.pk]))
    trigger = f"{survey.questions.get(kind=Question.Kind.DEMOGRAPHICS).field_name}_age_band"
    assert f'data-young-trigger="{trigger}"' in page.content.decode()

    url = reverse("survey-kiosk-submit", args=[survey.pk])
    body = {"client_id": str(uuid.uuid4()), "answers": answers(survey, q1="No", q5_age_band="14-17")}
    refused = client.post(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 400
    assert "young_consent" in refused.json()["errors"]
    assert not Response.objects.exists()
    stored = client.post(url, json.dumps({**body, "young_consent": True}), content_type="application/json")
    assert stored.json()["ok"]
    assert Response.objects.get().under_18


def test_a_response_sent_after_the_survey_closed_is_refused_with_a_reason_the_tablet_can_show(
    client: Client, survey: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    survey_close(survey=survey)
    refused = _send(client, survey)
    assert refused.status_code == 409
    assert refused.json()["errors"] == {"": "This survey is not taking responses."}
    assert not Response.objects.exists()
    # The page still carries what the tablet needs to send (and be refused) what it queued, and to show the refusal.
    page = client.get(reverse("survey-kiosk", args=[survey.pk]))
    content = page.content.decode()
    assert "event mode is off" in page_text(page)
    assert "data-kiosk " in content
    assert "data-kiosk-rejected" in content
    assert 'name="csrfmiddlewaretoken"' in content
    assert 'id="survey-form"' not in content


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_people_who_do_not_run_the_survey_cannot_use_the_kiosk(
    client: Client, survey: Survey, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("survey-kiosk", args=[survey.pk])).status_code == 403
    assert _send(client, survey, age="14-17", young_consent=True).status_code == 403
    assert not Response.objects.exists()
