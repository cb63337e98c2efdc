"""Live progress of an import: the batch page listens on the batch's group while it runs."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from panels.consumers import allowed_now
from scrutiny.records.imports import BatchProgress, batch_group
from scrutiny.records.permissions import get_batch_for_user


def _may_see_batch(user: Any, batch_id: int, session_key: str | None = None) -> bool:
    """Whether the user may follow the batch now; with a session key, also whether they are still signed in
    with it (the scope's user outlives a sign-out on a shared computer)."""
    return allowed_now(user, session_key, lambda u: get_batch_for_user(u, batch_id))


class BatchProgressConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        self.batch_id = int(self.scope["url_route"]["kwargs"]["pk"])
        if not await database_sync_to_async(_may_see_batch)(self.scope.get("user"), self.batch_id):
            await self.close(code=4403)
            return
        self.group = batch_group(self.batch_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The socket only carries progress from the server; anything a client sends is ignored.
        return

    async def batch_progress(self, event: BatchProgress) -> None:
        # Re-check on every event: a coordinator whose role ended while the import ran hears nothing more.
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None) or ""
        if not await database_sync_to_async(_may_see_batch)(self.scope.get("user"), self.batch_id, session_key):
            await self.close(code=4403)
            return
        await self.send_json(dict(event))
