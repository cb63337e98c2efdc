from __future__ import annotations

from django.urls import path

from panels import api

urlpatterns = [
    path("panels/", api.PanelListApi.as_view(), name="api-panel-list"),
    path("panels/<slug:slug>/", api.PanelDetailApi.as_view(), name="api-panel-detail"),
    path("panels/<slug:slug>/memberships/", api.MembershipListApi.as_view(), name="api-membership-list"),
    path("panels/<slug:slug>/memberships/<int:pk>/", api.MembershipDetailApi.as_view(), name="api-membership-detail"),
    path("panels/<slug:slug>/memberships/<int:pk>/end/", api.MembershipEndApi.as_view(), name="api-membership-end"),
    path("panels/<slug:slug>/invitations/", api.InvitationListApi.as_view(), name="api-invitation-list"),
    path(
        "panels/<slug:slug>/invitations/<int:pk>/resend/",
        api.InvitationResendApi.as_view(),
        name="api-invitation-resend",
    ),
    path(
        "panels/<slug:slug>/invitations/<int:pk>/revoke/",
        api.InvitationRevokeApi.as_view(),
        name="api-invitation-revoke",
    ),
    path("invitations/accept/", api.InvitationAcceptApi.as_view(), name="api-invitation-accept"),
    path("panels/<slug:slug>/meetings/", api.MeetingListApi.as_view(), name="api-meeting-list"),
    path("panels/<slug:slug>/meetings/<int:pk>/", api.MeetingDetailApi.as_view(), name="api-meeting-detail"),
    path("panels/<slug:slug>/meetings/<int:pk>/publish/", api.MeetingPublishApi.as_view(), name="api-meeting-publish"),
    path(
        "panels/<slug:slug>/meetings/<int:pk>/attendance/",
        api.MeetingAttendanceApi.as_view(),
        name="api-meeting-attendance",
    ),
]
