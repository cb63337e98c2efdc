"""The recommendation pages: a coordinator writes and sends, the area's OPCC officer responds, an update is added,
the coordinator publishes, and the panel's public page shows it without names; the OPCC dashboard links to what
awaits a response."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panels.models import Organisation, Panel, User
from surveys.loop.models import Recommendation
from surveys.loop.selectors import text_answers
from surveys.loop.services import answer_tag, recommendation_create, recommendation_send, theme_create
from surveys.responding.models import Response
from surveys.responding.services import response_submit
from tests.factories import OrganisationFactory, StaffRoleFactory, UserFactory, enrol_totp
from tests.surveys.factories import answers, make_survey, token


@pytest.fixture
def officer(panel: Panel) -> User:
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=panel.force_area, name="The OPCC")
    user = StaffRoleFactory.create(
        user=UserFactory.create(email="officer@opcc.example.org", name="Olu Officer"), organisation=office
    ).user
    enrol_totp(user)
    return user


def test_a_recommendation_travels_from_the_panel_to_the_public_page(
    client: Client, panel: Panel, coordinator: User, officer: User
) -> None:
    coordinator.name = "Casey Coordinator"
    coordinator.save()
    survey = make_survey(panel, by=coordinator, open_it=True)
    theme = theme_create(survey=survey, name="Being told why", by=coordinator)
    client.force_login(coordinator)
    new = reverse("recommendation-create", kwargs={"slug": panel.slug})
    form = client.get(f"{new}?survey={survey.pk}").content.decode()
    assert "Being told why" in form  # the survey's themes are offered
    response = client.post(
        new,
        {"survey": survey.pk, "title": "Explain every search", "body": "Say why, every time.", "themes": [theme.pk]},
    )
    recommendation = Recommendation.objects.get()
    assert response["Location"] == reverse("recommendation-detail", kwargs={"pk": recommendation.pk})
    assert list(recommendation.themes.all()) == [theme]
    client.post(reverse("recommendation-send", kwargs={"pk": recommendation.pk}))

    client.force_login(officer)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert reverse("recommendation-inbox") in dashboard
    inbox = client.get(reverse("recommendation-inbox")).content.decode()
    assert "Explain every search" in inbox
    respond = reverse("recommendation-respond", kwargs={"pk": recommendation.pk})
    due = (timezone.localdate() + timedelta(days=60)).isoformat()
    assert client.post(respond, {"decision": "partly", "response": "", "due_by": due}).status_code == 400
    response = client.post(respond, {"decision": "partly", "response": "Briefing for all officers.", "due_by": due})
    assert response.status_code == 302
    client.post(reverse("recommendation-add-update", kwargs={"pk": recommendation.pk}), {"text": "Briefing drafted."})
    assert client.post(reverse("recommendation-publish", kwargs={"pk": recommendation.pk})).status_code == 403

    client.force_login(coordinator)
    client.post(reverse("recommendation-publish", kwargs={"pk": recommendation.pk}))
    client.logout()
    page = client.get(reverse("panel-public", kwargs={"slug": panel.slug})).content.decode()
    assert "Explain every search" in page
    assert "Partly accepted" in page
    assert "Briefing for all officers." in page
    assert "Briefing drafted." in page
    assert "Office of the PCC" in page
    for name in ("Casey Coordinator", "Olu Officer", "coordinator@example.org", "officer@opcc.example.org"):
        assert name not in page


def test_the_public_page_shows_no_unpublished_recommendation(client: Client, panel: Panel, coordinator: User) -> None:
    recommendation = recommendation_create(panel=panel, title="Secret draft", body="B", by=coordinator)
    recommendation_send(recommendation=recommendation)
    page = client.get(reverse("panel-public", kwargs={"slug": panel.slug})).content.decode()
    assert "Secret draft" not in page


def test_a_recommendations_text_is_escaped(client: Client, panel: Panel, coordinator: User) -> None:
    recommendation = recommendation_create(
        panel=panel, title="<b>Bold</b>", body="<script>x()</script>", by=coordinator
    )
    client.force_login(coordinator)
    page = client.get(reverse("recommendation-detail", kwargs={"pk": recommendation.pk})).content.decode()
    assert "<script>x()" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page


def test_the_list_shows_the_panels_recommendations_and_links_to_themes(
    client: Client, panel: Panel, coordinator: User, member: User
) -> None:
    survey = make_survey(panel, by=coordinator)
    recommendation_create(panel=panel, survey=survey, title="Explain every search", body="B", by=coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("recommendation-list", kwargs={"slug": panel.slug})).content.decode()
    assert "Explain every search" in page
    assert reverse("survey-themes", kwargs={"pk": survey.pk}) in page
    client.force_login(member)
    page = client.get(reverse("recommendation-list", kwargs={"slug": panel.slug})).content.decode()
    assert "Explain every search" in page
    assert "Write a recommendation" not in page


def test_an_officer_cannot_respond_to_a_draft_and_does_not_see_it(
    client: Client, panel: Panel, coordinator: User, officer: User
) -> None:
    recommendation = recommendation_create(panel=panel, title="Draft", body="B", by=coordinator)
    client.force_login(officer)
    assert client.get(reverse("recommendation-detail", kwargs={"pk": recommendation.pk})).status_code == 404
    assert client.get(reverse("recommendation-respond", kwargs={"pk": recommendation.pk})).status_code == 404


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_and_themes_pages_take_as_many_queries_for_many_rows_as_for_one(
    client: Client, panel: Panel, coordinator: User
) -> None:
    survey = make_survey(panel, by=coordinator, open_it=True)
    theme = theme_create(survey=survey, name="Reasons", by=coordinator)
    client.force_login(coordinator)
    list_url = reverse("recommendation-list", kwargs={"slug": panel.slug})
    themes_url = reverse("survey-themes", kwargs={"pk": survey.pk})
    counts = []
    for batch in (1, 5):
        for i in range(batch):
            recommendation_create(
                panel=panel, survey=survey, themes=[theme], title=f"R{batch}-{i}", body="B", by=coordinator
            )
            response_submit(
                survey=survey,
                data=answers(survey, q1="Yes", q2=f"Answer {batch}-{i}"),
                channel=Response.Channel.ONLINE,
                form_token=token(survey),
            )
        for answer in text_answers(survey):
            answer_tag(theme=theme, answer_id=answer.pk, is_quote=True, by=coordinator)
        counts.append((_queries(client, list_url), _queries(client, themes_url)))
    assert counts[0] == counts[1]
