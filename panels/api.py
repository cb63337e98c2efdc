"""The panels API: the same things the pages do, with the same permissions.

Views are thin: parse, call a service or selector through an access helper, serialise.
Services raise Django's ValidationError; the API's exception handler (common.api) turns it into a 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from panels import selectors, services
from panels.models import Attendance, Invitation, Meeting, Membership, Panel, User
from panels.permissions import (
    get_invitation_on_panel,
    get_meeting_for_user,
    get_membership_on_panel,
    get_panel_access,
    panels_visible_to,
)
from panels.rich_text import render_markdown
from panels.typing import api_user

# --- Serialisers ----------------------------------------------------------------------------


class PanelSerializer(serializers.ModelSerializer[Panel]):
    force_area = serializers.CharField(source="force_area.name", read_only=True)
    force_area_code = serializers.CharField(source="force_area.code", read_only=True)
    terms_of_reference_html = serializers.SerializerMethodField()

    class Meta:
        model = Panel
        fields = [
            "slug",
            "name",
            "kind",
            "force_area",
            "force_area_code",
            "terms_of_reference",
            "terms_of_reference_html",
            "is_public",
        ]
        read_only_fields = ["slug", "kind"]

    def get_terms_of_reference_html(self, panel: Panel) -> str:
        return render_markdown(panel.terms_of_reference)


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "name", "role", "start_date", "end_date"]


class ManagedMembershipSerializer(MembershipSerializer):
    """What a coordinator sees: the member's email address too."""

    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta(MembershipSerializer.Meta):
        fields = [*MembershipSerializer.Meta.fields, "email"]


class MembershipCreateSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(help_text="An existing account's email. To add someone new, invite them.")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class RoleSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "created_at", "expires_at"]
        read_only_fields = ["id", "status", "created_at", "expires_at"]


class InvitationAcceptSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    class Meta:
        model = Meeting
        fields = ["id", "title", "starts_at", "location", "agenda", "minutes", "minutes_status", "minutes_published_at"]
        read_only_fields = ["id", "minutes_status", "minutes_published_at"]


class AttendanceSerializer(serializers.Serializer[Any]):
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.__str__", read_only=True)
    status = serializers.ChoiceField(choices=Attendance.Status.choices)


# --- Panels ---------------------------------------------------------------------------------


class PanelListApi(APIView):
    @extend_schema(responses=PanelSerializer(many=True))
    def get(self, request: Request) -> Response:
        panels = panels_visible_to(request.user).select_related("force_area").order_by("name")
        return Response(PanelSerializer(panels, many=True).data)


class PanelDetailApi(APIView):
    @extend_schema(responses=PanelSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(PanelSerializer(get_panel_access(request.user, slug).panel).data)

    @extend_schema(request=PanelSerializer, responses=PanelSerializer)
    def patch(self, request: Request, slug: str) -> Response:
        panel = get_panel_access(request.user, slug, manage=True).panel
        serializer = PanelSerializer(panel, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)


# --- Memberships ----------------------------------------------------------------------------


class MembershipListApi(APIView):
    @extend_schema(responses=ManagedMembershipSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        access = get_panel_access(request.user, slug)
        serializer = ManagedMembershipSerializer if access.can_manage else MembershipSerializer
        return Response(serializer(selectors.current_members(access.panel), many=True).data)

    @extend_schema(request=MembershipCreateSerializer, responses={201: ManagedMembershipSerializer})
    def post(self, request: Request, slug: str) -> Response:
        access = get_panel_access(request.user, slug, manage=True)
        data = MembershipCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(email__iexact=data.validated_data["email"]).first()
        if user is None:
            raise ValidationError({"email": ["No account has this email address. Invite them instead."]})
        membership = services.membership_add(
            panel=access.panel, user=user, role=data.validated_data["role"], by=api_user(request)
        )
        return Response(ManagedMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetailApi(APIView):
    @extend_schema(request=RoleSerializer, responses=ManagedMembershipSerializer)
    def patch(self, request: Request, slug: str, pk: int) -> Response:
        """Change the role. The old membership ends today and a new one starts, so history is kept."""
        access = get_panel_access(request.user, slug, manage=True)
        data = RoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            membership=get_membership_on_panel(access, pk), role=data.validated_data["role"], by=api_user(request)
        )
        return Response(ManagedMembershipSerializer(membership).data)


class MembershipEndApi(APIView):
    @extend_schema(request=None, responses=ManagedMembershipSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        access = get_panel_access(request.user, slug, manage=True)
        membership = services.membership_end(membership=get_membership_on_panel(access, pk), by=api_user(request))
        return Response(ManagedMembershipSerializer(membership).data)


# --- Invitations ----------------------------------------------------------------------------


def _accept_url_for(request: Request) -> Callable[[str], str]:
    return lambda token: request.build_absolute_uri(reverse("invitation-accept", kwargs={"token": token}))


class InvitationListApi(APIView):
    @extend_schema(responses=InvitationSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        access = get_panel_access(request.user, slug, manage=True)
        return Response(InvitationSerializer(selectors.pending_invitations(access.panel), many=True).data)

    @extend_schema(request=InvitationSerializer, responses={201: InvitationSerializer})
    def post(self, request: Request, slug: str) -> Response:
        """Email an invitation. The link is only in the email, never in the response."""
        access = get_panel_access(request.user, slug, manage=True)
        data = InvitationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.invitation_create(
            panel=access.panel,
            email=data.validated_data["email"],
            role=data.validated_data["role"],
            by=api_user(request),
            accept_url_for=_accept_url_for(request),
        )
        return Response(InvitationSerializer(issued.invitation).data, status=status.HTTP_201_CREATED)


class InvitationResendApi(APIView):
    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        access = get_panel_access(request.user, slug, manage=True)
        issued = services.invitation_resend(
            invitation=get_invitation_on_panel(access, pk),
            by=api_user(request),
            accept_url_for=_accept_url_for(request),
        )
        return Response(InvitationSerializer(issued.invitation).data)


class InvitationRevokeApi(APIView):
    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        access = get_panel_access(request.user, slug, manage=True)
        invitation = services.invitation_revoke(invitation=get_invitation_on_panel(access, pk), by=api_user(request))
        return Response(InvitationSerializer(invitation).data)


class InvitationAcceptApi(APIView):
    @extend_schema(request=InvitationAcceptSerializer, responses={201: MembershipSerializer})
    def post(self, request: Request) -> Response:
        """Accept an invitation sent to your own email address."""
        data = InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = api_user(request)
        membership = services.invitation_accept(token=data.validated_data["token"], user=user)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


# --- Meetings -------------------------------------------------------------------------------


class MeetingListApi(APIView):
    @extend_schema(responses=MeetingSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        access = get_panel_access(request.user, slug)
        meetings = selectors.meetings_for(access.panel, include_drafts=access.can_read_drafts)
        data = MeetingSerializer(meetings, many=True).data
        if not access.can_read_drafts:
            for item in data:
                if item["minutes_status"] != Meeting.MinutesStatus.PUBLISHED:
                    item["minutes"] = ""
        return Response(data)

    @extend_schema(request=MeetingSerializer, responses={201: MeetingSerializer})
    def post(self, request: Request, slug: str) -> Response:
        access = get_panel_access(request.user, slug, run_meetings=True)
        data = MeetingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "minutes"}
        meeting = services.meeting_create(panel=access.panel, by=api_user(request), **fields)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingDetailApi(APIView):
    @extend_schema(responses=MeetingSerializer)
    def get(self, request: Request, slug: str, pk: int) -> Response:
        meeting, access = get_meeting_for_user(request.user, slug, pk)
        data = MeetingSerializer(meeting).data
        if not access.can_read_drafts and meeting.minutes_status != Meeting.MinutesStatus.PUBLISHED:
            data["minutes"] = ""
        return Response(data)

    @extend_schema(request=MeetingSerializer, responses=MeetingSerializer)
    def patch(self, request: Request, slug: str, pk: int) -> Response:
        meeting, _ = get_meeting_for_user(request.user, slug, pk, write=True)
        data = MeetingSerializer(meeting, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_update(meeting=meeting, by=api_user(request), **data.validated_data)
        return Response(MeetingSerializer(meeting).data)


class MeetingPublishApi(APIView):
    @extend_schema(request=None, responses=MeetingSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        meeting, _ = get_meeting_for_user(request.user, slug, pk, write=True)
        meeting = services.meeting_publish_minutes(meeting=meeting, by=api_user(request))
        return Response(MeetingSerializer(meeting).data)


class MeetingAttendanceApi(APIView):
    @extend_schema(responses=AttendanceSerializer(many=True))
    def get(self, request: Request, slug: str, pk: int) -> Response:
        meeting, _ = get_meeting_for_user(request.user, slug, pk)
        return Response(AttendanceSerializer(meeting.attendance.select_related("user"), many=True).data)

    @extend_schema(
        request=inline_serializer("AttendanceUpdate", {"attendance": AttendanceSerializer(many=True)}),
        responses=AttendanceSerializer(many=True),
    )
    def put(self, request: Request, slug: str, pk: int) -> Response:
        meeting, _ = get_meeting_for_user(request.user, slug, pk, write=True)
        payload = request.data.get("attendance", []) if isinstance(request.data, dict) else None
        data = AttendanceSerializer(data=payload, many=True)
        data.is_valid(raise_exception=True)
        statuses = {item["user_id"]: item["status"] for item in data.validated_data}
        services.attendance_record(meeting=meeting, statuses=statuses, by=api_user(request))
        return Response(AttendanceSerializer(meeting.attendance.select_related("user"), many=True).data)
