"""Live notifications over the WebSocket, through the project's real ASGI application (origin check, session
cookie, auth middleware, routing), with the configured channel layer (in-memory, or Redis when REDIS_URL is set).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from config.asgi import application
from panels import services
from panels.models import Panel, User
from panels.notifications import Notification, notify_user_on_commit
from tests.factories import UserFactory, make_invitation

# serialized_rollback: the flush after each transactional test would otherwise take the force areas with it.
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PATH = "/ws/notifications/"
ORIGIN = (b"origin", b"http://localhost")
PAYLOAD: Notification = {"kind": "test", "message": "Something happened on your panel.", "url": "/panels/x/"}


@dataclass
class Person:
    user: User
    browser: Client  # signed in; its session cookie opens the socket

    @property
    def cookie(self) -> bytes:
        name = settings.SESSION_COOKIE_NAME
        return f"{name}={self.browser.cookies[name].value}".encode()


def signed_in(email: str) -> Person:
    user = UserFactory.create(email=email)
    browser = Client()
    browser.force_login(user)
    return Person(user, browser)


@pytest.fixture
def alice(db: None) -> Person:
    return signed_in("alice@example.org")


@pytest.fixture
def bob(db: None) -> Person:
    return signed_in("bob@example.org")


def socket(cookie: bytes | None = None, origin: tuple[bytes, bytes] = ORIGIN) -> WebsocketCommunicator:
    headers = [origin]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, PATH, headers=headers)


@database_sync_to_async
def notify_in_committed_transaction(user_id: int, payload: Notification) -> None:
    with transaction.atomic():
        notify_user_on_commit(user_id=user_id, payload=payload)


@database_sync_to_async
def notify_in_rolled_back_transaction(user_id: int, payload: Notification) -> None:
    class Abandon(Exception):
        pass

    try:
        with transaction.atomic():
            notify_user_on_commit(user_id=user_id, payload=payload)
            raise Abandon
    except Abandon:
        pass


async def test_an_anonymous_connection_is_refused() -> None:
    communicator = socket()
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401


async def test_a_forged_session_cookie_is_refused() -> None:
    communicator = socket(cookie=f"{settings.SESSION_COOKIE_NAME}=not-a-real-session".encode())
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401


async def test_a_page_on_another_site_cannot_open_the_socket(alice: Person) -> None:
    cookie = alice.cookie
    communicator = socket(cookie=cookie, origin=(b"origin", b"https://evil.example"))
    connected, _ = await communicator.connect()
    assert not connected


async def test_a_signed_in_user_connects(alice: Person) -> None:
    cookie = alice.cookie
    communicator = socket(cookie=cookie)
    connected, _ = await communicator.connect()
    assert connected
    await communicator.disconnect()


async def test_a_notification_reaches_its_user_and_no_one_else(alice: Person, bob: Person) -> None:
    alice_socket, bob_socket = socket(cookie=alice.cookie), socket(cookie=bob.cookie)
    assert (await alice_socket.connect())[0]
    assert (await bob_socket.connect())[0]

    await notify_in_committed_transaction(alice.user.pk, PAYLOAD)

    assert await alice_socket.receive_json_from(timeout=3) == PAYLOAD
    assert await bob_socket.receive_nothing(timeout=0.3)
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_every_open_tab_of_the_user_gets_it(alice: Person) -> None:
    first, second = socket(cookie=alice.cookie), socket(cookie=alice.cookie)
    assert (await first.connect())[0]
    assert (await second.connect())[0]

    await notify_in_committed_transaction(alice.user.pk, PAYLOAD)

    assert await first.receive_json_from(timeout=3) == PAYLOAD
    assert await second.receive_json_from(timeout=3) == PAYLOAD
    await first.disconnect()
    await second.disconnect()


async def test_nothing_is_sent_when_the_transaction_rolls_back(alice: Person) -> None:
    communicator = socket(cookie=alice.cookie)
    assert (await communicator.connect())[0]

    await notify_in_rolled_back_transaction(alice.user.pk, PAYLOAD)

    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_after_disconnecting_nothing_more_is_delivered(alice: Person) -> None:
    communicator = socket(cookie=alice.cookie)
    assert (await communicator.connect())[0]
    await communicator.disconnect()

    await notify_in_committed_transaction(alice.user.pk, PAYLOAD)  # must not fail with no one listening


async def test_what_a_client_sends_is_ignored(alice: Person) -> None:
    communicator = socket(cookie=alice.cookie)
    assert (await communicator.connect())[0]

    await communicator.send_json_to({"type": "notification.send", "payload": {"kind": "forged"}})

    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_the_coordinator_hears_when_their_invitation_is_accepted(
    panel: Panel, alice: Person, bob: Person
) -> None:
    coordinator, cookie = alice.user, alice.cookie
    invitee, invitee_cookie = bob.user, bob.cookie
    _, token = await database_sync_to_async(make_invitation)(
        panel, email=invitee.email, role="member", invited_by=coordinator
    )
    coordinator_socket, invitee_socket = socket(cookie=cookie), socket(cookie=invitee_cookie)
    assert (await coordinator_socket.connect())[0]
    assert (await invitee_socket.connect())[0]

    await database_sync_to_async(services.invitation_accept)(token=token, user=invitee)

    message: dict[str, Any] = await coordinator_socket.receive_json_from(timeout=3)
    assert message["kind"] == "invitation_accepted"
    assert panel.name in message["message"]
    assert message["url"] == panel.get_absolute_url()
    assert await invitee_socket.receive_nothing(timeout=0.3)
    await coordinator_socket.disconnect()
    await invitee_socket.disconnect()


async def closed_or_silent(communicator: WebsocketCommunicator) -> bool:
    """True if the socket sends nothing more, or only closes."""
    if await communicator.receive_nothing(timeout=0.5):
        return True
    return bool((await communicator.receive_output(timeout=1))["type"] == "websocket.close")


async def test_a_deactivated_user_receives_nothing_more(alice: Person) -> None:
    # Consumers re-check permission on every event (DESIGN.md §2), not only when the socket opens.
    communicator = socket(cookie=alice.cookie)
    assert (await communicator.connect())[0]

    await database_sync_to_async(User.objects.filter(pk=alice.user.pk).update)(is_active=False)
    await notify_in_committed_transaction(alice.user.pk, PAYLOAD)

    assert await closed_or_silent(communicator)
    await communicator.disconnect()


async def test_after_signing_out_an_open_socket_receives_nothing_more(alice: Person) -> None:
    # On a shared tablet at a youth event, the next person must not see the last one's notifications.
    communicator = socket(cookie=alice.cookie)
    assert (await communicator.connect())[0]

    await database_sync_to_async(alice.browser.logout)()
    await notify_in_committed_transaction(alice.user.pk, PAYLOAD)

    assert await closed_or_silent(communicator)
    await communicator.disconnect()
