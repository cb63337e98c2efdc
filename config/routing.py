"""WebSocket routes of every app."""

from __future__ import annotations

from panels.routing import websocket_urlpatterns as panels_ws
from scrutiny.routing import websocket_urlpatterns as scrutiny_ws

websocket_urlpatterns = [*panels_ws, *scrutiny_ws]
