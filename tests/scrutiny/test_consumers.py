"""Live import progress over the WebSocket, through the project's real ASGI application (origin check, session
cookie, auth middleware, routing) and the configured channel layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from config.asgi import application
from panels.models import Membership, Organisation, Panel, User
from scrutiny.choices import BatchStatus
from scrutiny.models import ImportBatch
from scrutiny.records import imports
from scrutiny.records.imports import BatchProgress, batch_group
from tests.scrutiny.factories import make_batch
from tests.scrutiny.records_support import force_fixture, other_coordinator_fixture, real_rows, uploads_in_tmp_fixture  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ORIGIN = (b"origin", b"http://localhost")


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
def batch(force: Organisation, tmp_path: Path) -> ImportBatch:
    """A pending upload of 30 real rows, waiting for the worker."""
    b = make_batch(force, status=BatchStatus.PENDING, read_count=0, imported_count=0, rejected_count=0)
    b.source_file.save("2025-06-cheshire-stop-and-search.csv", ContentFile(real_rows(30)), save=True)
    return b


def socket(batch_id: int, cookie: bytes | None = None) -> WebsocketCommunicator:
    headers = [ORIGIN]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"/ws/batches/{batch_id}/", headers=headers)


def progress(batch: ImportBatch, **changes: Any) -> BatchProgress:
    message: BatchProgress = {
        "type": "batch.progress",
        "batch": batch.pk,
        "status": "running",
        "rows_done": 10,
        "rows_total": 30,
        "read": 0,
        "imported": 0,
        "duplicates": 0,
        "rejected": 0,
        "error": "",
    }
    return {**message, **changes}  # type: ignore[typeddict-item]


async def send(batch: ImportBatch, message: BatchProgress) -> None:
    await get_channel_layer().group_send(batch_group(batch.pk), dict(message))


async def test_an_anonymous_connection_is_refused(batch: ImportBatch) -> None:
    connected, _ = await socket(batch.pk).connect()
    assert not connected


@pytest.mark.parametrize("who", ["outsider", "member", "other_coordinator"])
async def test_people_who_may_not_see_the_batch_are_refused(
    batch: ImportBatch, people: Any, other_coordinator: User, who: str
) -> None:
    user = other_coordinator if who == "other_coordinator" else getattr(people, who)
    p = await database_sync_to_async(person)(user)
    connected, code = await socket(batch.pk, p.cookie).connect()
    assert not connected
    assert code == 4403


async def test_a_coordinator_hears_progress_of_their_forces_batch(batch: ImportBatch, coordinator: User) -> None:
    p = await database_sync_to_async(person)(coordinator)
    communicator = socket(batch.pk, p.cookie)
    assert (await communicator.connect())[0]
    await send(batch, progress(batch))
    received = await communicator.receive_json_from(timeout=3)
    assert received == {k: v for k, v in progress(batch).items()}
    await communicator.disconnect()


async def test_a_real_import_reports_its_progress_to_the_end(batch: ImportBatch, coordinator: User) -> None:
    p = await database_sync_to_async(person)(coordinator)
    communicator = socket(batch.pk, p.cookie)
    assert (await communicator.connect())[0]
    await database_sync_to_async(imports.batch_run)(batch_id=batch.pk)
    messages: list[dict[str, Any]] = []
    while not messages or messages[-1]["status"] not in ("finished", "failed"):
        messages.append(await communicator.receive_json_from(timeout=5))
    last = messages[-1]
    assert last["status"] == "finished"
    assert (last["read"], last["imported"], last["duplicates"], last["rejected"]) == (30, 30, 0, 0)
    assert last["rows_total"] == messages[0]["rows_total"]
    await communicator.disconnect()


async def test_a_coordinator_whose_role_ends_hears_nothing_more(
    batch: ImportBatch, coordinator: User, panel: Panel
) -> None:
    p = await database_sync_to_async(person)(coordinator)
    communicator = socket(batch.pk, p.cookie)
    assert (await communicator.connect())[0]

    def end_role() -> None:
        Membership.objects.filter(user=coordinator, panel=panel).update(end_date=timezone.localdate())
        Membership.objects.filter(user=coordinator, panel=panel).update(
            start_date=timezone.localdate() - timedelta(days=30)
        )

    await database_sync_to_async(end_role)()
    await send(batch, progress(batch))
    output = await communicator.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4403}


async def test_a_coordinator_who_signs_out_hears_nothing_more(batch: ImportBatch, coordinator: User) -> None:
    p = await database_sync_to_async(person)(coordinator)
    communicator = socket(batch.pk, p.cookie)
    assert (await communicator.connect())[0]
    await database_sync_to_async(p.browser.logout)()
    await send(batch, progress(batch))
    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}
