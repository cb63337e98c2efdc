"""WebSocket routes of every app."""

from __future__ import annotations

from panels.routing import websocket_urlpatterns as panels_ws
from scrutiny.routing import websocket_urlpatterns as scrutiny_ws
from surveys.routing import websocket_urlpatterns as surveys_ws

websocket_urlpatterns = [*panels_ws, *scrutiny_ws, *surveys_ws]
