"""The site's pages. Each area's pages live in their own module under frontend/views/."""

from __future__ import annotations

from frontend.views import home, panels

urlpatterns = [
    *home.urlpatterns,
    *panels.urlpatterns,
]
