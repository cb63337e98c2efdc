"""Invitations: the emailed link is the credential, so it must work once, expire, and never be stored in clear."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from panels import services
from panels.models import Invitation, Membership, Panel, User
from panels.permissions import panel_role
from tests.factories import PASSWORD, make_invitation

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "a-long-and-unusual-passphrase-42"


def accept_url(token: str) -> str:
    return "https://scrutiny.example" + reverse("invitation-accept", kwargs={"token": token})


def invite(panel: Panel, by: User, email: str = "invitee@example.org", role: str = "member") -> Any:
    return services.invitation_create(panel=panel, email=email, role=role, by=by, accept_url_for=accept_url)


def token_in_email(body: object) -> str:
    match = re.search(r"https://scrutiny\.example/invitations/([^/\s]+)/", str(body))
    assert match, f"no invitation link in the email:\n{body}"
    return match.group(1)


def counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Membership.objects.count(),
        EmailAddress.objects.count(),
        Invitation.objects.filter(accepted_at__isnull=False).count(),
    )


# --- Creating -------------------------------------------------------------------------------


def test_it_emails_the_invitee_a_link_that_leads_back_to_the_invitation(panel: Panel, coordinator: User) -> None:
    issued = invite(panel, coordinator)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["invitee@example.org"]
    assert panel.name in message.subject
    token = token_in_email(message.body)
    assert token == issued.token
    assert services.invitation_for_token(token) == issued.invitation


def test_it_stores_only_a_hash_of_the_token(panel: Panel, coordinator: User) -> None:
    issued = invite(panel, coordinator)
    token = token_in_email(mail.outbox[0].body)

    for row in Invitation.objects.values():
        for column, value in row.items():
            assert token not in str(value), f"the raw token is stored in Invitation.{column}"
    assert Invitation.objects.get(pk=issued.invitation.pk).token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_it_normalises_the_email_address(panel: Panel, coordinator: User) -> None:
    issued = invite(panel, coordinator, email="  Invitee@Example.ORG ")
    assert Invitation.objects.get(pk=issued.invitation.pk).email == "invitee@example.org"
    assert mail.outbox[0].to == ["invitee@example.org"]


@pytest.mark.parametrize("email", ["not-an-email", "two@@example.org", "someone@", "", "a b@example.org"])
def test_a_malformed_email_is_refused_clearly_and_nothing_is_created_or_sent(
    panel: Panel, coordinator: User, email: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        invite(panel, coordinator, email=email)

    assert "is not a valid email address" in " ".join(caught.value.messages)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_it_refuses_to_invite_someone_already_on_the_panel(panel: Panel, coordinator: User, member: User) -> None:
    with pytest.raises(ValidationError) as caught:
        invite(panel, coordinator, email=member.email.upper())

    assert "already a member" in " ".join(caught.value.messages)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_it_invites_a_former_member_again(panel: Panel, coordinator: User, member: User) -> None:
    services.membership_end(membership=Membership.objects.get(user=member, panel=panel), by=coordinator)
    invite(panel, coordinator, email=member.email)
    assert Invitation.objects.filter(email=member.email).count() == 1


def test_it_refuses_a_second_pending_invitation_to_the_same_address(panel: Panel, coordinator: User) -> None:
    invite(panel, coordinator)
    mail.outbox.clear()

    with pytest.raises(ValidationError) as caught:
        invite(panel, coordinator, email="INVITEE@example.org")

    assert "already has an invitation waiting" in " ".join(caught.value.messages)
    assert Invitation.objects.count() == 1
    assert mail.outbox == []


def test_it_allows_a_new_invitation_once_the_old_one_expired_or_was_withdrawn(panel: Panel, coordinator: User) -> None:
    make_invitation(panel, email="late@example.org", expires_at=timezone.now() - timedelta(minutes=1))
    make_invitation(panel, email="withdrawn@example.org", revoked_at=timezone.now())

    invite(panel, coordinator, email="late@example.org")
    invite(panel, coordinator, email="withdrawn@example.org")

    assert len(mail.outbox) == 2


def test_it_refuses_a_role_that_does_not_exist(panel: Panel, coordinator: User) -> None:
    with pytest.raises(ValidationError, match="not a panel role"):
        invite(panel, coordinator, role="overlord")
    assert not Invitation.objects.exists()
    assert mail.outbox == []


# --- Accepting while signed in ---------------------------------------------------------------


def test_a_signed_in_invitee_joins_with_the_invited_role(panel: Panel, coordinator: User, outsider: User) -> None:
    invitation, token = make_invitation(panel, email=outsider.email, role="observer", invited_by=coordinator)

    membership = services.invitation_accept(token=token, user=outsider)

    assert (membership.user, membership.panel, membership.role) == (outsider, panel, "observer")
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.accepted_by == outsider
    assert panel_role(outsider, panel) == "observer"


def test_a_reused_link_is_refused_and_changes_nothing(panel: Panel, outsider: User) -> None:
    _, token = make_invitation(panel, email=outsider.email)
    services.invitation_accept(token=token, user=outsider)
    before = counts()

    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(token=token, user=outsider)

    assert counts() == before


def test_an_expired_link_is_refused_and_changes_nothing(panel: Panel, outsider: User) -> None:
    invitation, token = make_invitation(panel, email=outsider.email, expires_at=timezone.now() - timedelta(seconds=1))
    before = counts()

    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(token=token, user=outsider)

    assert counts() == before
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_a_withdrawn_link_is_refused_and_changes_nothing(panel: Panel, outsider: User) -> None:
    invitation, token = make_invitation(panel, email=outsider.email)
    services.invitation_revoke(invitation=invitation, by=outsider)
    before = counts()

    with pytest.raises(ValidationError, match="withdrawn"):
        services.invitation_accept(token=token, user=outsider)

    assert counts() == before
    assert panel_role(outsider, panel) is None


def test_a_link_that_was_never_issued_is_refused(panel: Panel, outsider: User) -> None:
    make_invitation(panel, email=outsider.email)
    with pytest.raises(ValidationError, match="not valid"):
        services.invitation_accept(token="made-up-token", user=outsider)
    assert panel_role(outsider, panel) is None


def test_it_refuses_someone_signed_in_with_another_email_and_changes_nothing(panel: Panel, outsider: User) -> None:
    invitation, token = make_invitation(panel, email="someone.else@example.org")
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.invitation_accept(token=token, user=outsider)

    message = " ".join(caught.value.messages)
    assert "someone.else@example.org" in message
    assert outsider.email in message
    assert counts() == before
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"


def test_accepting_when_already_on_the_panel_is_refused_and_leaves_the_invitation_pending(
    panel: Panel, member: User
) -> None:
    invitation, token = make_invitation(panel, email=member.email, role="chair")
    before = counts()

    with pytest.raises(ValidationError, match="already on"):
        services.invitation_accept(token=token, user=member)

    assert counts() == before
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"
    assert panel_role(member, panel) == "member"


# --- Accepting as a new person ---------------------------------------------------------------


def test_a_new_person_gets_a_verified_account_and_the_membership(panel: Panel, coordinator: User) -> None:
    invitation, token = make_invitation(panel, email="new.person@example.org", role="chair", invited_by=coordinator)

    membership = services.invitation_accept_new_user(token=token, password=STRONG_PASSWORD, name="  Nia New  ")

    user = User.objects.get(email="new.person@example.org")
    assert user.name == "Nia New"
    assert user.check_password(STRONG_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("new.person@example.org", True, True)
    assert (membership.user, membership.panel, membership.role) == (user, panel, "chair")
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == user


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("password123", id="common"),
        pytest.param("short", id="too-short"),
        pytest.param("8402957163", id="all-digits"),
        pytest.param("new.person@example.org", id="like-the-email"),
    ],
)
def test_a_weak_password_is_refused_and_nothing_is_created(panel: Panel, password: str) -> None:
    invitation, token = make_invitation(panel, email="new.person@example.org")
    before = counts()

    with pytest.raises(ValidationError):
        services.invitation_accept_new_user(token=token, password=password)

    assert counts() == before
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"


def test_a_new_account_is_refused_when_the_address_already_has_one(panel: Panel, outsider: User) -> None:
    _, token = make_invitation(panel, email=outsider.email)
    before = counts()

    with pytest.raises(ValidationError, match="already exists"):
        services.invitation_accept_new_user(token=token, password=STRONG_PASSWORD)

    assert counts() == before
    outsider.refresh_from_db()
    assert outsider.check_password(PASSWORD)  # the existing account's password is untouched


def test_a_used_link_cannot_create_a_second_account(panel: Panel) -> None:
    _, token = make_invitation(panel, email="new.person@example.org")
    services.invitation_accept_new_user(token=token, password=STRONG_PASSWORD)
    before = counts()

    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept_new_user(token=token, password=STRONG_PASSWORD)

    assert counts() == before


# --- Resending and withdrawing --------------------------------------------------------------


def test_resending_sends_a_new_link_and_the_old_one_stops_working(panel: Panel, coordinator: User) -> None:
    first = invite(panel, coordinator)
    old_token = token_in_email(mail.outbox[0].body)
    Invitation.objects.filter(pk=first.invitation.pk).update(expires_at=timezone.now() + timedelta(hours=1))

    services.invitation_resend(invitation=first.invitation, by=coordinator, accept_url_for=accept_url)

    assert len(mail.outbox) == 2
    new_token = token_in_email(mail.outbox[1].body)
    assert new_token != old_token
    with pytest.raises(ValidationError, match="not valid"):
        services.invitation_for_token(old_token)
    assert services.invitation_for_token(new_token).pk == first.invitation.pk
    assert Invitation.objects.get(pk=first.invitation.pk).expires_at > timezone.now() + timedelta(days=1)


def test_resending_an_expired_invitation_revives_it(panel: Panel, coordinator: User) -> None:
    invitation, _ = make_invitation(panel, expires_at=timezone.now() - timedelta(days=1))

    services.invitation_resend(invitation=invitation, by=coordinator, accept_url_for=accept_url)

    assert Invitation.objects.get(pk=invitation.pk).status == "pending"
    assert services.invitation_for_token(token_in_email(mail.outbox[0].body)).pk == invitation.pk


def test_an_accepted_invitation_cannot_be_resent(panel: Panel, coordinator: User, outsider: User) -> None:
    invitation, token = make_invitation(panel, email=outsider.email)
    services.invitation_accept(token=token, user=outsider)
    invitation.refresh_from_db()
    hash_before = invitation.token_hash

    with pytest.raises(ValidationError, match="accepted"):
        services.invitation_resend(invitation=invitation, by=coordinator, accept_url_for=accept_url)

    assert Invitation.objects.get(pk=invitation.pk).token_hash == hash_before
    assert mail.outbox == []


def test_a_withdrawn_invitation_cannot_be_withdrawn_or_resent_again(panel: Panel, coordinator: User) -> None:
    invitation, _ = make_invitation(panel)
    services.invitation_revoke(invitation=invitation, by=coordinator)
    invitation.refresh_from_db()

    with pytest.raises(ValidationError, match="revoked"):
        services.invitation_revoke(invitation=invitation, by=coordinator)
    with pytest.raises(ValidationError, match="revoked"):
        services.invitation_resend(invitation=invitation, by=coordinator, accept_url_for=accept_url)
    assert mail.outbox == []
