"""The live review session over the WebSocket, through the project's real ASGI application (origin check, session
cookie, auth middleware, routing) and the in-memory channel layer: who may connect, presence and its heartbeat,
events that never say who scored what, and the re-check on every event."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from config.asgi import application
from panels.models import Membership, Panel, User
from scrutiny.models import ReviewSession, SessionPresence, SessionRecord
from scrutiny.reviews.services import AssessmentInput, assessment_save, item_agree, item_reveal, session_go_to
from tests.factories import MembershipFactory, PanelFactory
from tests.scrutiny.factories import make_batch, make_force, make_record, make_session

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ORIGIN = (b"origin", b"http://localhost")
SECRET = "Only I should read this before the reveal"


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


@dataclass
class Meeting:
    session: ReviewSession
    item: SessionRecord
    chair: User
    second_member: User


@pytest.fixture
def meeting(panel: Panel, member: User, coordinator: User) -> Meeting:
    batch = make_batch(make_force(code=panel.force_area.code))
    records = [make_record(batch) for _ in range(2)]
    session = make_session(panel, records, by=coordinator)
    chair = MembershipFactory.create(panel=panel, role=Membership.Role.CHAIR, user__name="Chidi Chair").user
    second = MembershipFactory.create(panel=panel, role=Membership.Role.MEMBER, user__name="Sam Second").user
    item = session.items.order_by("position").first()
    assert item is not None
    return Meeting(session=session, item=item, chair=chair, second_member=second)


def socket(session_id: int, cookie: bytes | None = None) -> WebsocketCommunicator:
    headers = [ORIGIN]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"/ws/sessions/{session_id}/", headers=headers)


async def joined(user: User, session_id: int) -> WebsocketCommunicator:
    """A connected page for the user, with its own arrival (a presence event) already read."""
    p = await database_sync_to_async(person)(user)
    communicator = socket(session_id, p.cookie)
    connected, code = await communicator.connect()
    assert connected, code
    arrival = await communicator.receive_json_from(timeout=3)
    assert arrival["event"] == "presence"
    return communicator


async def next_event(communicator: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    while True:
        message = await communicator.receive_json_from(timeout=3)
        if message["event"] == kind:
            return message


def score(item: SessionRecord, user: User, grounds: str, *, submit: bool = True) -> None:
    assessment_save(
        item=item,
        member=user,
        data=AssessmentInput(grounds=grounds, grade=7, comment=SECRET, concerns=["grounds_weak"]),
        submit=submit,
    )


async def test_an_anonymous_connection_is_refused(meeting: Meeting) -> None:
    connected, code = await socket(meeting.session.pk).connect()
    assert not connected
    assert code == 4403


async def test_an_outsider_is_refused(meeting: Meeting, outsider: User) -> None:
    p = await database_sync_to_async(person)(outsider)
    connected, code = await socket(meeting.session.pk, p.cookie).connect()
    assert (connected, code) == (False, 4403)


async def test_a_member_of_another_panel_is_refused(meeting: Meeting) -> None:
    def someone_elsewhere() -> User:
        return MembershipFactory.create(panel=PanelFactory.create(), role=Membership.Role.CHAIR).user

    p = await database_sync_to_async(person)(await database_sync_to_async(someone_elsewhere)())
    connected, code = await socket(meeting.session.pk, p.cookie).connect()
    assert (connected, code) == (False, 4403)
    assert not await database_sync_to_async(SessionPresence.objects.exists)()


async def test_a_member_on_the_page_is_present_until_they_leave(meeting: Meeting, member: User) -> None:
    chair = await joined(meeting.chair, meeting.session.pk)
    page = await joined(member, meeting.session.pk)
    arrived = await next_event(chair, "presence")
    assert arrived["present"] == sorted([str(member), str(meeting.chair)])
    assert await database_sync_to_async(SessionPresence.objects.filter(user=member).count)() == 1

    await page.disconnect()
    left = await next_event(chair, "presence")
    assert left["present"] == [str(meeting.chair)]
    assert not await database_sync_to_async(SessionPresence.objects.filter(user=member).exists)()
    await chair.disconnect()


async def test_a_heartbeat_keeps_presence_fresh_and_a_dead_servers_rows_go_stale(
    meeting: Meeting, member: User
) -> None:
    page = await joined(member, meeting.session.pk)

    def age_rows() -> None:
        SessionPresence.objects.update(last_seen=timezone.now() - timedelta(minutes=5))
        # A row left behind by a server that stopped without closing its sockets.
        SessionPresence.objects.create(
            session=meeting.session, user=meeting.second_member, channel_name="gone!1", last_seen=timezone.now()
        )
        SessionPresence.objects.filter(channel_name="gone!1").update(last_seen=timezone.now() - timedelta(hours=1))

    await database_sync_to_async(age_rows)()
    await page.send_json_to({"type": "heartbeat"})
    refreshed = await next_event(page, "presence")  # the member had gone stale: everyone hears they are back
    assert refreshed["present"] == [str(member)]
    row = await database_sync_to_async(SessionPresence.objects.get)(user=member)
    assert row.last_seen > timezone.now() - timedelta(seconds=10)
    await page.disconnect()


async def test_scoring_sends_a_count_and_never_who_scored_or_what(meeting: Meeting, member: User) -> None:
    chair = await joined(meeting.chair, meeting.session.pk)
    await database_sync_to_async(session_go_to)(session=meeting.session, item=meeting.item, by=meeting.chair)
    await next_event(chair, "current")
    await next_event(chair, "progress")

    await database_sync_to_async(score)(meeting.item, member, "not_reasonable")
    progress = await next_event(chair, "progress")
    assert progress == {
        "event": "progress",
        "session": meeting.session.pk,
        "item": meeting.item.pk,
        "scored": 1,
        "scorers": 3,  # the member, the second member and the chair; the coordinator does not score
    }
    text = json.dumps(progress)
    for leak in (SECRET, "not_reasonable", str(member), member.email):
        assert leak not in text
    assert await chair.receive_nothing(timeout=0.2)
    await chair.disconnect()


async def test_a_draft_sends_nothing(meeting: Meeting, member: User) -> None:
    page = await joined(meeting.second_member, meeting.session.pk)
    await database_sync_to_async(score)(meeting.item, member, "unclear", submit=False)
    assert await page.receive_nothing(timeout=0.3)
    await page.disconnect()


async def test_the_reveal_sends_the_spread_without_names_and_the_agreed_view_follows(
    meeting: Meeting, member: User
) -> None:
    page = await joined(meeting.second_member, meeting.session.pk)
    await database_sync_to_async(score)(meeting.item, member, "not_reasonable")
    await database_sync_to_async(score)(meeting.item, meeting.chair, "unclear")
    await next_event(page, "progress")
    await next_event(page, "progress")

    await database_sync_to_async(item_reveal)(item=meeting.item, by=meeting.chair)
    revealed = await next_event(page, "revealed")
    assert revealed["spread"]["grounds"] == {"reasonable": 0, "unclear": 1, "not_reasonable": 1}
    assert revealed["spread"]["scored"] == 2
    text = json.dumps(revealed)
    for leak in (SECRET, str(member), member.email, str(meeting.chair)):
        assert leak not in text

    await database_sync_to_async(item_agree)(
        item=meeting.item, grounds="not_reasonable", grade=8, note="Generic grounds.", by=meeting.chair
    )
    agreed = await next_event(page, "agreed")
    assert agreed["agreed"] == {"grounds": "not_reasonable", "grade": 8, "note": "Generic grounds."}
    await page.disconnect()


async def test_a_member_whose_membership_ends_hears_nothing_more(meeting: Meeting, member: User, panel: Panel) -> None:
    page = await joined(member, meeting.session.pk)

    def end_membership() -> None:
        Membership.objects.filter(user=member, panel=panel).update(end_date=timezone.localdate() - timedelta(days=1))

    await database_sync_to_async(end_membership)()
    await database_sync_to_async(session_go_to)(session=meeting.session, item=meeting.item, by=meeting.chair)
    assert await page.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}
    assert not await database_sync_to_async(SessionPresence.objects.filter(user=member).exists)()


async def test_a_member_who_signs_out_hears_nothing_more(meeting: Meeting, member: User) -> None:
    p = await database_sync_to_async(person)(member)
    page = socket(meeting.session.pk, p.cookie)
    assert (await page.connect())[0]
    await page.receive_json_from(timeout=3)
    await database_sync_to_async(p.browser.logout)()
    await database_sync_to_async(session_go_to)(session=meeting.session, item=meeting.item, by=meeting.chair)
    assert await page.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


async def test_a_reconnecting_page_finds_the_meeting_where_it_was(meeting: Meeting, member: User) -> None:
    """State is in the database: a page that drops and comes back (or a restarted server) loses nothing."""
    page = await joined(member, meeting.session.pk)
    await page.disconnect()
    await database_sync_to_async(session_go_to)(session=meeting.session, item=meeting.item, by=meeting.chair)
    again = await joined(member, meeting.session.pk)
    session = await database_sync_to_async(ReviewSession.objects.get)(pk=meeting.session.pk)
    assert session.current_id == meeting.item.pk
    await again.send_json_to({"type": "something else"})
    assert await again.receive_nothing(timeout=0.2)
    await again.disconnect()


async def test_nothing_a_member_hears_before_the_reveal_says_how_anyone_scored(meeting: Meeting, member: User) -> None:
    listener = await joined(meeting.second_member, meeting.session.pk)
    await database_sync_to_async(session_go_to)(session=meeting.session, item=meeting.item, by=meeting.chair)
    await database_sync_to_async(score)(meeting.item, member, "not_reasonable")
    await database_sync_to_async(score)(meeting.item, meeting.chair, "reasonable")
    await database_sync_to_async(score)(meeting.item, member, "unclear", submit=False)  # back to a draft
    heard = []
    while not await listener.receive_nothing(timeout=0.3):
        heard.append(await listener.receive_json_from(timeout=1))
    assert [m["event"] for m in heard] == ["current", "progress", "progress", "progress", "progress"]
    assert [m["scored"] for m in heard[1:]] == [0, 1, 2, 1]
    text = json.dumps(heard)
    for leak in (SECRET, "not_reasonable", "unclear", '"reasonable"', str(member), str(meeting.chair), "grade"):
        assert leak not in text
    await listener.disconnect()
