"""Live notifications: each signed-in person listens on their own group."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model

from panels.notifications import Notification, user_group


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
        user_id = self.scope["user"].pk
        session_key = self.scope["session"].session_key

        def still_signed_in() -> bool:
            session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
            return bool(
                session.get(SESSION_KEY) == str(user_id)
                and get_user_model().objects.filter(pk=user_id, is_active=True).exists()
            )

        if not await database_sync_to_async(still_signed_in)():
            await self.close(code=4401)
            return
        payload: Notification = event["payload"]
        await self.send_json(payload)
