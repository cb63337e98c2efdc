"""WebSocket routes of every app."""

from __future__ import annotations

from panels.routing import websocket_urlpatterns as panels_ws

websocket_urlpatterns = [*panels_ws]
