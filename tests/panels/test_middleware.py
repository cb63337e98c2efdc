"""Two-factor authentication is required for the roles that can see encounter records or escalations.

Such a person who has not enrolled is sent to enrol before anything else (pages), or refused (API). Everyone else
is offered it but never forced.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from panels.models import Membership, Organisation, Panel, StaffRole, User
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, StaffRoleFactory, UserFactory, enrol_totp

ENROL_URL = "/accounts/2fa/totp/activate/"


def coordinator_without_mfa(panel: Panel) -> User:
    return MembershipFactory.create(panel=panel, role=Membership.Role.COORDINATOR).user


def opcc_officer_without_mfa(panel: Panel) -> User:
    opcc = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=panel.force_area)
    return StaffRoleFactory.create(organisation=opcc, role=StaffRole.Role.OPCC_OFFICER).user


def force_liaison_without_mfa(panel: Panel) -> User:
    force = OrganisationFactory.create(kind=Organisation.Kind.FORCE, force_area=panel.force_area, police_uk_id="x")
    return StaffRoleFactory.create(organisation=force, role=StaffRole.Role.FORCE_LIAISON).user


def staff_user_without_mfa(panel: Panel) -> User:
    return UserFactory.create(is_staff=True)


def superuser_without_mfa(panel: Panel) -> User:
    return UserFactory.create(is_staff=True, is_superuser=True)


MUST_ENROL: list[Callable[[Panel], User]] = [
    coordinator_without_mfa,
    opcc_officer_without_mfa,
    force_liaison_without_mfa,
    staff_user_without_mfa,
    superuser_without_mfa,
]
ROLE_IDS = ["coordinator", "opcc-officer", "force-liaison", "staff", "superuser"]


def pages(panel: Panel) -> list[str]:
    return [
        reverse("home"),
        reverse("dashboard"),
        reverse("panel-list"),
        reverse("panel-detail", kwargs={"slug": panel.slug}),
        reverse("panel-members", kwargs={"slug": panel.slug}),
        reverse("account-settings"),
        reverse("self-description"),
        reverse("public-panels"),
        reverse("panel-public", kwargs={"slug": panel.slug}),
    ]


def test_the_enrolment_page_is_where_the_brief_says() -> None:
    assert reverse("mfa_activate_totp") == ENROL_URL


@pytest.mark.parametrize("make_user", MUST_ENROL, ids=ROLE_IDS)
def test_a_role_that_needs_mfa_is_sent_to_enrol_from_every_page(
    client: Client, panel: Panel, make_user: Callable[[Panel], User]
) -> None:
    client.force_login(make_user(panel))
    for url in pages(panel):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == ENROL_URL, url
    # A form posted to a page is stopped too, before it changes anything.
    response = client.post(reverse("api-token"), {"action": "create"})
    assert response["Location"] == ENROL_URL
    assert not Token.objects.exists()


@pytest.mark.parametrize("make_user", MUST_ENROL, ids=ROLE_IDS)
def test_signing_in_leads_a_role_that_needs_mfa_to_the_enrolment_page(
    client: Client, panel: Panel, make_user: Callable[[Panel], User]
) -> None:
    user = make_user(panel)

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)

    assert [url for url, _ in response.redirect_chain][:2] == [reverse("dashboard"), ENROL_URL]
    # allauth asks for the password once more before adding an authenticator (its default); that page is reachable
    # and leads on to the enrolment form, not back round the middleware.
    reauthenticate = response.redirect_chain[-1][0]
    assert reauthenticate.startswith(reverse("account_reauthenticate"))
    response = client.post(reauthenticate, {"password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == ENROL_URL
    assert f'action="{ENROL_URL}"'.encode() in response.content
    assert b'name="code"' in response.content
    assert not Authenticator.objects.filter(user=user).exists()


@pytest.mark.parametrize("make_user", MUST_ENROL, ids=ROLE_IDS)
def test_a_role_that_needs_mfa_gets_a_json_403_from_the_api(
    client: Client, panel: Panel, make_user: Callable[[Panel], User]
) -> None:
    client.force_login(make_user(panel))
    for url in (reverse("api-panel-list"), reverse("api-panel-detail", kwargs={"slug": panel.slug})):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response["Content-Type"] == "application/json"
        assert "two-factor authentication" in response.json()["detail"]


@pytest.mark.parametrize("make_user", MUST_ENROL, ids=ROLE_IDS)
def test_once_enrolled_they_pass(client: Client, panel: Panel, make_user: Callable[[Panel], User]) -> None:
    user = make_user(panel)
    enrol_totp(user)
    client.force_login(user)

    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("account-settings")).status_code == 200
    assert client.get(reverse("api-panel-list")).status_code == 200


@pytest.mark.parametrize("role", [Membership.Role.MEMBER, Membership.Role.CHAIR, Membership.Role.OBSERVER])
def test_a_panel_role_without_access_to_records_is_never_forced(client: Client, panel: Panel, role: str) -> None:
    user = MembershipFactory.create(panel=panel, role=role).user
    client.force_login(user)

    for url in pages(panel):
        response = client.get(url)
        assert response.get("Location") != ENROL_URL, url
        assert response.status_code in (200, 302), url
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("panel-detail", kwargs={"slug": panel.slug})).status_code == 200
    assert client.get(reverse("api-panel-list")).status_code == 200


def test_someone_on_no_panel_is_never_forced(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("api-panel-list")).status_code == 200


def test_a_former_coordinator_is_no_longer_forced(client: Client, panel: Panel) -> None:
    membership = MembershipFactory.create(
        panel=panel, role=Membership.Role.COORDINATOR, start_date=timezone.localdate() - timedelta(days=400)
    )
    membership.end_date = timezone.localdate() - timedelta(days=1)
    membership.save()
    client.force_login(membership.user)
    assert client.get(reverse("dashboard")).status_code == 200


def test_an_ended_staff_role_no_longer_forces(client: Client, panel: Panel) -> None:
    user = opcc_officer_without_mfa(panel)
    StaffRole.objects.filter(user=user).update(
        start_date=timezone.localdate() - timedelta(days=400), end_date=timezone.localdate()
    )
    client.force_login(user)
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_member_promoted_to_coordinator_must_enrol_from_their_next_request(
    client: Client, panel: Panel, member: User, coordinator: User
) -> None:
    client.force_login(member)
    assert client.get(reverse("dashboard")).status_code == 200

    from panels import services

    services.membership_change_role(
        membership=Membership.objects.get(user=member, panel=panel), role=Membership.Role.COORDINATOR, by=coordinator
    )

    assert client.get(reverse("dashboard"))["Location"] == ENROL_URL


def test_an_api_token_does_not_get_round_the_requirement(client: Client, panel: Panel) -> None:
    # A token made while they were a member still belongs to them once they become coordinator.
    user = coordinator_without_mfa(panel)
    token = Token.objects.create(user=user)

    response = client.get(reverse("api-panel-list"), headers={"Authorization": f"Token {token.key}"})

    assert response.status_code == 403
    assert "two-factor authentication" in response.json()["detail"]


def test_an_api_token_of_someone_enrolled_works(client: Client, panel: Panel, coordinator: User) -> None:
    token = Token.objects.create(user=coordinator)
    response = client.get(reverse("api-panel-list"), headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()] == [panel.slug]
