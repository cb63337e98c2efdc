"""Joining by invitation, as the people involved would do it in a browser."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone
from playwright.sync_api import Page, expect

from panels.models import Invitation, Membership, User
from tests.e2e.browser import Pages, World, check_accessibility, enter_totp, follow, sign_in, submit, visit
from tests.factories import make_invitation

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a-long-and-unusual-passphrase"
LINK = re.compile(r"https?://\S+/invitations/[^/\s]+/")


def invite(page: Page, world: World, email: str, role: str) -> None:
    """On the panel's members page, fill in and send the invitation form."""
    visit(page, f"/panels/{world.panel.slug}/members/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Role", exact=True).select_option(label=role)
    submit(page, "Send invitation", status=200)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Invitation sent to {email}")


def invitation_link(mailoutbox: list[Any], email: str) -> str:
    sent = [m for m in mailoutbox if email in m.to]
    assert len(sent) == 1, f"expected one invitation email to {email}, found {len(sent)}"
    match = LINK.search(sent[0].body)
    assert match, f"no invitation link in the email:\n{sent[0].body}"
    return match.group(0)


def accept_as_new_person(page: Page, link: str, *, name: str, password: str = NEW_PASSWORD) -> None:
    visit(page, link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Join")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("Confirm your password").fill(password)
    submit(page, "Create account and join")


def test_an_invited_coordinator_joins_enrols_an_authenticator_and_reaches_the_dashboard(
    pages: Pages, world: World, mailoutbox: list[Any]
) -> None:
    coordinator = pages.new()
    sign_in(coordinator, world.coordinator)
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("What needs you today")

    invite(coordinator, world, "nadia@example.org", "Coordinator")
    link = invitation_link(mailoutbox, "nadia@example.org")
    assert link.startswith(f"{pages.base_url}/invitations/"), f"the emailed link points elsewhere: {link}"
    # The coordinator keeps the members page open: it listens for live notifications.
    expect(coordinator.locator("body")).to_have_attribute("data-live-connected", "true")

    invitee = pages.new()
    accept_as_new_person(invitee, link, name="Nadia Newcomer")

    # A coordinator must use an authenticator app before anything else. allauth first asks for the password
    # again (MFA_REAUTHENTICATION_REQUIRED), even though it was set a moment ago.
    assert "/accounts/" in invitee.url, f"expected to be sent to set up two-factor authentication, got {invitee.url}"
    if "/accounts/reauthenticate/" in invitee.url:
        invitee.get_by_label("Password").fill(NEW_PASSWORD)
        submit(invitee, "Confirm")
    assert invitee.url.endswith("/accounts/2fa/totp/activate/"), invitee.url
    # Nothing else opens until then.
    for path in ["/dashboard/", f"/panels/{world.panel.slug}/"]:
        visit(invitee, path)
        assert invitee.url.endswith("/accounts/2fa/totp/activate/"), f"{path} opened without an authenticator"
    secret = invitee.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), f"unexpected secret {secret!r}"
    enter_totp(invitee, secret, button="Activate")

    # allauth shows the recovery codes it generated once the app is set up.
    assert invitee.url.endswith("/accounts/2fa/recovery-codes/"), invitee.url
    codes = invitee.get_by_label("Unused codes").input_value().split()
    assert len(codes) == 10, f"expected the page to show ten new recovery codes, got {codes}"
    assert all(re.fullmatch(r"\d{8}", c) for c in codes), codes

    follow(invitee, "Dashboard", within="header")
    expect(invitee.get_by_role("heading", level=1)).to_have_text("What needs you today")
    expect(invitee.locator("main")).to_contain_text(world.panel.name)
    follow(invitee, world.panel.name, within="main")
    expect(invitee.locator("main")).to_contain_text("Coordinator")

    # The coordinator's open page heard about it without being reloaded.
    live = coordinator.locator("#live-notifications")
    expect(live).to_contain_text(f"Nadia Newcomer joined {world.panel.name} as coordinator.")
    check_accessibility(coordinator)

    nadia = User.objects.get(email="nadia@example.org")
    assert nadia.name == "Nadia Newcomer"
    assert Authenticator.objects.filter(user=nadia, type=Authenticator.Type.TOTP).exists()
    assert Membership.objects.active().get(user=nadia, panel=world.panel).role == Membership.Role.COORDINATOR


def test_an_invited_member_joins_without_being_asked_for_an_authenticator(
    pages: Pages, world: World, mailoutbox: list[Any]
) -> None:
    coordinator = pages.new()
    sign_in(coordinator, world.coordinator)
    invite(coordinator, world, "sam@example.org", "Member")
    link = invitation_link(mailoutbox, "sam@example.org")

    invitee = pages.new()
    accept_as_new_person(invitee, link, name="Sam Member")

    assert invitee.url.endswith(f"/panels/{world.panel.slug}/"), invitee.url
    expect(invitee.locator(".govuk-notification-banner--success")).to_contain_text(
        f"You have joined {world.panel.name}"
    )
    expect(invitee.get_by_role("heading", level=1)).to_have_text(world.panel.name)
    follow(invitee, "Dashboard", within="header")
    expect(invitee.locator("main")).to_contain_text(world.panel.name)
    assert not Authenticator.objects.filter(user__email="sam@example.org").exists()


# --- Bad input -------------------------------------------------------------------------------


def test_a_used_invitation_link_says_so_and_changes_nothing(pages: Pages, world: World) -> None:
    _, token = make_invitation(world.panel, email="sam@example.org", role="member", invited_by=world.coordinator.user)
    link = f"/invitations/{token}/"
    # Sam opens the link; so does someone Sam forwarded the email to, in another browser.
    sam, forwarded = pages.new(), pages.new()
    visit(forwarded, link)
    accept_as_new_person(sam, link, name="Sam Member")
    expect(sam.get_by_role("heading", level=1)).to_have_text(world.panel.name)
    before = _snapshot()

    # The other browser still shows the form; sending it now is refused.
    forwarded.get_by_label("Your name").fill("Someone Else")
    forwarded.get_by_label("Create a password").fill("another-long-passphrase")
    forwarded.get_by_label("Confirm your password").fill("another-long-passphrase")
    submit(forwarded, "Create account and join", status=410)
    expect(forwarded.locator("main")).to_contain_text("This invitation has already been used.")

    # Opening the link again, signed out or signed in, says so too and offers no form.
    visit(forwarded, link, status=410)
    expect(forwarded.locator("main")).to_contain_text("already been used")
    expect(forwarded.locator("input[type=password]")).to_have_count(0)
    visit(sam, link, status=410)
    expect(sam.locator("main")).to_contain_text("already been used")
    expect(sam.get_by_role("button", name="Accept and join")).to_have_count(0)

    assert _snapshot() == before
    assert User.objects.get(email="sam@example.org").name == "Sam Member"


def _snapshot() -> tuple[object, ...]:
    return (
        list(User.objects.values_list("email", "name", "password")),
        list(Membership.objects.values_list("user__email", "panel_id", "role", "end_date")),
        list(Invitation.objects.values_list("email", "accepted_at", "accepted_by")),
    )


def test_an_expired_invitation_link_says_so_and_creates_no_account(pages: Pages, world: World) -> None:
    _, token = make_invitation(
        world.panel,
        email="late@example.org",
        invited_by=world.coordinator.user,
        expires_at=timezone.now() - timedelta(days=1),
    )
    page = pages.new()
    visit(page, f"/invitations/{token}/", status=410)
    expect(page.locator("main")).to_contain_text("expired")
    expect(page.locator("form input[type=password]")).to_have_count(0)
    assert not User.objects.filter(email="late@example.org").exists()


def test_a_malformed_email_in_the_invitation_form_shows_the_error_summary_and_sends_nothing(
    pages: Pages, world: World, mailoutbox: list[Any]
) -> None:
    page = pages.new()
    sign_in(page, world.coordinator)
    visit(page, f"/panels/{world.panel.slug}/members/")
    page.get_by_label("Email address").fill("not-an-email@")
    submit(page, "Send invitation", status=400)

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        "Enter an email address in the right format, like name@example.org"
    )
    # Its link leads to the field. (GOV.UK Frontend also focuses the summary as the page loads, but the form posts
    # to members/#invite, and the jump to that fragment then takes the focus away again, so that is not checked.)
    summary.get_by_role("link").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    expect(page.get_by_label("Email address")).to_have_value("not-an-email@")

    assert mailoutbox == []
    assert not Invitation.objects.exists()
