"""Live results: a survey's results page listens for responses arriving (during an event, say) and reloads its
figures when one does. The socket carries counts only; the figures come from the page itself, over HTTP, with the
same permission check."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from panels.consumers import allowed_now
from surveys.building.permissions import get_survey_for_user
from surveys.responding.live import results_group


def _may_see_results(user: Any, survey_id: int, session_key: str | None = None) -> bool:
    """Whether the user may see the survey's results now; with a session key, also whether they are still signed in
    with it (the scope's user outlives a sign-out on a shared computer)."""
    return allowed_now(user, session_key, lambda u: get_survey_for_user(u, survey_id))


class SurveyResultsConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        self.survey_id = int(self.scope["url_route"]["kwargs"]["pk"])
        if not await database_sync_to_async(_may_see_results)(self.scope.get("user"), self.survey_id):
            await self.close(code=4403)
            return
        self.group = results_group(self.survey_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The socket only carries news from the server; anything a page sends is ignored.
        return

    async def response_added(self, message: dict[str, Any]) -> None:
        # Re-check on every event: someone whose role ended, or who signed out, hears nothing more.
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None) or ""
        if not await database_sync_to_async(_may_see_results)(self.scope.get("user"), self.survey_id, session_key):
            await self.disconnect(4403)
            await self.close(code=4403)
            return
        await self.send_json(dict(message["payload"]))
