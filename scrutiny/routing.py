from __future__ import annotations

from django.urls import path

from scrutiny.consumers import BatchProgressConsumer, ReviewSessionConsumer

websocket_urlpatterns = [
    path("ws/batches/<int:pk>/", BatchProgressConsumer.as_asgi()),
    path("ws/sessions/<int:pk>/", ReviewSessionConsumer.as_asgi()),
]
