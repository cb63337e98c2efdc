"""Every app's API routes under /api/."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("panels.api_urls")),
    path("", include("scrutiny.api_urls")),
    path("", include("surveys.api_urls")),
]
