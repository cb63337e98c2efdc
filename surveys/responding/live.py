"""Live results: after a response is stored, the survey's results pages hear that one more came in.

The message carries counts only (never an answer), and is sent after the transaction commits, so a page that
reloads its results on hearing it reads the new response. The submit service calls `response_added_on_commit`.

During an event responses arrive in bursts, and each message makes every open results page reload its figures, so
the messages are coalesced: a survey's pages hear at most one message every `INTERVAL` seconds from each server
process. The first response after a quiet spell is told at once; those arriving within the interval after it are
told together by one message at the end of the interval, with the count read then. So the last response of a burst
always reaches the pages, at most `INTERVAL` seconds late.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from dataclasses import dataclass
from typing import Any, TypedDict

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import connection, transaction

from surveys.responding.models import Response

# At most one message a second to a survey's results pages (from each server process).
INTERVAL = 1.0


class ResponseAdded(TypedDict):
    event: str  # "response.added"
    survey: int
    responses: int


def results_group(survey_id: int) -> str:
    return f"survey-results-{survey_id}"


def _payload(survey_id: int) -> ResponseAdded:
    return {
        "event": "response.added",
        "survey": survey_id,
        "responses": Response.objects.filter(survey_id=survey_id).count(),
    }


def _message(payload: ResponseAdded) -> dict[str, Any]:
    return {"type": "response.added", "payload": payload}


def response_added(survey_id: int) -> ResponseAdded:
    """Tell the survey's results pages how many responses it has now (at once, not coalesced)."""
    payload = _payload(survey_id)
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(results_group(survey_id), _message(payload))
    return payload


def response_added_on_commit(survey_id: int) -> None:
    """Tell the survey's results pages, coalesced (see the module's docstring), once the current transaction
    commits (at once outside one)."""
    transaction.on_commit(lambda: _coalesced(survey_id))


# --- coalescing ----------------------------------------------------------------------------------------------------


@dataclass
class _Survey:
    last_sent: float = float("-inf")  # time.monotonic() of the last message
    # A message waiting to be sent at the end of the interval (it reads the count then), if there is one.
    scheduling: bool = False
    waiting: concurrent.futures.Future[None] | threading.Timer | None = None
    waiting_loop: asyncio.AbstractEventLoop | None = None

    def is_waiting(self) -> bool:
        if self.scheduling:
            return True
        if isinstance(self.waiting, threading.Timer):
            return self.waiting.is_alive()
        if isinstance(self.waiting, concurrent.futures.Future):
            # A message left on an event loop that has closed since (a test's, say) will never be sent.
            return not self.waiting.done() and not (self.waiting_loop is not None and self.waiting_loop.is_closed())
        return False


_lock = threading.Lock()
_surveys: dict[int, _Survey] = {}


def _coalesced(survey_id: int) -> None:
    """Send now if the survey's pages heard nothing in the last INTERVAL; otherwise make sure one message is
    waiting to be sent at the end of the interval (it reads the count then, so it covers this response too)."""
    with _lock:
        state = _surveys.setdefault(survey_id, _Survey())
        if state.is_waiting():
            return
        now = time.monotonic()
        wait = state.last_sent + INTERVAL - now
        if wait <= 0:
            state.last_sent = now
        else:
            state.scheduling = True  # so no other response schedules a second message meanwhile
    if wait <= 0:
        response_added(survey_id)
        return
    try:
        _send_later(survey_id, state, wait)
    finally:
        with _lock:
            state.scheduling = False


def _send_later(survey_id: int, state: _Survey, wait: float) -> None:
    # Under the ASGI server the message waits on the server's event loop, where the consumers live. Without one
    # (a management command, a test, a thread of its own) it waits in a timer thread.
    loop = async_to_sync(_running_loop)()
    with _lock:
        if not loop.is_closed():
            state.waiting_loop = loop
            state.waiting = asyncio.run_coroutine_threadsafe(_send_after(survey_id, wait), loop)
        else:
            timer = threading.Timer(wait, _send_from_thread, args=(survey_id,))
            timer.daemon = True
            state.waiting_loop, state.waiting = None, timer
            timer.start()


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def _mark_sent(survey_id: int) -> None:
    with _lock:
        state = _surveys.setdefault(survey_id, _Survey())
        state.last_sent = time.monotonic()
        state.waiting = state.waiting_loop = None


def _count_and_close(survey_id: int) -> ResponseAdded:
    try:
        return _payload(survey_id)
    finally:
        connection.close()  # this thread's connection goes back to the pool (or is closed without one)


async def _send_after(survey_id: int, wait: float) -> None:
    await asyncio.sleep(wait)
    # Marked before the count is read: a response committed after this point waits for a message of its own.
    _mark_sent(survey_id)
    payload = await sync_to_async(_count_and_close, thread_sensitive=False)(survey_id)
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(results_group(survey_id), _message(payload))


def _send_from_thread(survey_id: int) -> None:
    _mark_sent(survey_id)
    payload = _count_and_close(survey_id)
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(results_group(survey_id), _message(payload))
