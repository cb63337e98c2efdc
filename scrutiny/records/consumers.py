"""Live progress of an import: the batch page listens on the batch's group while it runs."""

from __future__ import annotations

from typing import Any

from panels.consumers import ObjectConsumer
from scrutiny.records.imports import BatchProgress, batch_group
from scrutiny.records.permissions import get_batch_for_user


class BatchProgressConsumer(ObjectConsumer):
    def reach(self, user: Any) -> object:
        return get_batch_for_user(user, self.pk)

    def group_name(self) -> str:
        return batch_group(self.pk)

    async def batch_progress(self, event: BatchProgress) -> None:
        # Re-check on every event: a coordinator whose role ended while the import ran hears nothing more.
        if await self.still_allowed_or_close():
            await self.send_json(dict(event))
