"""Coding free-text answers into themes: tag, quote, untag, merge, count; and the themes page shows quotes escaped."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from panels.models import Panel, User
from surveys.building.models import Question, Survey
from surveys.loop.models import AnswerTheme, Theme
from surveys.loop.selectors import text_answers, theme_summaries, themes_with_counts
from surveys.loop.services import ThemeError, answer_tag, answer_untag, recommendation_create, theme_create, theme_merge
from surveys.responding.models import Answer, Response
from surveys.responding.services import response_submit
from tests.surveys.factories import answers, make_survey, token


def respond(survey: Survey, **by_number: str) -> Response:
    return response_submit(
        survey=survey, data=answers(survey, **by_number), channel=Response.Channel.ONLINE, form_token=token(survey)
    )


def free_text(survey: Survey) -> list[Answer]:
    return list(text_answers(survey))


@pytest.fixture
def survey(panel: Panel, coordinator: User) -> Survey:
    survey = make_survey(panel, by=coordinator, open_it=True)
    respond(survey, q1="Yes", q2="They did not say why.", q4="More youth workers.")
    respond(survey, q1="Yes", q2="<script>alert('x')</script> was rude")
    respond(survey, q1="No", q3="tend_to_agree")
    return survey


def test_text_answers_are_the_free_text_answers_only(survey: Survey) -> None:
    values = [a.value for a in free_text(survey)]
    assert values == ["They did not say why.", "More youth workers.", "<script>alert('x')</script> was rude"]


def test_it_tags_an_answer_and_counts_it(survey: Survey, coordinator: User) -> None:
    theme = theme_create(survey=survey, name="Not told why", by=coordinator)
    first = free_text(survey)[0]
    answer_tag(theme=theme, answer_id=first.pk, by=coordinator)
    answer_tag(theme=theme, answer_id=first.pk, by=coordinator)  # twice is still once
    assert themes_with_counts(survey).get().answer_count == 1  # type: ignore[attr-defined]


def test_tagging_again_only_changes_the_quote_mark(survey: Survey, coordinator: User) -> None:
    theme = theme_create(survey=survey, name="Not told why", by=coordinator)
    first = free_text(survey)[0]
    answer_tag(theme=theme, answer_id=first.pk, by=coordinator)
    answer_tag(theme=theme, answer_id=first.pk, is_quote=True, by=coordinator)
    assert AnswerTheme.objects.get().is_quote
    [summary] = theme_summaries(survey)
    assert summary.quotes == ["They did not say why."]


def test_it_untags(survey: Survey, coordinator: User) -> None:
    theme = theme_create(survey=survey, name="Not told why", by=coordinator)
    first = free_text(survey)[0]
    answer_tag(theme=theme, answer_id=first.pk, by=coordinator)
    answer_untag(theme=theme, answer_id=first.pk)
    assert not AnswerTheme.objects.exists()


def test_it_refuses_an_answer_that_is_not_free_text(survey: Survey, coordinator: User) -> None:
    theme = theme_create(survey=survey, name="Fairness", by=coordinator)
    choice = Answer.objects.filter(response__survey=survey, question__kind=Question.Kind.SINGLE).first()
    assert choice is not None
    with pytest.raises(ThemeError):
        answer_tag(theme=theme, answer_id=choice.pk, by=coordinator)


def test_it_refuses_an_answer_of_another_survey(survey: Survey, panel: Panel, coordinator: User) -> None:
    other = make_survey(panel, by=coordinator, title="Other", open_it=True)
    respond(other, q1="Yes", q2="Elsewhere")
    theme = theme_create(survey=survey, name="Fairness", by=coordinator)
    with pytest.raises(ThemeError):
        answer_tag(theme=theme, answer_id=free_text(other)[0].pk, by=coordinator)


def test_theme_names_are_unique_within_a_survey(survey: Survey, coordinator: User) -> None:
    theme_create(survey=survey, name="Fairness", by=coordinator)
    with pytest.raises(ThemeError):
        theme_create(survey=survey, name="fairness", by=coordinator)
    with pytest.raises(ThemeError):
        theme_create(survey=survey, name="  ", by=coordinator)


def test_merging_two_themes_moves_the_tags_and_counts_each_answer_once(survey: Survey, coordinator: User) -> None:
    a, b, c = free_text(survey)
    rude = theme_create(survey=survey, name="Rudeness", by=coordinator)
    manner = theme_create(survey=survey, name="Manner", by=coordinator)
    answer_tag(theme=rude, answer_id=c.pk, is_quote=True, by=coordinator)
    answer_tag(theme=rude, answer_id=a.pk, by=coordinator)
    answer_tag(theme=manner, answer_id=a.pk, by=coordinator)
    answer_tag(theme=manner, answer_id=b.pk, by=coordinator)
    recommendation = recommendation_create(
        panel=survey.panel, survey=survey, themes=[rude], title="T", body="B", by=coordinator
    )
    theme_merge(theme=rude, into=manner)
    assert list(Theme.objects.filter(survey=survey)) == [manner]
    assert themes_with_counts(survey).get().answer_count == 3  # type: ignore[attr-defined]
    assert AnswerTheme.objects.get(answer=c).is_quote  # the quote survives the merge
    assert list(recommendation.themes.all()) == [manner]


def test_it_refuses_to_merge_a_theme_into_itself_or_across_surveys(
    survey: Survey, panel: Panel, coordinator: User
) -> None:
    theme = theme_create(survey=survey, name="A", by=coordinator)
    other = theme_create(survey=make_survey(panel, by=coordinator, title="Other"), name="B", by=coordinator)
    with pytest.raises(ThemeError):
        theme_merge(theme=theme, into=theme)
    with pytest.raises(ThemeError):
        theme_merge(theme=theme, into=other)


def test_summaries_are_most_mentioned_first(survey: Survey, coordinator: User) -> None:
    a, b, _ = free_text(survey)
    few = theme_create(survey=survey, name="Alpha", by=coordinator)
    many = theme_create(survey=survey, name="Zulu", by=coordinator)
    answer_tag(theme=many, answer_id=a.pk, by=coordinator)
    answer_tag(theme=many, answer_id=b.pk, by=coordinator)
    answer_tag(theme=few, answer_id=a.pk, by=coordinator)
    assert [(s.theme.name, s.count) for s in theme_summaries(survey)] == [("Zulu", 2), ("Alpha", 1)]


# --- The themes page ----------------------------------------------------------------------------------------------


def test_the_page_tags_merges_and_shows_a_quote_escaped(client: Client, survey: Survey, coordinator: User) -> None:
    client.force_login(coordinator)
    url = reverse("survey-themes", kwargs={"pk": survey.pk})
    assert client.post(url, {"name": "Rudeness"}).status_code == 302
    assert client.post(url, {"name": "Manner"}).status_code == 302
    rude, manner = Theme.objects.get(name="Rudeness"), Theme.objects.get(name="Manner")
    script = free_text(survey)[2]
    tag = reverse("survey-theme-tag", kwargs={"pk": survey.pk})
    response = client.post(tag, {"answer": script.pk, "theme": rude.pk, "quote": "on"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#answer-{script.pk}")
    client.post(tag, {"answer": free_text(survey)[0].pk, "theme": manner.pk})
    merge = reverse("survey-theme-merge", kwargs={"pk": survey.pk})
    assert client.post(merge, {"theme": rude.pk, "into": manner.pk}).status_code == 302
    page = client.get(url).content.decode()
    assert "<script>alert" not in page
    assert "“&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; was rude”" in page
    assert Theme.objects.get().name == "Manner"
    assert themes_with_counts(survey).get().answer_count == 2  # type: ignore[attr-defined]


def test_the_page_refuses_a_theme_of_another_survey(
    client: Client, survey: Survey, panel: Panel, coordinator: User
) -> None:
    other = theme_create(survey=make_survey(panel, by=coordinator, title="Other"), name="B", by=coordinator)
    client.force_login(coordinator)
    response = client.post(
        reverse("survey-theme-tag", kwargs={"pk": survey.pk}), {"answer": free_text(survey)[0].pk, "theme": other.pk}
    )
    assert response.status_code == 404
    assert not AnswerTheme.objects.exists()


def test_the_page_refuses_a_member_of_a_scrutiny_panel(client: Client, survey: Survey, member: User) -> None:
    client.force_login(member)
    assert client.get(reverse("survey-themes", kwargs={"pk": survey.pk})).status_code == 403


def test_members_of_a_youth_commission_code_themes(client: Client, coordinator: User) -> None:
    from tests.factories import MembershipFactory, PanelFactory

    youth = PanelFactory.create(kind=Panel.Kind.YOUTH)
    commissioner = MembershipFactory.create(panel=youth, role="member").user
    survey = make_survey(youth, by=coordinator, open_it=True)
    client.force_login(commissioner)
    response = client.post(reverse("survey-themes", kwargs={"pk": survey.pk}), {"name": "Trust"})
    assert response.status_code == 302
    assert Theme.objects.filter(survey=survey, name="Trust", created_by=commissioner).exists()
