from __future__ import annotations

from django.urls import path

from surveys.results.consumers import SurveyResultsConsumer

websocket_urlpatterns = [
    path("ws/surveys/<int:pk>/results/", SurveyResultsConsumer.as_asgi()),
]
