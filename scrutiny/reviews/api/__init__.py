"""The review API: sessions and their samples, a member's own assessments, the chair's steps, findings
(escalations: scrutiny/escalations/api.py; the audit log: scrutiny/audit/api.py), with the same permissions as the
pages (docs/api.md).

Views are thin: reach the object through scrutiny/reviews/permissions.py, call a service or selector, serialise.
A step the service refuses (ReviewError, SpecError) is a 400 with its message; a finding or escalation changed by
someone else since it was read is a 409. Other members' scores are read only through
`selectors.assessments_visible_to`, and nothing an escalation shows to a force names who scored or raised it.
"""

from __future__ import annotations

from typing import Any

from django.urls import path

from scrutiny.reviews.api.findings import FindingDetailApi, FindingListApi, FindingPublishApi
from scrutiny.reviews.api.sessions import (
    ItemAgreeApi,
    ItemAssessmentListApi,
    ItemDetailApi,
    ItemRevealApi,
    MyAssessmentApi,
    SessionAddRecordApi,
    SessionCloseApi,
    SessionDetailApi,
    SessionGoToApi,
    SessionListApi,
    SessionNextApi,
    SessionStatsApi,
)

urlpatterns: list[Any] = [
    path("panels/<slug:slug>/sessions/", SessionListApi.as_view(), name="api-session-list"),
    path("sessions/<int:pk>/", SessionDetailApi.as_view(), name="api-session-detail"),
    path("sessions/<int:pk>/records/", SessionAddRecordApi.as_view(), name="api-session-add-record"),
    path("sessions/<int:pk>/go-to/", SessionGoToApi.as_view(), name="api-session-go-to"),
    path("sessions/<int:pk>/next/", SessionNextApi.as_view(), name="api-session-next"),
    path("sessions/<int:pk>/close/", SessionCloseApi.as_view(), name="api-session-close"),
    path("sessions/<int:pk>/stats/", SessionStatsApi.as_view(), name="api-session-stats"),
    path("session-items/<int:pk>/", ItemDetailApi.as_view(), name="api-item-detail"),
    path("session-items/<int:pk>/assessments/", ItemAssessmentListApi.as_view(), name="api-item-assessments"),
    path("session-items/<int:pk>/my-assessment/", MyAssessmentApi.as_view(), name="api-my-assessment"),
    path("session-items/<int:pk>/reveal/", ItemRevealApi.as_view(), name="api-item-reveal"),
    path("session-items/<int:pk>/agree/", ItemAgreeApi.as_view(), name="api-item-agree"),
    path("panels/<slug:slug>/findings/", FindingListApi.as_view(), name="api-finding-list"),
    path("findings/<int:pk>/", FindingDetailApi.as_view(), name="api-finding-detail"),
    path("findings/<int:pk>/publish/", FindingPublishApi.as_view(), name="api-finding-publish"),
]
