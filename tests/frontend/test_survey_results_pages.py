"""Survey results pages and downloads: the panel's page with every count and its Wilson intervals, the page to
share with small numbers suppressed, free text escaped, the live fragment, the exports, and pinned query counts."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from panels.models import Panel, User
from surveys.building.models import Question, Survey
from tests.frontend.helpers import page_text as raw_page_text
from tests.surveys.results_data import respond, results_survey

# The results page's queries: the session and user, the panel access check, the survey, its questions and all its
# answers in one read. The same for 5 responses as for 50.
RESULTS_PAGE_QUERIES = 11


def page_text(response: Any) -> str:
    return raw_page_text(response).replace("( ", "(").replace(" )", ")")


@pytest.fixture
def survey(panel: Panel, coordinator: User) -> Survey:
    s = results_survey(panel, by=coordinator)
    respond(s, by=coordinator, count=3, q1="Yes", q2="<script>alert('x')</script> & <b>bold</b>")
    respond(s, by=coordinator, count=12, q1="No", q3="tend_to_agree", q5_sex="female")
    return s


def test_the_panels_page_shows_counts_percentages_and_wilson_intervals(
    client: Client, survey: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.get(reverse("survey-results", args=[survey.pk]))
    assert response.status_code == 200
    text = page_text(response)
    assert "15 responses" in text
    # 3 of 15 = 20.0%, Wilson 95% interval 7.0% to 45.2%; 12 of 15 = 80.0%, 54.8% to 93.0%.
    assert "Yes 3 (20.0%) 7.0% to 45.2% under 10" in text
    assert "No 12 (80.0%) 54.8% to 93.0%" in text
    assert "This was an opt-in survey" in text
    assert "not a margin of error" in text
    assert "data-suppressed" not in response.content.decode()


def test_free_text_is_shown_escaped_never_as_markup(client: Client, survey: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    content = client.get(reverse("survey-results", args=[survey.pk])).content.decode()
    assert "<script>alert" not in content
    assert "<b>bold</b>" not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in content


def test_the_page_to_share_suppresses_small_numbers_and_leaves_out_free_text(
    client: Client, survey: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.get(reverse("survey-results-shared", args=[survey.pk]))
    assert response.status_code == 200
    text = page_text(response)
    assert "Yes suppressed" in text
    assert "No suppressed" in text  # it would give the 3 away by subtraction from 15
    assert "20.0%" not in text
    assert "alert" not in text
    assert "Written answers are not shared" in text
    assert "survey-results.js" not in response.content.decode()


def test_a_breakdown_shows_a_column_per_group(client: Client, survey: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    demographics = survey.questions.get(kind=Question.Kind.DEMOGRAPHICS)
    response = client.get(reverse("survey-results", args=[survey.pk]), {"by": f"{demographics.pk}-sex"})
    text = page_text(response)
    assert "Answer Female Male Prefer not to say" in text
    assert "No 12 (100.0%) 75.8% to 100.0%" in text


def test_the_live_fragment_is_just_the_figures(client: Client, survey: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.get(reverse("survey-results", args=[survey.pk]), {"fragment": "1"})
    content = response.content.decode()
    assert 'id="results-responses">15<' in content
    assert "<html" not in content
    page = client.get(reverse("survey-results", args=[survey.pk])).content.decode()
    assert "survey-results.js" in page
    assert 'data-live="true"' in page


def test_the_responses_download_as_csv_and_xlsx(client: Client, survey: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.get(reverse("survey-responses-export", args=[survey.pk, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 16
    xlsx = client.get(reverse("survey-responses-export", args=[survey.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content))["Responses"]
    assert sheet.max_row == 16


def test_the_shared_results_download_hides_what_the_panels_shows(
    client: Client, survey: Survey, coordinator: User
) -> None:
    client.force_login(coordinator)
    shared = client.get(reverse("survey-results-export", args=[survey.pk, "shared", "csv"])).content.decode()
    panel = client.get(reverse("survey-results-export", args=[survey.pk, "panel", "csv"])).content.decode()
    assert "Q1,Have you been stopped and searched?,,,Yes,Yes,3,15,20.0,7.0,45.2" in panel
    assert "Q1,Have you been stopped and searched?,,,Yes,Yes,suppressed,15,,," in shared


@pytest.mark.parametrize(
    ("name", "args"),
    [("survey-responses-export", ["pdf"]), ("survey-results-export", ["public", "csv"])],
)
def test_an_unknown_export_is_not_found(
    client: Client, survey: Survey, coordinator: User, name: str, args: list[str]
) -> None:
    client.force_login(coordinator)
    assert client.get(reverse(name, args=[survey.pk, *args])).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "member"])
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("survey-results", []),
        ("survey-results-shared", []),
        ("survey-responses-export", ["xlsx"]),
        ("survey-results-export", ["panel", "xlsx"]),
    ],
)
def test_it_refuses_people_outside_the_surveys_builders(
    client: Client, survey: Survey, people: Any, who: str, name: str, args: list[str]
) -> None:
    client.force_login(getattr(people, who))
    assert client.get(reverse(name, args=[survey.pk, *args])).status_code == 403


@pytest.mark.parametrize("responses", [5, 50])
def test_the_results_page_costs_the_same_queries_for_5_or_50_responses(
    client: Client, panel: Panel, coordinator: User, django_assert_num_queries: Any, responses: int
) -> None:
    s = results_survey(panel, by=coordinator)
    respond(s, by=coordinator, count=responses, q1="No", q3="neither", q5_sex="male", q5_age_band="18-24")
    client.force_login(coordinator)
    demographics = s.questions.get(kind=Question.Kind.DEMOGRAPHICS)
    url = reverse("survey-results", args=[s.pk])
    with django_assert_num_queries(RESULTS_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(RESULTS_PAGE_QUERIES):
        assert client.get(url, {"by": f"{demographics.pk}-age_band"}).status_code == 200
