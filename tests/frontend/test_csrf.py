"""A form posted without its CSRF token is refused with the site's own explanation and changes nothing.

Each case also posts the same form with the token a browser would send, so a refusal is proven to be the CSRF check
and not some other rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from panels.models import Invitation, Meeting, Membership, Panel, SelfDescription, User
from tests.factories import MeetingFactory, make_invitation
from tests.frontend.helpers import csrf_token_from, page_text

STRONG_PASSWORD = "a-long-and-unusual-passphrase-42"
CSRF_PAGE = "Your form could not be sent"


@dataclass
class Case:
    who: str  # "coordinator", "member" or "anonymous"
    form_page: Callable[[Any], str]  # the page with the form, to read a real token from
    action: Callable[[Any], str]  # where the form posts
    data: Callable[[Any], dict[str, str]]
    changed: Callable[[Any], bool]  # whether the post took effect


@dataclass
class World:
    panel: Panel
    member: User
    coordinator: User
    meeting: Meeting
    token: str


def members(w: World) -> str:
    return reverse("panel-members", kwargs={"slug": w.panel.slug})


def meeting_page(w: World) -> str:
    return reverse("meeting-detail", kwargs={"slug": w.panel.slug, "pk": w.meeting.pk})


CASES = {
    "invite": Case(
        "coordinator",
        members,
        members,
        lambda w: {"email": "new@example.org", "role": "member"},
        lambda w: Invitation.objects.filter(email="new@example.org").exists() and len(mail.outbox) == 1,
    ),
    "change-role": Case(
        "coordinator",
        members,
        lambda w: reverse(
            "membership-change",
            kwargs={"slug": w.panel.slug, "pk": Membership.objects.get(user=w.member, panel=w.panel).pk},
        ),
        lambda w: {"action": "end"},
        lambda w: not Membership.objects.active().filter(user=w.member, panel=w.panel).exists(),
    ),
    "publish-minutes": Case(
        "coordinator",
        meeting_page,
        lambda w: reverse("meeting-publish", kwargs={"slug": w.panel.slug, "pk": w.meeting.pk}),
        lambda w: {},
        lambda w: Meeting.objects.get(pk=w.meeting.pk).minutes_status == "published",
    ),
    "panel-settings": Case(
        "coordinator",
        lambda w: reverse("panel-edit", kwargs={"slug": w.panel.slug}),
        lambda w: reverse("panel-edit", kwargs={"slug": w.panel.slug}),
        lambda w: {"name": "Renamed", "terms_of_reference": ""},
        lambda w: Panel.objects.get(pk=w.panel.pk).name == "Renamed",
    ),
    "self-description": Case(
        "member",
        lambda w: reverse("self-description"),
        lambda w: reverse("self-description"),
        lambda w: {"ethnic_group": "7", "consent": "on"},
        lambda w: SelfDescription.objects.filter(user=w.member).exists(),
    ),
    "api-token": Case(
        "member",
        lambda w: reverse("account-settings"),
        lambda w: reverse("api-token"),
        lambda w: {"action": "create"},
        lambda w: Token.objects.filter(user=w.member).exists(),
    ),
    "accept-invitation": Case(
        "anonymous",
        lambda w: reverse("invitation-accept", kwargs={"token": w.token}),
        lambda w: reverse("invitation-accept", kwargs={"token": w.token}),
        lambda w: {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
        lambda w: User.objects.filter(email="invitee@example.org").exists(),
    ),
}


@pytest.fixture
def world(panel: Panel, member: User, coordinator: User) -> World:
    _, token = make_invitation(panel, email="invitee@example.org")
    return World(panel, member, coordinator, MeetingFactory.create(panel=panel), token)


def browser(world: World, who: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if who != "anonymous":
        client.force_login(getattr(world, who))
    return client


@pytest.mark.parametrize("name", CASES)
def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(world: World, name: str) -> None:
    case = CASES[name]
    client = browser(world, case.who)

    response = client.post(case.action(world), case.data(world))

    assert response.status_code == 403
    assert CSRF_PAGE in page_text(response)
    assert "Nothing was changed" in page_text(response)
    assert not case.changed(world)


@pytest.mark.parametrize("name", CASES)
def test_a_form_posted_with_a_forged_csrf_token_is_refused(world: World, name: str) -> None:
    case = CASES[name]
    client = browser(world, case.who)
    client.get(case.form_page(world))  # the CSRF cookie is set

    response = client.post(case.action(world), {**case.data(world), "csrfmiddlewaretoken": "x" * 64})

    assert response.status_code == 403
    assert CSRF_PAGE in page_text(response)
    assert not case.changed(world)


@pytest.mark.parametrize("name", CASES)
def test_the_same_form_with_its_csrf_token_works(world: World, name: str) -> None:
    case = CASES[name]
    client = browser(world, case.who)
    token = csrf_token_from(client, case.form_page(world))

    response = client.post(case.action(world), {**case.data(world), "csrfmiddlewaretoken": token})

    assert response.status_code == 302, page_text(response)
    assert case.changed(world)
