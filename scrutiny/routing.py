from __future__ import annotations

from django.urls import path

from scrutiny.records.consumers import BatchProgressConsumer
from scrutiny.reviews.consumers import ReviewSessionConsumer

websocket_urlpatterns = [
    path("ws/batches/<int:pk>/", BatchProgressConsumer.as_asgi()),
    path("ws/sessions/<int:pk>/", ReviewSessionConsumer.as_asgi()),
]
