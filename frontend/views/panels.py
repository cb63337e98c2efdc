"""Panel pages: overview, settings, members and invitations, meetings and minutes, public pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from frontend.forms import (
    InvitationForm,
    MeetingForm,
    MembershipRoleForm,
    MinutesForm,
    PanelSettingsForm,
    attendance_form,
    form_page,
)
from panels import selectors, services
from panels.models import Attendance, Membership
from panels.permissions import (
    get_invitation_on_panel,
    get_meeting_for_user,
    get_membership_on_panel,
    get_panel_access,
    get_public_panel,
    panels_visible_to,
)
from panels.typing import AuthenticatedHttpRequest
from scrutiny.reviews import selectors as scrutiny_public
from surveys.loop.selectors import public_recommendations


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def invitation_url_builder(request: HttpRequest) -> Any:
    return lambda token: request.build_absolute_uri(reverse("invitation-accept", kwargs={"token": token}))


@login_required
def panel_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    panels = panels_visible_to(request.user).select_related("force_area").order_by("name")
    roles = dict(Membership.objects.active().filter(user=request.user).values_list("panel_id", "role"))
    rows = [(p, Membership.Role(roles[p.pk]).label if p.pk in roles else "OPCC oversight") for p in panels]
    return render(request, "frontend/panels/list.html", {"rows": rows})


@login_required
def panel_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_panel_access(request.user, slug)
    panel = access.panel
    return render(
        request,
        "frontend/panels/detail.html",
        {
            "panel": panel,
            "access": access,
            "member_count": selectors.current_members(panel).count(),
            "meetings": selectors.meetings_for(panel, include_drafts=access.can_read_drafts)[:5],
            "make_up": selectors.panel_make_up(panel),
        },
    )


@login_required
def panel_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_panel_access(request.user, slug, manage=True)
    form = PanelSettingsForm(request.POST or None, instance=access.panel)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Panel settings saved.")
        return redirect(access.panel)
    return form_page(
        request,
        "frontend/panels/edit.html",
        {"panel": access.panel, "form": form},
        form,
    )


@login_required
def panel_members(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_panel_access(request.user, slug)
    panel = access.panel
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not access.can_manage:
            get_panel_access(request.user, slug, manage=True)  # raises the refusal with its message
        if form.is_valid():
            try:
                issued = services.invitation_create(
                    panel=panel,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    by=request.user,
                    accept_url_for=invitation_url_builder(request),
                )
            except ValidationError as exc:
                form.add_error("email", _errors(exc))
            else:
                messages.success(request, f"Invitation sent to {issued.invitation.email}.")
                return redirect("panel-members", slug=slug)
    context: dict[str, Any] = {
        "panel": panel,
        "access": access,
        "members": selectors.current_members(panel),
        "form": form,
        "role_form": MembershipRoleForm(),
    }
    if access.can_manage:
        context["invitations"] = selectors.pending_invitations(panel)
        context["history"] = selectors.membership_history(panel)
    return form_page(request, "frontend/panels/members.html", context, form)


@login_required
@require_POST
def membership_change(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_panel_access(request.user, slug, manage=True)
    membership = get_membership_on_panel(access, pk)
    try:
        if request.POST.get("action") == "end":
            services.membership_end(membership=membership, by=request.user)
            messages.success(request, f"{membership.user} is no longer on the panel.")
        else:
            form = MembershipRoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Choose a role from the list.")
            services.membership_change_role(membership=membership, role=form.cleaned_data["role"], by=request.user)
            messages.success(request, f"{membership.user}'s role is now {form.cleaned_data['role']}.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("panel-members", slug=slug)


@login_required
@require_POST
def invitation_resend(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_panel_access(request.user, slug, manage=True)
    try:
        issued = services.invitation_resend(
            invitation=get_invitation_on_panel(access, pk),
            by=request.user,
            accept_url_for=invitation_url_builder(request),
        )
        messages.success(request, f"A new invitation link was sent to {issued.invitation.email}.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("panel-members", slug=slug)


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_panel_access(request.user, slug, manage=True)
    try:
        invitation = services.invitation_revoke(invitation=get_invitation_on_panel(access, pk), by=request.user)
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("panel-members", slug=slug)


# --- Meetings -------------------------------------------------------------------------------


@login_required
def meeting_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_panel_access(request.user, slug)
    meetings = selectors.meetings_for(access.panel, include_drafts=access.can_read_drafts)
    return render(
        request, "frontend/meetings/list.html", {"panel": access.panel, "access": access, "meetings": meetings}
    )


@login_required
def meeting_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_panel_access(request.user, slug, run_meetings=True)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_create(panel=access.panel, by=request.user, **form.cleaned_data)
        messages.success(request, "Meeting added.")
        return redirect(meeting)
    return form_page(
        request,
        "frontend/meetings/form.html",
        {"panel": access.panel, "form": form, "heading": "Add a meeting"},
        form,
    )


@login_required
def meeting_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting, access = get_meeting_for_user(request.user, slug, pk)
    if not access.can_read_drafts and meeting.minutes_status != meeting.MinutesStatus.PUBLISHED:
        minutes_visible = False
    else:
        minutes_visible = True
    attendance = meeting.attendance.select_related("user").order_by("user__email")
    return render(
        request,
        "frontend/meetings/detail.html",
        {
            "panel": access.panel,
            "access": access,
            "meeting": meeting,
            "minutes_visible": minutes_visible,
            "attendance": attendance,
        },
    )


@login_required
def meeting_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting, access = get_meeting_for_user(request.user, slug, pk, write=True)
    members = list(selectors.current_members(access.panel))
    current = dict(meeting.attendance.values_list("user_id", "status"))
    data = request.POST or None
    details = MeetingForm(data, prefix="meeting", initial=_meeting_initial(meeting))
    minutes = MinutesForm(data, prefix="minutes", initial={"minutes": meeting.minutes})
    attendance = attendance_form(members, current)(data, prefix="attendance")
    published = meeting.minutes_status == meeting.MinutesStatus.PUBLISHED
    if request.method == "POST" and details.is_valid() and minutes.is_valid() and attendance.is_valid():
        fields = dict(details.cleaned_data)
        if not published:
            fields["minutes"] = minutes.cleaned_data["minutes"]
        statuses = {
            int(name.removeprefix("attendance_")): value
            for name, value in attendance.cleaned_data.items()
            if value in Attendance.Status.values
        }
        try:
            services.meeting_update(meeting=meeting, by=request.user, **fields)
            services.attendance_record(meeting=meeting, statuses=statuses, by=request.user)
        except ValidationError as exc:
            details.add_error(None, _errors(exc))
        else:
            messages.success(request, "Meeting saved.")
            return redirect(meeting)
    return render(
        request,
        "frontend/meetings/edit.html",
        {
            "panel": access.panel,
            "meeting": meeting,
            "details": details,
            "minutes": minutes,
            "attendance": attendance,
            "published": published,
        },
        status=400 if request.method == "POST" else 200,
    )


def _meeting_initial(meeting: Any) -> dict[str, Any]:
    return {
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "location": meeting.location,
        "agenda": meeting.agenda,
    }


@login_required
@require_POST
def meeting_publish(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting, _ = get_meeting_for_user(request.user, slug, pk, write=True)
    try:
        services.meeting_publish_minutes(meeting=meeting, by=request.user)
        messages.success(request, "Minutes published.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(meeting)


# --- Public pages ---------------------------------------------------------------------------


def public_panels(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/public/list.html", {"panels": selectors.public_panels()})


def panel_public(request: HttpRequest, slug: str) -> HttpResponse:
    panel = get_public_panel(slug)
    return render(
        request,
        "frontend/public/panel.html",
        {
            "panel": panel,
            "meetings": selectors.published_meetings(panel),
            "make_up": selectors.panel_make_up(panel),
            # Published findings and review session minutes: anonymised (no names, no scores).
            "findings": scrutiny_public.public_findings(panel),
            "session_minutes": scrutiny_public.public_session_minutes(panel),
            # Published recommendations to the PCC with the response and progress ("you said, we did"): no names.
            "recommendations": public_recommendations(panel),
        },
    )


def meeting_public(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    panel = get_public_panel(slug)
    meeting = selectors.published_meetings(panel).filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such published minutes.")
    return render(request, "frontend/public/meeting.html", {"panel": panel, "meeting": meeting})


urlpatterns = [
    path("panels/", panel_list, name="panel-list"),
    path("panels/<slug:slug>/", panel_detail, name="panel-detail"),
    path("panels/<slug:slug>/edit/", panel_edit, name="panel-edit"),
    path("panels/<slug:slug>/members/", panel_members, name="panel-members"),
    path("panels/<slug:slug>/members/<int:pk>/", membership_change, name="membership-change"),
    path("panels/<slug:slug>/invitations/<int:pk>/resend/", invitation_resend, name="invitation-resend"),
    path("panels/<slug:slug>/invitations/<int:pk>/revoke/", invitation_revoke, name="invitation-revoke"),
    path("panels/<slug:slug>/meetings/", meeting_list, name="meeting-list"),
    path("panels/<slug:slug>/meetings/new/", meeting_create, name="meeting-create"),
    path("panels/<slug:slug>/meetings/<int:pk>/", meeting_detail, name="meeting-detail"),
    path("panels/<slug:slug>/meetings/<int:pk>/edit/", meeting_edit, name="meeting-edit"),
    path("panels/<slug:slug>/meetings/<int:pk>/publish/", meeting_publish, name="meeting-publish"),
    path("public/panels/", public_panels, name="public-panels"),
    path("public/panels/<slug:slug>/", panel_public, name="panel-public"),
    path("public/panels/<slug:slug>/meetings/<int:pk>/", meeting_public, name="meeting-public"),
]
