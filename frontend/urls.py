"""The site's pages. Each area's pages live in their own module under frontend/views/."""

from __future__ import annotations

from frontend.views import (
    account,
    audit,
    coverage,
    escalations,
    findings,
    home,
    panels,
    public_area,
    reporting,
    reviews,
    scrutiny,
)
from frontend.views import national as national_pages
from frontend.views import pack as pack_pages
from frontend.views import survey_answering as survey_answering_pages
from frontend.views import survey_loop as survey_loop_pages
from frontend.views import survey_results as survey_results_pages
from frontend.views import surveys as survey_pages

urlpatterns = [
    *home.urlpatterns,
    *account.urlpatterns,
    *panels.urlpatterns,
    *scrutiny.urlpatterns,
    *reviews.urlpatterns,
    *findings.urlpatterns,
    *escalations.urlpatterns,
    *pack_pages.urlpatterns,
    *audit.urlpatterns,
    *survey_pages.urlpatterns,
    *survey_answering_pages.urlpatterns,
    *survey_results_pages.urlpatterns,
    *survey_loop_pages.urlpatterns,
    *reporting.urlpatterns,
    *public_area.urlpatterns,
    *national_pages.urlpatterns,
    *coverage.urlpatterns,
]
