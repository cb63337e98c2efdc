"""The live review session: presence, scoring progress, reveals and agreed views on the session page."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.utils import timezone

from panels.consumers import ObjectConsumer
from scrutiny.reviews.models import ReviewSession, SessionPresence
from scrutiny.reviews.permissions import get_session_for_user
from scrutiny.reviews.selectors import PRESENCE_STALE_AFTER, present_members
from scrutiny.reviews.services import SessionEvent, session_group


def _arrive(user: Any, session_id: int, channel_name: str) -> SessionEvent:
    SessionPresence.objects.update_or_create(
        channel_name=channel_name, defaults={"session_id": session_id, "user": user, "last_seen": timezone.now()}
    )
    return _presence(session_id)


def _heartbeat(user: Any, session_id: int, channel_name: str) -> bool:
    """Refresh this connection's presence; True if it had gone stale or missing (others should hear)."""
    row = SessionPresence.objects.filter(channel_name=channel_name).first()
    now = timezone.now()
    if row is None:
        SessionPresence.objects.create(session_id=session_id, user=user, channel_name=channel_name, last_seen=now)
        return True
    stale = row.last_seen < now - PRESENCE_STALE_AFTER
    SessionPresence.objects.filter(pk=row.pk).update(last_seen=now)
    return stale


def _leave(session_id: int, channel_name: str) -> SessionEvent:
    SessionPresence.objects.filter(channel_name=channel_name).delete()
    return _presence(session_id)


def _presence(session_id: int) -> SessionEvent:
    session = ReviewSession(pk=session_id)
    return {"event": "presence", "session": session_id, "present": present_members(session)}


class ReviewSessionConsumer(ObjectConsumer):
    """The live meeting: who is on the page, how many have scored, reveals, agreed views, the current record.

    State lives in the database (reviews/services.py); the socket only carries events, which never say who scored
    what. The page sends {"type": "heartbeat"} every 30 s; a connection that stops sending goes stale and drops out
    of the presence list (reviews/selectors.PRESENCE_STALE_AFTER), so a crashed server leaves no ghosts.
    """

    def reach(self, user: Any) -> object:
        return get_session_for_user(user, self.pk)

    def group_name(self) -> str:
        return session_group(self.pk)

    async def connect(self) -> None:
        await super().connect()
        if self.group:
            await self._broadcast(
                await database_sync_to_async(_arrive)(self.scope.get("user"), self.pk, self.channel_name)
            )

    async def disconnect(self, code: int) -> None:
        if not self.group:
            return
        await super().disconnect(code)
        await self._broadcast(await database_sync_to_async(_leave)(self.pk, self.channel_name))

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The only message a page sends is its heartbeat; everything the meeting does goes through the pages' POSTs.
        if not isinstance(content, dict) or content.get("type") != "heartbeat" or not self.group:
            return
        if not await self.still_allowed_or_close():
            return
        if await database_sync_to_async(_heartbeat)(self.scope["user"], self.pk, self.channel_name):
            await self._broadcast(await database_sync_to_async(_presence)(self.pk))

    async def session_event(self, message: dict[str, Any]) -> None:
        # Re-check on every event: a member whose membership ended, or who signed out, hears nothing more.
        if self.group and await self.still_allowed_or_close():
            await self.send_json(dict(message["payload"]))

    async def _broadcast(self, event: SessionEvent) -> None:
        await self.channel_layer.group_send(session_group(self.pk), {"type": "session.event", "payload": event})
