"""List pages cost the same number of queries whatever the size of the panel: no N+1.

Each page is pinned at two sizes (5 and 15 of everything it lists) to the same number. If a pin has to move, it
must move for both sizes together; if only the larger one moves, a query runs per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panels.models import Membership, Organisation, Panel, SelfDescription, StaffRole, User
from tests.factories import (
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PanelFactory,
    StaffRoleFactory,
    UserFactory,
    enrol_totp,
    make_invitation,
)

SIZES = [5, 15]


@dataclass
class Scene:
    panel: Panel
    coordinator: User
    member: User


def fill_panel(panel: Panel, n: int) -> None:
    """n current members who describe themselves, n former members, n waiting invitations, n meetings of each kind."""
    now = timezone.now()
    for i in range(n):
        user = MembershipFactory.create(panel=panel, role=[Membership.Role.MEMBER, Membership.Role.CHAIR][i % 2]).user
        SelfDescription.objects.create(user=user, ethnic_group=str(i % 19 + 1), sex="female", consented_at=now)
        former = MembershipFactory.create(panel=panel, start_date=timezone.localdate() - timedelta(days=90))
        former.end_date = timezone.localdate() - timedelta(days=10)
        former.save()
        make_invitation(panel, email=f"invitee{i}@example.org")
        upcoming = MeetingFactory.create(panel=panel, starts_at=now + timedelta(days=i + 1))
        MeetingFactory.create(panel=panel, starts_at=now - timedelta(days=i + 1))
        published = MeetingFactory.create(panel=panel, starts_at=now - timedelta(days=100 + i))
        published.publish_minutes()
        upcoming.attendance.create(user=user, status="present")


@pytest.fixture
def scene(db: None) -> Callable[[int], Scene]:
    def build(n: int) -> Scene:
        panel = PanelFactory.create(is_public=True)
        coordinator = MembershipFactory.create(panel=panel, role=Membership.Role.COORDINATOR).user
        enrol_totp(coordinator)
        member = MembershipFactory.create(panel=panel, role=Membership.Role.MEMBER).user
        fill_panel(panel, n)
        return Scene(panel, coordinator, member)

    return build


def coordinator_of_many(n: int) -> User:
    """A coordinator of n panels, each with members, meetings to publish and invitations waiting."""
    user = UserFactory.create()
    enrol_totp(user)
    for _ in range(n):
        panel = PanelFactory.create()
        MembershipFactory.create(panel=panel, user=user, role=Membership.Role.COORDINATOR)
        fill_panel(panel, 2)
    return user


def opcc_officer_over(n: int) -> User:
    area_panels = [PanelFactory.create() for _ in range(n)]
    for panel in area_panels:
        fill_panel(panel, 1)
    opcc = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=area_panels[0].force_area)
    user = StaffRoleFactory.create(organisation=opcc, role=StaffRole.Role.OPCC_OFFICER).user
    enrol_totp(user)
    return user


# The pinned counts. Each includes the per-request cost of the session, the user and the two-factor check.
MEMBERS_PAGE_FOR_COORDINATOR = 11
MEMBERS_PAGE_FOR_MEMBER = 8
DASHBOARD_FOR_COORDINATOR = 11  # + whether a force of their area has reports to link
DASHBOARD_FOR_OPCC_OFFICER = 9  # + the same
PANEL_LIST = 8
PANEL_PAGE = 10
MEETING_LIST = 8
PUBLIC_PANEL_PAGE = 6  # the panel, its members, published minutes, published findings, session minutes,
# published recommendations (their updates in one more query when there are any)
MEETING_EDIT_PAGE = 12


@pytest.mark.parametrize("n", SIZES)
def test_the_members_page_for_a_coordinator(
    client: Client, scene: Callable[[int], Scene], n: int, django_assert_num_queries: Callable
) -> None:
    s = scene(n)
    client.force_login(s.coordinator)
    with django_assert_num_queries(MEMBERS_PAGE_FOR_COORDINATOR):
        response = client.get(reverse("panel-members", kwargs={"slug": s.panel.slug}))
    assert response.status_code == 200
    assert response.content.decode().count("End membership<span") == n + 2  # really lists them all


@pytest.mark.parametrize("n", SIZES)
def test_the_members_page_for_a_member(
    client: Client, scene: Callable[[int], Scene], n: int, django_assert_num_queries: Callable
) -> None:
    s = scene(n)
    client.force_login(s.member)
    with django_assert_num_queries(MEMBERS_PAGE_FOR_MEMBER):
        response = client.get(reverse("panel-members", kwargs={"slug": s.panel.slug}))
    assert response.status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_dashboard_of_a_coordinator_of_many_panels(
    client: Client, db: None, n: int, django_assert_num_queries: Callable
) -> None:
    client.force_login(coordinator_of_many(n))
    with django_assert_num_queries(DASHBOARD_FOR_COORDINATOR):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.content.decode().count('<strong class="govuk-tag govuk-tag--grey">Coordinator') == n


@pytest.mark.parametrize("n", SIZES)
def test_the_dashboard_of_a_coordinator_of_a_large_panel(
    client: Client, scene: Callable[[int], Scene], n: int, django_assert_num_queries: Callable
) -> None:
    s = scene(n)
    client.force_login(s.coordinator)
    with django_assert_num_queries(DASHBOARD_FOR_COORDINATOR):
        assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_dashboard_of_an_opcc_officer(
    client: Client, db: None, n: int, django_assert_num_queries: Callable
) -> None:
    client.force_login(opcc_officer_over(n))
    with django_assert_num_queries(DASHBOARD_FOR_OPCC_OFFICER):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "Panels in your area" in response.content.decode()


@pytest.mark.parametrize("n", SIZES)
def test_the_panel_list(client: Client, db: None, n: int, django_assert_num_queries: Callable) -> None:
    client.force_login(coordinator_of_many(n))
    with django_assert_num_queries(PANEL_LIST):
        assert client.get(reverse("panel-list")).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_panel_page(
    client: Client, scene: Callable[[int], Scene], n: int, django_assert_num_queries: Callable
) -> None:
    s = scene(n)
    client.force_login(s.member)
    with django_assert_num_queries(PANEL_PAGE):
        assert client.get(reverse("panel-detail", kwargs={"slug": s.panel.slug})).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_meeting_list(
    client: Client, scene: Callable[[int], Scene], n: int, django_assert_num_queries: Callable
) -> None:
    s = scene(n)
    client.force_login(s.member)
    with django_assert_num_queries(MEETING_LIST):
        response = client.get(reverse("meeting-list", kwargs={"slug": s.panel.slug}))
    assert response.status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_meeting_edit_page(
    client: Client, scene: Callable[[int], Scene], n: int, django_assert_num_queries: Callable
) -> None:
    s = scene(n)
    meeting = s.panel.meetings.first()
    assert meeting is not None
    client.force_login(s.coordinator)
    with django_assert_num_queries(MEETING_EDIT_PAGE):
        assert client.get(reverse("meeting-edit", kwargs={"slug": s.panel.slug, "pk": meeting.pk})).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_public_panel_page(
    client: Client, scene: Callable[[int], Scene], n: int, django_assert_num_queries: Callable
) -> None:
    s = scene(n)
    with django_assert_num_queries(PUBLIC_PANEL_PAGE):
        response = client.get(reverse("panel-public", kwargs={"slug": s.panel.slug}))
    assert response.status_code == 200
    assert response.content.decode().count("Monthly review</a>") == n
