from __future__ import annotations

from django.urls import path

from scrutiny import api, api_reports, api_reviews
from scrutiny.sync import api as sync_api

urlpatterns = [
    path("forces/<slug:police_uk_id>/batches/", api.BatchCreateApi.as_view(), name="api-batch-create"),
    path("batches/", api.BatchListApi.as_view(), name="api-batch-list"),
    path("batches/<int:pk>/", api.BatchDetailApi.as_view(), name="api-batch-detail"),
    path("batches/<int:pk>/rejected/", api.RejectedRowListApi.as_view(), name="api-rejected-row-list"),
    path("batches/<int:pk>/rejected.csv", api.RejectedRowCsvApi.as_view(), name="api-rejected-row-csv"),
    path("rejected/<int:pk>/correct/", api.RejectedRowCorrectApi.as_view(), name="api-rejected-row-correct"),
    path("records/", api.RecordListApi.as_view(), name="api-record-list"),
    path("records/<int:pk>/", api.RecordDetailApi.as_view(), name="api-record-detail"),
    path("records/<int:pk>/redaction-check/", api.RecordRedactionCheckApi.as_view(), name="api-record-redaction-check"),
    *api_reviews.urlpatterns,
    path(
        "v1/reports/disproportionality",
        api_reports.DisproportionalityReportApi.as_view(),
        name="api-report-disproportionality",
    ),
    path("v1/reports/national", api_reports.NationalReportApi.as_view(), name="api-report-national"),
    path("v1/coverage/", sync_api.CoverageApi.as_view(), name="api-coverage"),
    path("v1/coverage/<slug:police_uk_id>/", sync_api.CoverageForceApi.as_view(), name="api-coverage-force"),
]
