"""Live results: after a response is stored, the survey's results pages hear that one more came in.

The message carries counts only (never an answer), and is sent after the transaction commits, so a page that
reloads its results on hearing it reads the new response. The submit service calls `response_added_on_commit`.
"""

from __future__ import annotations

from typing import TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from surveys.models import Response


class ResponseAdded(TypedDict):
    event: str  # "response.added"
    survey: int
    responses: int


def results_group(survey_id: int) -> str:
    return f"survey-results-{survey_id}"


def response_added(survey_id: int) -> ResponseAdded:
    """Tell the survey's results pages how many responses it has now."""
    payload: ResponseAdded = {
        "event": "response.added",
        "survey": survey_id,
        "responses": Response.objects.filter(survey_id=survey_id).count(),
    }
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(results_group(survey_id), {"type": "response.added", "payload": payload})
    return payload


def response_added_on_commit(survey_id: int) -> None:
    """Broadcast `response_added` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: response_added(survey_id))
