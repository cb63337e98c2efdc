"""The site's pages. Each area's pages live in their own module under frontend/views/."""

from __future__ import annotations

from frontend.views import account, home, panels, scrutiny

urlpatterns = [
    *home.urlpatterns,
    *account.urlpatterns,
    *panels.urlpatterns,
    *scrutiny.urlpatterns,
]
