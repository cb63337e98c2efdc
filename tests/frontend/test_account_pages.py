"""Your account: describing yourself (with consent, and deleting it), and your API token."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from panels.models import SelfDescription, User
from tests.frontend.helpers import banners, error_summary, page_text


def about_you() -> str:
    return reverse("self-description")


def test_the_account_page_says_what_is_set(client: Client, member: User) -> None:
    client.force_login(member)
    text = page_text(client.get(reverse("account-settings")))
    assert member.email in text
    assert "Not answered" in text
    assert "Create a token" in text


# --- Self-description -----------------------------------------------------------------------


def test_answers_are_saved_with_consent(client: Client, member: User) -> None:
    client.force_login(member)

    response = client.post(
        about_you(), {"ethnic_group": "7", "age_band": "25-34", "sex": "female", "consent": "on"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("account-settings")
    assert "Thank you. Your answers are saved." in banners(response)
    assert "Answered, with your consent" in page_text(response)
    stored = SelfDescription.objects.get(user=member)
    assert (stored.ethnic_group, stored.age_band, stored.sex, stored.disability) == ("7", "25-34", "female", "")


def test_the_form_shows_the_saved_answers(client: Client, member: User) -> None:
    client.force_login(member)
    client.post(about_you(), {"ethnic_group": "7", "sex": "female", "consent": "on"})
    html = client.get(about_you()).content.decode()
    assert re.search(r'<option value="7"[^>]*selected', html)
    assert re.search(r'<option value="female"[^>]*selected', html)


def test_without_consent_nothing_is_kept_and_the_page_says_why(client: Client, member: User) -> None:
    client.force_login(member)

    response = client.post(about_you(), {"ethnic_group": "7", "sex": "female"})

    assert response.status_code == 400
    assert "Tick the box to agree" in error_summary(response)
    assert not SelfDescription.objects.filter(user=member).exists()


@pytest.mark.parametrize(
    "data", [{"ethnic_group": "99"}, {"ethnic_group": "Black"}, {"age_band": "100+"}, {"disability": "maybe"}]
)
def test_an_answer_outside_the_list_is_refused(client: Client, member: User, data: dict[str, str]) -> None:
    client.force_login(member)
    response = client.post(about_you(), {**data, "consent": "on"})
    assert response.status_code == 400
    assert "Select a valid choice" in error_summary(response)
    assert not SelfDescription.objects.filter(user=member).exists()


def test_deleting_removes_the_answers(client: Client, member: User) -> None:
    client.force_login(member)
    client.post(about_you(), {"ethnic_group": "7", "consent": "on"})

    response = client.post(about_you(), {"action": "delete"}, follow=True)

    assert "Your answers have been deleted" in banners(response)
    assert not SelfDescription.objects.filter(user=member).exists()
    assert "Not answered" in page_text(response)


def test_deleting_only_touches_your_own_answers(client: Client, member: User, coordinator: User) -> None:
    SelfDescription.objects.create(user=coordinator, ethnic_group="13", consented_at="2026-01-01T00:00Z")
    client.force_login(member)
    client.post(about_you(), {"action": "delete"})
    assert SelfDescription.objects.filter(user=coordinator).exists()


# --- API token ------------------------------------------------------------------------------


def test_creating_a_token_shows_it_once_and_it_works(client: Client, member: User) -> None:
    client.force_login(member)

    response = client.post(reverse("api-token"), {"action": "create"}, follow=True)

    token = Token.objects.get(user=member)
    assert f"Your new API token is {token.key}" in banners(response)
    assert "Replace your token" in page_text(response)
    assert token.key not in client.get(reverse("account-settings")).content.decode()  # shown once only
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(reverse("api-panel-list")).status_code == 200


def test_replacing_a_token_stops_the_old_one(client: Client, member: User) -> None:
    client.force_login(member)
    client.post(reverse("api-token"), {"action": "create"})
    old = Token.objects.get(user=member).key

    client.post(reverse("api-token"), {"action": "create"})

    new = Token.objects.get(user=member).key
    assert new != old
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api.get(reverse("api-panel-list")).status_code == 401


def test_deleting_the_token(client: Client, member: User) -> None:
    client.force_login(member)
    client.post(reverse("api-token"), {"action": "create"})

    response = client.post(reverse("api-token"), {"action": "delete"}, follow=True)

    assert "Your API token was deleted" in banners(response)
    assert not Token.objects.filter(user=member).exists()
    assert "Create a token" in page_text(response)


def test_the_token_endpoint_takes_only_posts(client: Client, member: User) -> None:
    client.force_login(member)
    assert client.get(reverse("api-token")).status_code == 405
    assert not Token.objects.exists()
