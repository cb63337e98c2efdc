"""Live results: a survey's results page listens for responses arriving (during an event, say) and reloads its
figures when one does. The socket carries counts only; the figures come from the page itself, over HTTP, with the
same permission check."""

from __future__ import annotations

from typing import Any

from panels.consumers import ObjectConsumer
from surveys.building.permissions import get_survey_for_user
from surveys.responding.live import results_group


class SurveyResultsConsumer(ObjectConsumer):
    def reach(self, user: Any) -> object:
        return get_survey_for_user(user, self.pk)

    def group_name(self) -> str:
        return results_group(self.pk)

    async def response_added(self, message: dict[str, Any]) -> None:
        # Re-check on every event: someone whose role ended, or who signed out, hears nothing more.
        if await self.still_allowed_or_close():
            await self.send_json(dict(message["payload"]))
