"""Sending live notifications over the WebSocket, once the database change that caused them is committed."""

from __future__ import annotations

from typing import TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


class Notification(TypedDict):
    kind: str
    message: str
    url: str


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def notify_user_on_commit(*, user_id: int, payload: Notification) -> None:
    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group(user_id), {"type": "notification.send", "payload": payload})

    transaction.on_commit(send)
