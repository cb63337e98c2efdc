"""The scrutiny app's API routes, gathered from its sub-domains (docs/api.md)."""

from __future__ import annotations

from typing import Any

from scrutiny.audit import api as audit_api
from scrutiny.disproportionality import api as disproportionality_api
from scrutiny.escalations import api as escalations_api
from scrutiny.records import api as records_api
from scrutiny.reviews import api as reviews_api
from scrutiny.sync import api as sync_api

urlpatterns: list[Any] = [
    *records_api.urlpatterns,
    *reviews_api.urlpatterns,
    *escalations_api.urlpatterns,
    *audit_api.urlpatterns,
    *disproportionality_api.urlpatterns,
    *sync_api.urlpatterns,
]
