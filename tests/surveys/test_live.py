"""Coalescing the live "response added" messages (surveys/live.py), with a channel layer that records what is sent:
a burst is told at once for its first response and once more at the end of the interval with the count then, also
where no event loop runs (a management command, a thread of its own), where the last message waits in a timer."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from panels.models import Panel, User
from surveys.building.models import Survey
from surveys.responding.live import results_group
from tests.surveys.results_data import respond, results_survey

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

INTERVAL = 0.3


class RecordingLayer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.sent.append((group, message["payload"]["responses"]))


@pytest.fixture
def layer(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingLayer]:
    recording = RecordingLayer()
    surveys: dict[int, Any] = {}
    monkeypatch.setattr("surveys.responding.live.get_channel_layer", lambda: recording)
    monkeypatch.setattr("surveys.responding.live.INTERVAL", INTERVAL)
    monkeypatch.setattr("surveys.responding.live._surveys", surveys)
    yield recording
    # No message may still be waiting (and reading the database) once the test's data is gone.
    for state in surveys.values():
        if isinstance(state.waiting, threading.Timer):
            state.waiting.cancel()
            state.waiting.join(timeout=5)


@pytest.fixture
def survey(panel: Panel, coordinator: User) -> Survey:
    return results_survey(panel, by=coordinator)


def wait_for(layer: RecordingLayer, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(layer.sent) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_burst_sends_the_first_at_once_and_one_more_with_the_last_count(
    layer: RecordingLayer, survey: Survey, coordinator: User
) -> None:
    respond(survey, by=coordinator, count=4, q1="No")
    group = results_group(survey.pk)
    assert layer.sent == [(group, 1)]  # the rest wait for the end of the interval

    wait_for(layer, 2)
    assert layer.sent == [(group, 1), (group, 4)]
    time.sleep(2 * INTERVAL)
    assert len(layer.sent) == 2, "one message for the rest of the burst, not one each"


def test_after_a_quiet_interval_the_next_response_is_sent_at_once(
    layer: RecordingLayer, survey: Survey, coordinator: User
) -> None:
    respond(survey, by=coordinator, q1="No")
    time.sleep(INTERVAL + 0.1)
    respond(survey, by=coordinator, q1="No")

    assert layer.sent == [(results_group(survey.pk), 1), (results_group(survey.pk), 2)]


def test_each_survey_is_coalesced_on_its_own(
    layer: RecordingLayer, survey: Survey, panel: Panel, coordinator: User
) -> None:
    other = results_survey(panel, by=coordinator)
    respond(survey, by=coordinator, q1="No")
    respond(other, by=coordinator, q1="No")

    assert layer.sent == [(results_group(survey.pk), 1), (results_group(other.pk), 1)]


def test_a_response_rolled_back_sends_nothing(layer: RecordingLayer, survey: Survey, coordinator: User) -> None:
    from django.db import transaction

    with transaction.atomic():
        respond(survey, by=coordinator, q1="No")
        transaction.set_rollback(True)
    time.sleep(INTERVAL + 0.1)

    assert layer.sent == []
