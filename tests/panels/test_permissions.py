"""Least privilege beyond the route table: observers and draft minutes, OPCC officers and their force area,
force liaison officers and panels.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panels.models import Meeting, Membership, Organisation, Panel, StaffRole, User
from panels.permissions import PanelAccess, panels_visible_to
from tests.factories import (
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PanelFactory,
    StaffRoleFactory,
    enrol_totp,
    force_area,
)

DRAFT = "Draft: the panel was split on record 7 and wants the chair to redraft this."
PUBLISHED = "Published: the panel asked the force about body-worn video."
OTHER_AREA = "E23000001"  # Metropolitan Police; the shared panel fixture is in Cheshire (E23000006)


@pytest.fixture
def observer(panel: Panel) -> User:
    return MembershipFactory.create(panel=panel, role=Membership.Role.OBSERVER).user


@pytest.fixture
def draft_meeting(panel: Panel) -> Meeting:
    return MeetingFactory.create(panel=panel, title="Monthly review", minutes=DRAFT)


@pytest.fixture
def published_meeting(panel: Panel) -> Meeting:
    meeting = MeetingFactory.create(
        panel=panel, title="Quarterly review", minutes=PUBLISHED, starts_at=timezone.now() - timedelta(days=40)
    )
    meeting.publish_minutes()
    return meeting


def opcc_officer(code: str = "E23000006") -> User:
    opcc = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=force_area(code))
    user = StaffRoleFactory.create(organisation=opcc, role=StaffRole.Role.OPCC_OFFICER).user
    enrol_totp(user)
    return user


def force_liaison(code: str = "E23000006") -> User:
    force = OrganisationFactory.create(
        kind=Organisation.Kind.FORCE, force_area=force_area(code), police_uk_id=f"force-{code.lower()}"
    )
    user = StaffRoleFactory.create(organisation=force, role=StaffRole.Role.FORCE_LIAISON).user
    enrol_totp(user)
    return user


# --- Draft minutes --------------------------------------------------------------------------


def test_an_observer_sees_the_meeting_but_not_its_draft_minutes(
    client: Client, panel: Panel, observer: User, draft_meeting: Meeting
) -> None:
    client.force_login(observer)
    response = client.get(reverse("meeting-detail", kwargs={"slug": panel.slug, "pk": draft_meeting.pk}))

    assert response.status_code == 200
    assert draft_meeting.title in response.text
    assert DRAFT not in response.text
    assert "will appear here when they are published" in response.text


def test_an_observer_gets_no_draft_minutes_from_the_api(
    client: Client, panel: Panel, observer: User, draft_meeting: Meeting
) -> None:
    client.force_login(observer)

    detail = client.get(reverse("api-meeting-detail", kwargs={"slug": panel.slug, "pk": draft_meeting.pk}))
    listing = client.get(reverse("api-meeting-list", kwargs={"slug": panel.slug}))

    assert detail.status_code == 200
    assert detail.json()["minutes"] == ""
    assert DRAFT not in detail.text
    assert listing.status_code == 200
    assert DRAFT not in listing.text


def test_an_observer_gets_the_agenda_of_an_upcoming_meeting_but_not_its_draft_minutes(
    client: Client, panel: Panel, observer: User
) -> None:
    upcoming = MeetingFactory.create(panel=panel, starts_at=timezone.now() + timedelta(days=5), minutes=DRAFT)
    client.force_login(observer)

    listing = client.get(reverse("api-meeting-list", kwargs={"slug": panel.slug})).json()

    assert [(m["id"], m["minutes"], m["agenda"]) for m in listing] == [(upcoming.pk, "", upcoming.agenda)]


def test_an_observer_reads_published_minutes(
    client: Client, panel: Panel, observer: User, published_meeting: Meeting
) -> None:
    client.force_login(observer)
    page = client.get(reverse("meeting-detail", kwargs={"slug": panel.slug, "pk": published_meeting.pk}))
    api = client.get(reverse("api-meeting-detail", kwargs={"slug": panel.slug, "pk": published_meeting.pk}))
    assert PUBLISHED in page.text
    assert api.json()["minutes"] == PUBLISHED


@pytest.mark.parametrize("role", [Membership.Role.MEMBER, Membership.Role.CHAIR])
def test_members_and_chairs_read_draft_minutes_on_the_page_and_in_the_api(
    client: Client, panel: Panel, draft_meeting: Meeting, role: str
) -> None:
    client.force_login(MembershipFactory.create(panel=panel, role=role).user)

    page = client.get(reverse("meeting-detail", kwargs={"slug": panel.slug, "pk": draft_meeting.pk}))
    detail = client.get(reverse("api-meeting-detail", kwargs={"slug": panel.slug, "pk": draft_meeting.pk}))
    listing = client.get(reverse("api-meeting-list", kwargs={"slug": panel.slug}))

    assert DRAFT in page.text
    assert detail.json()["minutes"] == DRAFT
    assert [m["minutes"] for m in listing.json()] == [DRAFT]


def test_a_former_member_reads_nothing(client: Client, panel: Panel, member: User, draft_meeting: Meeting) -> None:
    Membership.objects.filter(user=member).update(end_date=timezone.localdate())
    client.force_login(member)
    assert client.get(reverse("meeting-detail", kwargs={"slug": panel.slug, "pk": draft_meeting.pk})).status_code == 403
    assert client.get(reverse("api-meeting-list", kwargs={"slug": panel.slug})).status_code == 403


def test_a_meeting_of_another_panel_is_not_found_through_this_panel(client: Client, panel: Panel, member: User) -> None:
    elsewhere = MeetingFactory.create(minutes=DRAFT)  # on a panel the member is not on
    client.force_login(member)
    response = client.get(reverse("meeting-detail", kwargs={"slug": panel.slug, "pk": elsewhere.pk}))
    assert response.status_code == 404
    assert DRAFT not in response.text


# --- OPCC officers --------------------------------------------------------------------------


def test_an_opcc_officer_sees_the_panels_of_their_force_area_and_no_others(client: Client, panel: Panel) -> None:
    same_area = PanelFactory.create(name="Cheshire Youth Commission", kind=Panel.Kind.YOUTH)
    other_area = PanelFactory.create(name="London panel", force_area=force_area(OTHER_AREA))
    officer = opcc_officer()
    client.force_login(officer)

    assert set(panels_visible_to(officer)) == {panel, same_area}
    for visible in (panel, same_area):
        assert client.get(reverse("panel-detail", kwargs={"slug": visible.slug})).status_code == 200
        assert client.get(reverse("api-panel-detail", kwargs={"slug": visible.slug})).status_code == 200
    assert client.get(reverse("panel-detail", kwargs={"slug": other_area.slug})).status_code == 403
    assert client.get(reverse("api-panel-detail", kwargs={"slug": other_area.slug})).status_code == 403
    assert {p["slug"] for p in client.get(reverse("api-panel-list")).json()} == {panel.slug, same_area.slug}
    listing = client.get(reverse("panel-list")).text
    assert panel.name in listing
    assert other_area.name not in listing


def test_an_opcc_officer_reads_draft_minutes_in_their_area_but_cannot_manage(
    client: Client, panel: Panel, draft_meeting: Meeting
) -> None:
    client.force_login(opcc_officer())

    page = client.get(reverse("meeting-detail", kwargs={"slug": panel.slug, "pk": draft_meeting.pk}))
    assert DRAFT in page.text
    assert client.get(reverse("panel-edit", kwargs={"slug": panel.slug})).status_code == 403
    response = client.post(reverse("panel-members", kwargs={"slug": panel.slug}), {"email": "a@example.org"})
    assert response.status_code == 403
    assert client.post(reverse("meeting-publish", kwargs={"slug": panel.slug, "pk": draft_meeting.pk})).status_code == (
        403
    )
    assert Meeting.objects.get(pk=draft_meeting.pk).minutes_status == Meeting.MinutesStatus.DRAFT


def test_an_opcc_officer_of_another_area_sees_nothing_here(client: Client, panel: Panel) -> None:
    client.force_login(opcc_officer(OTHER_AREA))
    assert client.get(reverse("panel-detail", kwargs={"slug": panel.slug})).status_code == 403
    assert client.get(reverse("api-panel-list")).json() == []


def test_an_opcc_officer_role_ends_with_its_end_date(client: Client, panel: Panel) -> None:
    officer = opcc_officer()
    StaffRole.objects.filter(user=officer).update(
        start_date=timezone.localdate() - timedelta(days=100), end_date=timezone.localdate()
    )
    client.force_login(officer)
    assert client.get(reverse("panel-detail", kwargs={"slug": panel.slug})).status_code == 403


def test_an_opcc_officer_role_at_a_police_force_gives_no_oversight(client: Client, panel: Panel) -> None:
    # Only an OPCC's officers oversee panels; the same role name recorded against a force grants nothing.
    force = Organisation.objects.get(kind=Organisation.Kind.FORCE, police_uk_id="cheshire")
    user = StaffRoleFactory.create(organisation=force, role=StaffRole.Role.OPCC_OFFICER).user
    enrol_totp(user)
    client.force_login(user)
    assert client.get(reverse("panel-detail", kwargs={"slug": panel.slug})).status_code == 403


# --- Force liaison --------------------------------------------------------------------------


def test_a_force_liaison_officer_sees_no_panel_pages(client: Client, panel: Panel, draft_meeting: Meeting) -> None:
    client.force_login(force_liaison())

    assert client.get(reverse("dashboard")).status_code == 200
    urls: list[tuple[str, dict[str, object]]] = [
        ("panel-detail", {"slug": panel.slug}),
        ("panel-members", {"slug": panel.slug}),
        ("meeting-list", {"slug": panel.slug}),
        ("meeting-detail", {"slug": panel.slug, "pk": draft_meeting.pk}),
        ("api-panel-detail", {"slug": panel.slug}),
        ("api-membership-list", {"slug": panel.slug}),
        ("api-meeting-list", {"slug": panel.slug}),
        ("api-meeting-detail", {"slug": panel.slug, "pk": draft_meeting.pk}),
    ]
    for name, kwargs in urls:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 403, name
        assert DRAFT not in response.text
    assert client.get(reverse("api-panel-list")).json() == []
    assert panel.name not in client.get(reverse("panel-list")).text


# --- The access object ----------------------------------------------------------------------


def test_access_follows_the_role(panel: Panel, member: User, coordinator: User, outsider: User) -> None:
    chair = MembershipFactory.create(panel=panel, role=Membership.Role.CHAIR).user
    observer = MembershipFactory.create(panel=panel, role=Membership.Role.OBSERVER).user

    def summary(user: User) -> tuple[bool, bool, bool, bool]:
        access = PanelAccess(user, panel)
        return (access.can_view, access.can_read_drafts, access.can_run_meetings, access.can_manage)

    assert summary(coordinator) == (True, True, True, True)
    assert summary(chair) == (True, True, True, False)
    assert summary(member) == (True, True, False, False)
    assert summary(observer) == (True, False, False, False)
    assert summary(outsider) == (False, False, False, False)
