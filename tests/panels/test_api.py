"""The panels API: scoped to the user, the same rules as the pages, clear 400s, session and token authentication."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from panels.models import Attendance, Invitation, Meeting, Membership, Panel, User
from tests.factories import MeetingFactory, MembershipFactory, PanelFactory, make_invitation


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def signed_in(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def members_url(panel: Panel) -> str:
    return reverse("api-membership-list", kwargs={"slug": panel.slug})


def invitations_url(panel: Panel) -> str:
    return reverse("api-invitation-list", kwargs={"slug": panel.slug})


# --- Authentication -------------------------------------------------------------------------


def test_anonymous_requests_get_401_with_a_challenge(api: APIClient, panel: Panel) -> None:
    for url in (reverse("api-panel-list"), reverse("api-panel-detail", kwargs={"slug": panel.slug})):
        response = api.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Token")


def test_token_authentication_works(api: APIClient, panel: Panel, member: User) -> None:
    token = Token.objects.create(user=member)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.get(reverse("api-panel-list"))

    assert response.status_code == 200
    assert [p["slug"] for p in response.json()] == [panel.slug]


def test_a_wrong_token_is_refused(api: APIClient, member: User) -> None:
    Token.objects.create(user=member)
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert api.get(reverse("api-panel-list")).status_code == 401


def test_a_deleted_token_stops_working(api: APIClient, member: User) -> None:
    token = Token.objects.create(user=member)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(reverse("api-panel-list")).status_code == 200
    token.delete()
    assert api.get(reverse("api-panel-list")).status_code == 401


def test_session_authentication_needs_a_csrf_token_for_writes(panel: Panel, coordinator: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(invitations_url(panel), {"email": "new@example.org", "role": "member"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Invitation.objects.exists()


# --- Scoping --------------------------------------------------------------------------------


def test_the_panel_list_is_scoped_to_the_user(panel: Panel, member: User, outsider: User) -> None:
    PanelFactory.create(name="Somebody else's panel")
    mine = PanelFactory.create(name="A second panel of mine")
    MembershipFactory.create(panel=mine, user=member, role=Membership.Role.OBSERVER)

    assert {p["slug"] for p in signed_in(member).get(reverse("api-panel-list")).json()} == {panel.slug, mine.slug}
    assert signed_in(outsider).get(reverse("api-panel-list")).json() == []


def test_an_outsider_cannot_read_a_panel_its_members_or_meetings(panel: Panel, outsider: User) -> None:
    meeting = MeetingFactory.create(panel=panel)
    client = signed_in(outsider)
    for url in (
        reverse("api-panel-detail", kwargs={"slug": panel.slug}),
        members_url(panel),
        reverse("api-meeting-list", kwargs={"slug": panel.slug}),
        reverse("api-meeting-detail", kwargs={"slug": panel.slug, "pk": meeting.pk}),
        reverse("api-meeting-attendance", kwargs={"slug": panel.slug, "pk": meeting.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert panel.name not in response.content.decode()


def test_an_unknown_panel_is_404_not_403(member: User) -> None:
    response = signed_in(member).get(reverse("api-panel-detail", kwargs={"slug": "no-such-panel"}))
    assert response.status_code == 404


def test_members_see_names_but_only_coordinators_see_email_addresses(
    panel: Panel, member: User, coordinator: User
) -> None:
    as_member = signed_in(member).get(members_url(panel)).json()
    as_coordinator = signed_in(coordinator).get(members_url(panel)).json()

    assert {m["name"] for m in as_member} == {str(member), str(coordinator)}
    assert all("email" not in m for m in as_member)
    assert member.email not in str(as_member)
    assert {m["email"] for m in as_coordinator} == {member.email, coordinator.email}


def test_the_terms_of_reference_come_with_safe_html(panel: Panel, member: User) -> None:
    panel.terms_of_reference = "## Scope\n\n<script>alert(1)</script>[x](javascript:alert(2))"
    panel.save()
    data = signed_in(member).get(reverse("api-panel-detail", kwargs={"slug": panel.slug})).json()
    assert "<h2>Scope</h2>" in data["terms_of_reference_html"]
    assert "<script" not in data["terms_of_reference_html"]
    assert "javascript:" not in data["terms_of_reference_html"]


def test_only_a_coordinator_can_change_a_panel(panel: Panel, member: User, coordinator: User) -> None:
    url = reverse("api-panel-detail", kwargs={"slug": panel.slug})
    assert signed_in(member).patch(url, {"name": "Renamed"}, format="json").status_code == 403
    assert Panel.objects.get(pk=panel.pk).name != "Renamed"

    response = signed_in(coordinator).patch(url, {"name": "Renamed", "slug": "hijacked"}, format="json")

    assert response.status_code == 200
    stored = Panel.objects.get(pk=panel.pk)
    assert stored.name == "Renamed"
    assert stored.slug == panel.slug  # read-only


# --- Invitations ----------------------------------------------------------------------------


def test_a_coordinator_creates_an_invitation_and_the_response_never_contains_the_token(
    panel: Panel, coordinator: User
) -> None:
    response = signed_in(coordinator).post(
        invitations_url(panel), {"email": " New.Person@Example.org ", "role": "observer"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"], body["status"]) == ("new.person@example.org", "observer", "pending")
    [message] = mail.outbox
    match = re.search(r"/invitations/([^/\s]+)/", str(message.body))
    assert match
    token = match.group(1)
    assert token not in response.content.decode()
    assert Invitation.hash_token(token) not in response.content.decode()
    assert not {"token", "token_hash", "url", "link"} & set(body)
    # The invitation's own list does not give it away either.
    assert token not in signed_in(coordinator).get(invitations_url(panel)).content.decode()


def test_a_malformed_email_gets_a_400_with_a_clear_message_and_nothing_is_created(
    panel: Panel, coordinator: User
) -> None:
    response = signed_in(coordinator).post(
        invitations_url(panel), {"email": "not-an-email", "role": "member"}, format="json"
    )

    assert response.status_code == 400
    assert "valid email address" in " ".join(response.json()["email"])
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_inviting_a_current_member_gets_a_400_saying_so(panel: Panel, coordinator: User, member: User) -> None:
    response = signed_in(coordinator).post(
        invitations_url(panel), {"email": member.email, "role": "member"}, format="json"
    )
    assert response.status_code == 400
    assert "already a member" in " ".join(response.json()["detail"])
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_member_cannot_invite(panel: Panel, member: User) -> None:
    response = signed_in(member).post(
        invitations_url(panel), {"email": "friend@example.org", "role": "coordinator"}, format="json"
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_accepting_through_the_api_joins_the_panel_once(panel: Panel, outsider: User) -> None:
    _, token = make_invitation(panel, email=outsider.email, role="member")
    client = signed_in(outsider)

    first = client.post(reverse("api-invitation-accept"), {"token": token}, format="json")
    again = client.post(reverse("api-invitation-accept"), {"token": token}, format="json")

    assert first.status_code == 201
    assert first.json()["role"] == "member"
    assert again.status_code == 400
    assert "already been used" in " ".join(again.json()["detail"])
    assert Membership.objects.filter(user=outsider, panel=panel).count() == 1


def test_accepting_someone_elses_invitation_through_the_api_is_refused(panel: Panel, outsider: User) -> None:
    _, token = make_invitation(panel, email="intended@example.org")
    response = signed_in(outsider).post(reverse("api-invitation-accept"), {"token": token}, format="json")
    assert response.status_code == 400
    assert "intended@example.org" in " ".join(response.json()["detail"])
    assert not Membership.objects.filter(user=outsider).exists()


def test_resend_and_revoke_through_the_api(panel: Panel, coordinator: User) -> None:
    invitation, old_token = make_invitation(panel)
    client = signed_in(coordinator)

    resent = client.post(reverse("api-invitation-resend", kwargs={"slug": panel.slug, "pk": invitation.pk}))
    revoked = client.post(reverse("api-invitation-revoke", kwargs={"slug": panel.slug, "pk": invitation.pk}))
    again = client.post(reverse("api-invitation-revoke", kwargs={"slug": panel.slug, "pk": invitation.pk}))

    assert resent.status_code == 200
    assert len(mail.outbox) == 1
    assert old_token not in str(mail.outbox[0].body)
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert again.status_code == 400


def test_an_invitation_of_another_panel_is_not_found_through_this_one(panel: Panel, coordinator: User) -> None:
    elsewhere, _ = make_invitation(PanelFactory.create())
    url = reverse("api-invitation-revoke", kwargs={"slug": panel.slug, "pk": elsewhere.pk})
    assert signed_in(coordinator).post(url).status_code == 404
    assert Invitation.objects.get(pk=elsewhere.pk).revoked_at is None


# --- Memberships ----------------------------------------------------------------------------


def test_adding_an_existing_account_as_a_member(panel: Panel, coordinator: User, outsider: User) -> None:
    response = signed_in(coordinator).post(
        members_url(panel), {"email": outsider.email.upper(), "role": "observer"}, format="json"
    )
    assert response.status_code == 201
    assert Membership.objects.get(user=outsider, panel=panel).role == "observer"


def test_adding_a_duplicate_membership_gets_a_400_and_changes_nothing(
    panel: Panel, coordinator: User, member: User
) -> None:
    before = list(Membership.objects.values_list("pk", "role", "end_date"))
    response = signed_in(coordinator).post(members_url(panel), {"email": member.email, "role": "chair"}, format="json")
    assert response.status_code == 400
    assert "already on" in " ".join(response.json()["detail"])
    assert list(Membership.objects.values_list("pk", "role", "end_date")) == before


def test_adding_someone_without_an_account_says_to_invite_them(panel: Panel, coordinator: User) -> None:
    response = signed_in(coordinator).post(
        members_url(panel), {"email": "nobody@example.org", "role": "member"}, format="json"
    )
    assert response.status_code == 400
    assert "Invite them instead" in " ".join(response.json()["email"])


def test_a_bad_role_gets_a_400(panel: Panel, coordinator: User, outsider: User) -> None:
    response = signed_in(coordinator).post(members_url(panel), {"email": outsider.email, "role": "boss"}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()
    assert not Membership.objects.filter(user=outsider).exists()


def test_changing_a_role_through_the_api_keeps_history(panel: Panel, coordinator: User, member: User) -> None:
    old = Membership.objects.get(user=member, panel=panel)
    url = reverse("api-membership-detail", kwargs={"slug": panel.slug, "pk": old.pk})

    response = signed_in(coordinator).patch(url, {"role": "chair"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "chair"
    assert body["id"] != old.pk
    assert body["start_date"] == timezone.localdate().isoformat()
    old.refresh_from_db()
    assert (old.role, old.end_date) == ("member", timezone.localdate())
    listed = signed_in(coordinator).get(members_url(panel)).json()
    assert {(m["email"], m["role"]) for m in listed} == {(member.email, "chair"), (coordinator.email, "coordinator")}


def test_ending_a_membership_through_the_api(panel: Panel, coordinator: User, member: User) -> None:
    membership = Membership.objects.get(user=member, panel=panel)
    client = signed_in(coordinator)
    url = reverse("api-membership-end", kwargs={"slug": panel.slug, "pk": membership.pk})

    assert client.post(url).status_code == 200
    again = client.post(url)

    assert again.status_code == 400
    assert "already ended" in " ".join(again.json()["detail"])
    assert member.email not in {m["email"] for m in client.get(members_url(panel)).json()}


def test_a_membership_of_another_panel_cannot_be_changed_through_this_one(panel: Panel, coordinator: User) -> None:
    elsewhere = MembershipFactory.create()
    url = reverse("api-membership-detail", kwargs={"slug": panel.slug, "pk": elsewhere.pk})
    assert signed_in(coordinator).patch(url, {"role": "chair"}, format="json").status_code == 404
    assert Membership.objects.get(pk=elsewhere.pk).role == "member"


# --- Meetings -------------------------------------------------------------------------------


def test_meetings_through_the_api_create_edit_publish(panel: Panel, coordinator: User, member: User) -> None:
    client = signed_in(coordinator)
    starts = (timezone.now() - timedelta(days=1)).replace(microsecond=0)
    created = client.post(
        reverse("api-meeting-list", kwargs={"slug": panel.slug}),
        {"title": "Review", "starts_at": starts.isoformat(), "minutes": "ignored on create"},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert Meeting.objects.get(pk=pk).minutes == ""
    detail = reverse("api-meeting-detail", kwargs={"slug": panel.slug, "pk": pk})
    publish = reverse("api-meeting-publish", kwargs={"slug": panel.slug, "pk": pk})

    early = client.post(publish)
    assert early.status_code == 400
    assert "Write the minutes" in " ".join(early.json()["detail"])

    assert client.patch(detail, {"minutes": "Agreed."}, format="json").status_code == 200
    published = client.post(publish)
    assert published.status_code == 200
    assert published.json()["minutes_status"] == "published"

    locked = client.patch(detail, {"minutes": "Rewritten."}, format="json")
    assert locked.status_code == 400
    assert "can no longer be edited" in " ".join(locked.json()["detail"])
    assert Meeting.objects.get(pk=pk).minutes == "Agreed."

    # A member reads it but may not change it.
    assert signed_in(member).patch(detail, {"title": "Mine now"}, format="json").status_code == 403
    assert Meeting.objects.get(pk=pk).title == "Review"


def test_attendance_through_the_api_only_for_current_members(
    panel: Panel, coordinator: User, member: User, outsider: User
) -> None:
    meeting = MeetingFactory.create(panel=panel)
    url = reverse("api-meeting-attendance", kwargs={"slug": panel.slug, "pk": meeting.pk})
    client = signed_in(coordinator)

    refused = client.put(
        url,
        {"attendance": [{"user": member.pk, "status": "present"}, {"user": outsider.pk, "status": "present"}]},
        format="json",
    )
    assert refused.status_code == 400
    assert "current members" in " ".join(refused.json()["detail"])
    assert not Attendance.objects.exists()

    accepted = client.put(url, {"attendance": [{"user": member.pk, "status": "apologies"}]}, format="json")
    assert accepted.status_code == 200
    assert [(a["user"], a["status"]) for a in accepted.json()] == [(member.pk, "apologies")]


# --- Schema ---------------------------------------------------------------------------------


def test_the_schema_is_valid_openapi_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/panels/{slug}/invitations/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_the_schema_is_served_to_anyone() -> None:
    response = APIClient().get(reverse("api-schema"))
    assert response.status_code == 200
    assert b"openapi" in response.content
