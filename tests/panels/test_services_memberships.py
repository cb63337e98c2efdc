"""Memberships: adding, ending and changing roles keeps one open membership per panel and the whole history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from panels import services
from panels.models import Membership, Panel, User
from panels.permissions import panel_role
from tests.factories import MembershipFactory, PanelFactory, UserFactory


def open_memberships(user: User, panel: Panel) -> list[Membership]:
    return list(Membership.objects.filter(user=user, panel=panel, end_date__isnull=True))


def test_it_adds_a_member_from_today(panel: Panel, coordinator: User, outsider: User) -> None:
    membership = services.membership_add(panel=panel, user=outsider, role=Membership.Role.MEMBER, by=coordinator)

    membership.refresh_from_db()
    assert membership.start_date == timezone.localdate()
    assert membership.end_date is None
    assert membership.created_by == coordinator
    assert panel_role(outsider, panel) == Membership.Role.MEMBER


def test_it_refuses_a_duplicate_open_membership_and_changes_nothing(
    panel: Panel, member: User, coordinator: User
) -> None:
    before = list(Membership.objects.order_by("pk").values_list("pk", "role", "start_date", "end_date"))

    with pytest.raises(ValidationError) as caught:
        services.membership_add(panel=panel, user=member, role=Membership.Role.CHAIR, by=coordinator)

    message = " ".join(caught.value.messages)
    assert member.email in message
    assert "already" in message
    assert list(Membership.objects.order_by("pk").values_list("pk", "role", "start_date", "end_date")) == before


def test_it_allows_the_same_person_on_two_panels(member: User, coordinator: User) -> None:
    other = PanelFactory.create()
    services.membership_add(panel=other, user=member, role=Membership.Role.OBSERVER, by=coordinator)
    assert panel_role(member, other) == Membership.Role.OBSERVER


def test_it_refuses_a_role_that_does_not_exist(panel: Panel, outsider: User, coordinator: User) -> None:
    with pytest.raises(ValidationError, match="not a panel role"):
        services.membership_add(panel=panel, user=outsider, role="king", by=coordinator)
    assert not Membership.objects.filter(user=outsider).exists()


def test_changing_a_role_ends_the_old_membership_and_starts_a_new_one(
    panel: Panel, member: User, coordinator: User
) -> None:
    old = Membership.objects.get(user=member, panel=panel)
    started = old.start_date
    assert started < timezone.localdate()  # the factory's memberships began a month ago

    new = services.membership_change_role(membership=old, role=Membership.Role.CHAIR, by=coordinator)

    old.refresh_from_db()
    today = timezone.localdate()
    assert new.pk != old.pk
    assert (old.role, old.start_date, old.end_date) == (Membership.Role.MEMBER, started, today)
    assert (new.role, new.start_date, new.end_date) == (Membership.Role.CHAIR, today, None)
    assert new.created_by == coordinator
    assert open_memberships(member, panel) == [new]
    assert panel_role(member, panel) == Membership.Role.CHAIR
    assert Membership.objects.filter(user=member, panel=panel).count() == 2


def test_changing_a_role_on_the_day_it_started_corrects_it_in_place(
    panel: Panel, outsider: User, coordinator: User
) -> None:
    added = services.membership_add(panel=panel, user=outsider, role=Membership.Role.MEMBER, by=coordinator)

    corrected = services.membership_change_role(membership=added, role=Membership.Role.OBSERVER, by=coordinator)

    assert corrected.pk == added.pk
    assert Membership.objects.filter(user=outsider, panel=panel).count() == 1
    assert Membership.objects.get(pk=added.pk).role == Membership.Role.OBSERVER


def test_changing_to_the_same_role_changes_nothing(panel: Panel, member: User, coordinator: User) -> None:
    membership = Membership.objects.get(user=member, panel=panel)
    services.membership_change_role(membership=membership, role=Membership.Role.MEMBER, by=coordinator)
    assert Membership.objects.filter(user=member, panel=panel).count() == 1
    assert Membership.objects.get(pk=membership.pk).end_date is None


def test_it_refuses_to_change_the_role_of_an_ended_membership(panel: Panel, member: User, coordinator: User) -> None:
    membership = services.membership_end(membership=Membership.objects.get(user=member, panel=panel), by=coordinator)
    with pytest.raises(ValidationError, match="has ended"):
        services.membership_change_role(membership=membership, role=Membership.Role.CHAIR, by=coordinator)
    assert Membership.objects.filter(user=member, panel=panel).count() == 1


def test_ending_a_membership_keeps_the_row_and_removes_access(panel: Panel, member: User, coordinator: User) -> None:
    membership = Membership.objects.get(user=member, panel=panel)

    services.membership_end(membership=membership, by=coordinator)

    membership.refresh_from_db()
    assert membership.end_date == timezone.localdate()
    assert not membership.is_active
    assert panel_role(member, panel) is None
    assert Membership.objects.filter(user=member, panel=panel).count() == 1


def test_ending_a_membership_twice_is_refused(panel: Panel, member: User, coordinator: User) -> None:
    membership = Membership.objects.get(user=member, panel=panel)
    services.membership_end(membership=membership, by=coordinator)
    first_end = Membership.objects.get(pk=membership.pk).end_date

    with pytest.raises(ValidationError, match="already ended"):
        services.membership_end(membership=membership, by=coordinator, end_date=timezone.localdate() + timedelta(1))
    assert Membership.objects.get(pk=membership.pk).end_date == first_end


def test_a_membership_cannot_end_before_it_starts(panel: Panel, member: User, coordinator: User) -> None:
    membership = Membership.objects.get(user=member, panel=panel)
    with pytest.raises(ValidationError, match="before it starts"):
        services.membership_end(
            membership=membership, by=coordinator, end_date=membership.start_date - timedelta(days=1)
        )
    assert Membership.objects.get(pk=membership.pk).end_date is None


def test_someone_whose_membership_ended_can_be_added_again_and_history_shows_both(
    panel: Panel, member: User, coordinator: User
) -> None:
    services.membership_end(membership=Membership.objects.get(user=member, panel=panel), by=coordinator)

    services.membership_add(panel=panel, user=member, role=Membership.Role.CHAIR, by=coordinator)

    roles = sorted(Membership.objects.filter(user=member, panel=panel).values_list("role", flat=True))
    assert roles == [Membership.Role.CHAIR, Membership.Role.MEMBER]
    assert panel_role(member, panel) == Membership.Role.CHAIR


def test_a_membership_starting_in_the_future_is_not_yet_active(panel: Panel, coordinator: User) -> None:
    later = MembershipFactory.create(
        panel=panel, user=UserFactory.create(), start_date=timezone.localdate() + timedelta(days=3)
    )
    assert panel_role(later.user, panel) is None
    assert not later.is_active
