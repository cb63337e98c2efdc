"""Live results over the WebSocket, through the project's real ASGI application (origin check, session cookie, auth
middleware, routing) and the configured channel layer: refused in connect, re-checked on every event, counts only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from config.asgi import application
from panels.models import Membership, Panel, User
from surveys.building.models import Survey
from surveys.responding.live import response_added
from tests.surveys.results_data import respond, results_survey

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture(autouse=True)
def nothing_sent_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's surveys start as if their pages had heard nothing (ids can repeat between tests)."""
    monkeypatch.setattr("surveys.responding.live._surveys", {})


@dataclass
class Person:
    user: User
    browser: Client

    @property
    def cookie(self) -> bytes:
        name = settings.SESSION_COOKIE_NAME
        return f"{name}={self.browser.cookies[name].value}".encode()


def person(user: User) -> Person:
    browser = Client()
    browser.force_login(user)
    return Person(user, browser)


@pytest.fixture
def survey(panel: Panel, coordinator: User) -> Survey:
    return results_survey(panel, by=coordinator)


def socket(survey_id: int, cookie: bytes | None = None) -> WebsocketCommunicator:
    headers = [ORIGIN]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"/ws/surveys/{survey_id}/results/", headers=headers)


async def connected(user: User, survey: Survey) -> tuple[Person, WebsocketCommunicator]:
    p = await database_sync_to_async(person)(user)
    communicator = socket(survey.pk, p.cookie)
    ok, _ = await communicator.connect()
    assert ok
    return p, communicator


def submit_in_a_transaction(survey: Survey, by: User) -> None:
    # The submit service stores the response and broadcasts once the transaction commits.
    with transaction.atomic():
        respond(survey, by=by, q1="No", q3="tend_to_agree")


async def test_an_anonymous_connection_is_refused(survey: Survey) -> None:
    ok, code = await socket(survey.pk).connect()
    assert not ok
    assert code == 4403


@pytest.mark.parametrize("who", ["outsider", "member"])
async def test_people_who_may_not_see_the_results_are_refused(survey: Survey, people: Any, who: str) -> None:
    p = await database_sync_to_async(person)(getattr(people, who))
    ok, code = await socket(survey.pk, p.cookie).connect()
    assert not ok
    assert code == 4403


async def test_a_missing_survey_is_refused(coordinator: User) -> None:
    p = await database_sync_to_async(person)(coordinator)
    ok, code = await socket(999999, p.cookie).connect()
    assert not ok
    assert code == 4403


async def test_the_coordinator_hears_the_count_when_a_response_is_submitted(survey: Survey, coordinator: User) -> None:
    _, communicator = await connected(coordinator, survey)
    await database_sync_to_async(submit_in_a_transaction)(survey, coordinator)
    message = await communicator.receive_json_from(timeout=10)
    assert message == {"event": "response.added", "survey": survey.pk, "responses": 1}
    await database_sync_to_async(submit_in_a_transaction)(survey, coordinator)
    assert (await communicator.receive_json_from(timeout=10))["responses"] == 2
    await communicator.disconnect()


async def test_a_burst_is_heard_at_once_then_once_more_with_the_last_count(
    survey: Survey, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Responses arriving together (an event's tablets) reach the page as the first at once and the rest in one
    message at the end of the interval, carrying the count after the last, instead of one reload each."""
    monkeypatch.setattr("surveys.responding.live.INTERVAL", 0.5)
    _, communicator = await connected(coordinator, survey)

    def five_in_a_row() -> None:
        for _ in range(5):
            submit_in_a_transaction(survey, coordinator)

    await database_sync_to_async(five_in_a_row)()
    assert (await communicator.receive_json_from(timeout=3))["responses"] == 1
    assert (await communicator.receive_json_from(timeout=3))["responses"] == 5
    assert await communicator.receive_nothing(timeout=1)

    # After a quiet spell the next response is heard at once again.
    await database_sync_to_async(submit_in_a_transaction)(survey, coordinator)
    assert (await communicator.receive_json_from(timeout=0.4))["responses"] == 6
    await communicator.disconnect()


async def test_nothing_is_heard_when_the_transaction_rolls_back(survey: Survey, coordinator: User) -> None:
    _, communicator = await connected(coordinator, survey)

    def submit_then_roll_back() -> None:
        with transaction.atomic():
            respond(survey, by=coordinator, q1="No")
            transaction.set_rollback(True)

    await database_sync_to_async(submit_then_roll_back)()
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def test_a_coordinator_whose_role_ends_hears_nothing_more(
    survey: Survey, coordinator: User, panel: Panel
) -> None:
    _, communicator = await connected(coordinator, survey)

    def end_role() -> None:
        memberships = Membership.objects.filter(user=coordinator, panel=panel)
        memberships.update(start_date=timezone.localdate() - timedelta(days=30))
        memberships.update(end_date=timezone.localdate())

    await database_sync_to_async(end_role)()
    await database_sync_to_async(response_added)(survey.pk)
    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


async def test_a_coordinator_who_signs_out_hears_nothing_more(survey: Survey, coordinator: User) -> None:
    p, communicator = await connected(coordinator, survey)
    await database_sync_to_async(p.browser.logout)()
    await database_sync_to_async(response_added)(survey.pk)
    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


async def test_what_a_page_sends_is_ignored(survey: Survey, coordinator: User) -> None:
    _, communicator = await connected(coordinator, survey)
    await communicator.send_json_to({"type": "response.added", "responses": 99})
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
