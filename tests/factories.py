"""factory_boy factories for people and panels, shared by every test package."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from panels.models import ForceArea, Invitation, Meeting, Membership, Organisation, Panel, StaffRole, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def enrol_totp(user: User) -> str:
    """Give the user an authenticator app, as allauth would; returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def force_area(code: str = "E23000006") -> ForceArea:
    return ForceArea.objects.get(code=code)  # loaded by migration from data/census/


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.OPCC
    force_area = factory.LazyFunction(force_area)


class PanelFactory(factory.django.DjangoModelFactory[Panel]):
    class Meta:
        model = Panel

    name = factory.Sequence(lambda n: f"Scrutiny panel {n}")
    slug = factory.Sequence(lambda n: f"panel-{n}")
    kind = Panel.Kind.STOP_SEARCH
    force_area = factory.LazyFunction(force_area)
    terms_of_reference = "We review stop and search records."


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    panel = factory.SubFactory(PanelFactory)
    role = Membership.Role.MEMBER
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class StaffRoleFactory(factory.django.DjangoModelFactory[StaffRole]):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = StaffRole.Role.OPCC_OFFICER


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    panel = factory.SubFactory(PanelFactory)
    title = "Monthly review"
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    agenda = "1. Records"
    minutes = "The panel reviewed ten records."


def make_invitation(
    panel: Panel, email: str = "invitee@example.org", role: str = "member", **extra: Any
) -> tuple[Invitation, str]:
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        panel=panel,
        email=email,
        role=role,
        token_hash=token_hash,
        expires_at=extra.pop("expires_at", timezone.now() + timedelta(days=14)),
        **extra,
    )
    return invitation, token
