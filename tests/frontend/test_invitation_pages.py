"""Inviting someone from the members page, and the invitation link as the invitee meets it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panels import services
from panels.models import Invitation, Membership, Panel, User
from tests.factories import make_invitation
from tests.frontend.helpers import banners, error_summary, page_text

STRONG_PASSWORD = "a-long-and-unusual-passphrase-42"


def members_url(panel: Panel) -> str:
    return reverse("panel-members", kwargs={"slug": panel.slug})


def accept_url(token: str) -> str:
    return reverse("invitation-accept", kwargs={"token": token})


def link_in_email() -> str:
    [message] = mail.outbox
    match = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", str(message.body))
    assert match, message.body
    return match.group(1)


def state() -> tuple[int, int, int, list[tuple[int, object]]]:
    return (
        User.objects.count(),
        Membership.objects.count(),
        EmailAddress.objects.count(),
        list(Invitation.objects.order_by("pk").values_list("pk", "accepted_at")),
    )


# --- Inviting -------------------------------------------------------------------------------


def test_a_coordinator_invites_by_email_and_the_emailed_link_opens_the_invitation(
    client: Client, panel: Panel, coordinator: User
) -> None:
    client.force_login(coordinator)

    response = client.post(members_url(panel), {"email": "new.person@example.org", "role": "member"}, follow=True)

    assert response.redirect_chain[-1][0] == members_url(panel)
    assert "Invitation sent to new.person@example.org" in banners(response)
    assert "new.person@example.org" in page_text(response)  # listed as waiting
    invitee = Client()
    page = invitee.get(link_in_email())
    assert page.status_code == 200
    assert f"Join {panel.name}" in page_text(page)
    assert "new.person@example.org" in page_text(page)


@pytest.mark.parametrize("email", ["not-an-email", "name@", "name@@example.org", "two words@example.org"])
def test_a_malformed_email_gets_the_error_summary_and_nothing_is_sent(
    client: Client, panel: Panel, coordinator: User, email: str
) -> None:
    client.force_login(coordinator)

    response = client.post(members_url(panel), {"email": email, "role": "member"})

    assert response.status_code == 400
    assert "Enter an email address in the right format" in error_summary(response)
    assert 'href="#id_email"' in response.content.decode()  # the summary links to the field
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_missing_email_gets_the_error_summary_and_nothing_is_sent(
    client: Client, panel: Panel, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.post(members_url(panel), {"email": "", "role": "member"})
    assert response.status_code == 400
    assert error_summary(response)
    assert 'href="#id_email"' in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_inviting_a_current_member_says_so_and_nothing_is_sent(
    client: Client, panel: Panel, coordinator: User, member: User
) -> None:
    client.force_login(coordinator)

    response = client.post(members_url(panel), {"email": member.email.upper(), "role": "chair"})

    assert response.status_code == 400
    assert f"{member.email} is already a member of {panel.name}" in error_summary(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    assert Membership.objects.get(user=member, panel=panel).role == "member"


def test_inviting_someone_twice_says_an_invitation_is_waiting(client: Client, panel: Panel, coordinator: User) -> None:
    make_invitation(panel, email="waiting@example.org")
    client.force_login(coordinator)

    response = client.post(members_url(panel), {"email": "waiting@example.org", "role": "member"})

    assert response.status_code == 400
    assert "already has an invitation waiting" in error_summary(response)
    assert Invitation.objects.count() == 1
    assert mail.outbox == []


def test_an_unknown_role_is_refused(client: Client, panel: Panel, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(members_url(panel), {"email": "a@example.org", "role": "emperor"})
    assert response.status_code == 400
    assert error_summary(response)
    assert not Invitation.objects.exists()


def test_a_member_cannot_invite(client: Client, panel: Panel, member: User) -> None:
    client.force_login(member)
    response = client.post(members_url(panel), {"email": "friend@example.org", "role": "coordinator"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_resend_and_withdraw_from_the_members_page(client: Client, panel: Panel, coordinator: User) -> None:
    invitation, old_token = make_invitation(panel, email="waiting@example.org")
    client.force_login(coordinator)
    kwargs = {"slug": panel.slug, "pk": invitation.pk}

    resent = client.post(reverse("invitation-resend", kwargs=kwargs), follow=True)
    assert "A new invitation link was sent to waiting@example.org" in banners(resent)
    assert Client().get(accept_url(old_token)).status_code == 410
    assert Client().get(link_in_email()).status_code == 200

    withdrawn = client.post(reverse("invitation-revoke", kwargs=kwargs), follow=True)
    assert "The invitation to waiting@example.org was withdrawn" in banners(withdrawn)
    again = client.post(reverse("invitation-revoke", kwargs=kwargs), follow=True)
    assert "cannot be withdrawn" in banners(again)
    assert "There is a problem" in page_text(again)


# --- The link: a new person -----------------------------------------------------------------


def test_a_new_person_creates_an_account_joins_and_is_signed_in(client: Client, panel: Panel) -> None:
    _, token = make_invitation(panel, email="new.person@example.org", role="member")

    page = client.get(accept_url(token))
    assert page.status_code == 200
    assert "Create your account" in page_text(page)

    response = client.post(
        accept_url(token), {"name": "Nia New", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == panel.get_absolute_url()
    user = User.objects.get(email="new.person@example.org")
    assert user.name == "Nia New"
    assert client.session[SESSION_KEY] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user, panel=panel).role == "member"
    landing = client.get(response["Location"])
    assert landing.status_code == 200
    assert f"You have joined {panel.name}" in banners(landing)


def test_a_new_coordinator_is_sent_to_set_up_two_factor_authentication(client: Client, panel: Panel) -> None:
    _, token = make_invitation(panel, email="new.coordinator@example.org", role="coordinator")

    response = client.post(accept_url(token), {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}, follow=True)

    chain = [url for url, _ in response.redirect_chain]
    assert chain[:2] == [panel.get_absolute_url(), reverse("mfa_activate_totp")]
    assert Membership.objects.get(user__email="new.coordinator@example.org").role == "coordinator"


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("password123", "password123", "too common"),
        ("short", "short", "too short"),
        ("8402957163518", "8402957163518", "entirely numeric"),
        (STRONG_PASSWORD, STRONG_PASSWORD + "x", "The two passwords do not match"),
        ("", "", "required"),
    ],
)
def test_a_bad_password_gets_the_error_summary_and_nothing_is_created(
    client: Client, panel: Panel, password1: str, password2: str, message: str
) -> None:
    invitation, token = make_invitation(panel, email="new.person@example.org")
    before = state()

    response = client.post(accept_url(token), {"password1": password1, "password2": password2})

    assert response.status_code == 400
    assert message in error_summary(response)
    assert state() == before
    assert SESSION_KEY not in client.session
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"


def test_someone_with_an_account_is_asked_to_sign_in_and_cannot_create_a_second(
    client: Client, panel: Panel, outsider: User
) -> None:
    _, token = make_invitation(panel, email=outsider.email)

    page = client.get(accept_url(token))
    assert "You already have an account" in page_text(page)
    assert f"{reverse('account_login')}?next={accept_url(token)}" in page.content.decode().replace("%2F", "/")

    before = state()
    response = client.post(accept_url(token), {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD})
    assert response.status_code == 400
    assert state() == before


# --- The link: signed in --------------------------------------------------------------------


def test_a_signed_in_invitee_accepts_and_joins(client: Client, panel: Panel, outsider: User) -> None:
    _, token = make_invitation(panel, email=outsider.email, role="observer")
    client.force_login(outsider)

    assert "Accept and join" in page_text(client.get(accept_url(token)))
    response = client.post(accept_url(token))

    assert response["Location"] == panel.get_absolute_url()
    assert Membership.objects.get(user=outsider, panel=panel).role == "observer"


def test_signed_in_as_someone_else_the_invitation_is_refused_and_nothing_changes(
    client: Client, panel: Panel, outsider: User
) -> None:
    _, token = make_invitation(panel, email="intended@example.org")
    client.force_login(outsider)
    before = state()

    response = client.post(accept_url(token))

    assert response.status_code == 400
    assert "This invitation was sent to intended@example.org, but you are signed in as" in banners(response)
    assert state() == before


# --- The link: unusable ---------------------------------------------------------------------


def test_a_used_link_is_gone_with_a_clear_message(client: Client, panel: Panel, outsider: User) -> None:
    _, token = make_invitation(panel, email=outsider.email)
    services.invitation_accept(token=token, user=outsider)
    before = state()

    for response in (client.get(accept_url(token)), client.post(accept_url(token), {"password1": "x"})):
        assert response.status_code == 410
        assert "This invitation has already been used" in page_text(response)
    assert state() == before


def test_an_expired_link_is_gone_with_a_clear_message(client: Client, panel: Panel) -> None:
    _, token = make_invitation(panel, email="late@example.org", expires_at=timezone.now() - timedelta(minutes=1))
    before = state()

    response = client.post(accept_url(token), {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD})

    assert response.status_code == 410
    assert "This invitation has expired" in page_text(response)
    assert state() == before
    assert not User.objects.filter(email="late@example.org").exists()


def test_a_withdrawn_link_is_gone_with_a_clear_message(client: Client, panel: Panel) -> None:
    _, token = make_invitation(panel, revoked_at=timezone.now())
    response = client.get(accept_url(token))
    assert response.status_code == 410
    assert "This invitation was withdrawn" in page_text(response)


def test_a_made_up_link_is_gone_with_a_clear_message(client: Client, db: None) -> None:
    response = client.get(accept_url("not-a-real-token"))
    assert response.status_code == 410
    assert "This invitation link is not valid" in page_text(response)
