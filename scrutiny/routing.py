from __future__ import annotations

from django.urls import path

from scrutiny.consumers import BatchProgressConsumer

websocket_urlpatterns = [
    path("ws/batches/<int:pk>/", BatchProgressConsumer.as_asgi()),
]
