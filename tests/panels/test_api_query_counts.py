"""API lists cost the same number of queries at 5 and at 15 rows: no N+1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from panels.models import Meeting, Membership, Panel, User
from tests.factories import MeetingFactory, MembershipFactory, PanelFactory, make_invitation

SIZES = [5, 15]

# Pinned: each includes the session, the user and the two-factor check of the request.
PANEL_LIST = 6
MEMBERSHIP_LIST = 9
INVITATION_LIST = 9
MEETING_LIST = 8
ATTENDANCE_LIST = 9


def fill(panel: Panel, n: int) -> Meeting:
    meeting = MeetingFactory.create(panel=panel)
    for i in range(n):
        user = MembershipFactory.create(panel=panel).user
        meeting.attendance.create(user=user, status="present")
        make_invitation(panel, email=f"invitee{i}@example.org")
        MeetingFactory.create(panel=panel, starts_at=timezone.now() + timedelta(days=i + 1))
    return meeting


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize("n", SIZES)
def test_the_panel_list(member: User, n: int, django_assert_num_queries: Callable) -> None:
    for _ in range(n):
        MembershipFactory.create(panel=PanelFactory.create(), user=member, role=Membership.Role.OBSERVER)
    client = client_for(member)
    with django_assert_num_queries(PANEL_LIST):
        response = client.get(reverse("api-panel-list"))
    assert len(response.json()) == n + 1


@pytest.mark.parametrize("n", SIZES)
def test_the_membership_list(panel: Panel, coordinator: User, n: int, django_assert_num_queries: Callable) -> None:
    fill(panel, n)
    client = client_for(coordinator)
    with django_assert_num_queries(MEMBERSHIP_LIST):
        response = client.get(reverse("api-membership-list", kwargs={"slug": panel.slug}))
    assert len(response.json()) == n + 1


@pytest.mark.parametrize("n", SIZES)
def test_the_invitation_list(panel: Panel, coordinator: User, n: int, django_assert_num_queries: Callable) -> None:
    fill(panel, n)
    client = client_for(coordinator)
    with django_assert_num_queries(INVITATION_LIST):
        response = client.get(reverse("api-invitation-list", kwargs={"slug": panel.slug}))
    assert len(response.json()) == n


@pytest.mark.parametrize("n", SIZES)
def test_the_meeting_list(panel: Panel, member: User, n: int, django_assert_num_queries: Callable) -> None:
    fill(panel, n)
    client = client_for(member)
    with django_assert_num_queries(MEETING_LIST):
        response = client.get(reverse("api-meeting-list", kwargs={"slug": panel.slug}))
    assert len(response.json()) == n + 1


@pytest.mark.parametrize("n", SIZES)
def test_the_attendance_list(panel: Panel, member: User, n: int, django_assert_num_queries: Callable) -> None:
    meeting = fill(panel, n)
    client = client_for(member)
    with django_assert_num_queries(ATTENDANCE_LIST):
        response = client.get(reverse("api-meeting-attendance", kwargs={"slug": panel.slug, "pk": meeting.pk}))
    assert len(response.json()) == n
