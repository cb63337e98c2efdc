"""Live notifications: each signed-in person listens on their own group."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404

from panels.notifications import Notification, user_group


def current_user(user: Any, session_key: str | None = None) -> Any:
    """The socket's user as they are now, or None: anonymous, deactivated, or (given the session key) no longer
    signed in with that session. The scope's user outlives a sign-out on a shared computer, so consumers re-check
    with this on every event. Synchronous: call through database_sync_to_async."""
    if user is None or not user.is_authenticated:
        return None
    if session_key is not None:
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        if store.get(SESSION_KEY) != str(user.pk):
            return None
    return get_user_model().objects.filter(pk=user.pk, is_active=True).first()


def allowed_now(user: Any, session_key: str | None, reach: Callable[[Any], object]) -> bool:
    """Whether `current_user` may still reach the object: `reach` is the object's access helper (404/403 = no)."""
    fresh = current_user(user, session_key)
    if fresh is None:
        return False
    try:
        reach(fresh)
    except (Http404, PermissionDenied):
        return False
    return True


class ObjectConsumer(AsyncJsonWebsocketConsumer):
    """A socket on one object's group (a batch, a review session, a survey's results; its pk in the URL): refused
    in `connect` when the user may not reach the object, and closed with 4403 at any later event once they may not
    (signed out, deactivated, role ended). Subclasses give the object's access helper (`reach`) and its group."""

    group: str | None = None
    pk: int

    def reach(self, user: Any) -> object:
        """The object through its access helper, for `user` (Http404 or PermissionDenied when they may not)."""
        raise NotImplementedError

    def group_name(self) -> str:
        raise NotImplementedError

    async def connect(self) -> None:
        self.pk = int(self.scope["url_route"]["kwargs"]["pk"])
        if not await database_sync_to_async(allowed_now)(self.scope.get("user"), None, self.reach):
            await self.close(code=4403)
            return
        self.group = self.group_name()
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The socket only carries events from the server; anything a page sends is ignored.
        return

    async def still_allowed_or_close(self) -> bool:
        """Re-check, at an event, that the user may still reach the object with the session they connected with;
        when not, leave (`disconnect`) and close with 4403, and say False."""
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None) or ""
        if await database_sync_to_async(allowed_now)(self.scope.get("user"), session_key, self.reach):
            return True
        await self.disconnect(4403)
        await self.close(code=4403)
        return False


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The socket only carries events from the server; anything a client sends is ignored.
        return

    async def notification_send(self, event: dict[str, Any]) -> None:
        # Re-check on every event, not only on connect: once the person signs out (a shared tablet at an event)
        # or their account is deactivated, the socket they left open must hear nothing more.
        session_key = self.scope["session"].session_key or ""
        if await database_sync_to_async(current_user)(self.scope["user"], session_key) is None:
            await self.close(code=4401)
            return
        payload: Notification = event["payload"]
        await self.send_json(payload)
