"""Meetings from the pages: add, edit, record attendance, publish; bad input says why and changes nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from panels.models import Attendance, Meeting, Membership, Panel, User
from tests.factories import MeetingFactory, MembershipFactory
from tests.frontend.helpers import banners, error_summary, page_text

LONDON = ZoneInfo("Europe/London")


def create_url(panel: Panel) -> str:
    return reverse("meeting-create", kwargs={"slug": panel.slug})


def edit_url(meeting: Meeting) -> str:
    return reverse("meeting-edit", kwargs={"slug": meeting.panel.slug, "pk": meeting.pk})


def publish_url(meeting: Meeting) -> str:
    return reverse("meeting-publish", kwargs={"slug": meeting.panel.slug, "pk": meeting.pk})


def edit_data(meeting: Meeting, **changes: str) -> dict[str, str]:
    data = {
        "meeting-title": meeting.title,
        "meeting-starts_at": meeting.starts_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M"),
        "meeting-location": meeting.location,
        "meeting-agenda": meeting.agenda,
        "minutes-minutes": meeting.minutes,
    }
    data.update(changes)
    return data


@pytest.fixture
def chair(panel: Panel) -> User:
    return MembershipFactory.create(panel=panel, role=Membership.Role.CHAIR).user


# --- Adding ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "chair"])
def test_a_coordinator_or_chair_adds_a_meeting(
    client: Client, panel: Panel, coordinator: User, chair: User, who: str
) -> None:
    client.force_login(coordinator if who == "coordinator" else chair)

    response = client.post(
        create_url(panel),
        {"title": "Quarterly review", "starts_at": "2026-12-14 18:30", "location": "Town hall", "agenda": "1. Hi"},
        follow=True,
    )

    meeting = Meeting.objects.get(panel=panel)
    assert response.redirect_chain[-1][0] == meeting.get_absolute_url()
    assert "Meeting added" in banners(response)
    assert meeting.starts_at == datetime(2026, 12, 14, 18, 30, tzinfo=LONDON)
    assert (meeting.title, meeting.location, meeting.agenda) == ("Quarterly review", "Town hall", "1. Hi")
    assert meeting.minutes_status == Meeting.MinutesStatus.DRAFT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "starts_at": "2026-12-14 18:30"}, "required"),
        ({"title": "Review", "starts_at": "next Tuesday"}, "Enter a valid date/time"),
        ({"title": "Review", "starts_at": ""}, "required"),
        ({"title": "x" * 201, "starts_at": "2026-12-14 18:30"}, "at most 200 characters"),
    ],
)
def test_bad_meeting_details_get_the_error_summary_and_nothing_is_added(
    client: Client, panel: Panel, coordinator: User, data: dict[str, str], message: str
) -> None:
    client.force_login(coordinator)
    response = client.post(create_url(panel), data)
    assert response.status_code == 400
    assert message in error_summary(response)
    assert not Meeting.objects.exists()


def test_a_member_cannot_add_a_meeting(client: Client, panel: Panel, member: User) -> None:
    client.force_login(member)
    response = client.post(create_url(panel), {"title": "Mine", "starts_at": "2026-12-14 18:30"})
    assert response.status_code == 403
    assert not Meeting.objects.exists()


# --- Editing --------------------------------------------------------------------------------


def test_editing_saves_minutes_and_attendance(client: Client, panel: Panel, coordinator: User, member: User) -> None:
    meeting = MeetingFactory.create(panel=panel, minutes="")
    client.force_login(coordinator)
    page = client.get(edit_url(meeting))
    assert page.status_code == 200
    assert f'name="attendance-attendance_{member.pk}"' in page.content.decode()

    response = client.post(
        edit_url(meeting),
        edit_data(
            meeting,
            **{
                "minutes-minutes": "The panel reviewed ten records.",
                "meeting-location": "Library",
                f"attendance-attendance_{member.pk}": "present",
                f"attendance-attendance_{coordinator.pk}": "apologies",
            },
        ),
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.location) == ("The panel reviewed ten records.", "Library")
    recorded = dict(Attendance.objects.filter(meeting=meeting).values_list("user_id", "status"))
    assert recorded == {member.pk: "present", coordinator.pk: "apologies"}
    detail = client.get(meeting.get_absolute_url())
    assert f"{member}: present" in page_text(detail)


def test_attendance_for_someone_not_on_the_panel_is_ignored_by_the_form(
    client: Client, panel: Panel, coordinator: User, outsider: User
) -> None:
    meeting = MeetingFactory.create(panel=panel)
    client.force_login(coordinator)
    response = client.post(edit_url(meeting), edit_data(meeting, **{f"attendance-attendance_{outsider.pk}": "present"}))
    assert response.status_code == 302
    assert not Attendance.objects.filter(user=outsider).exists()


def test_bad_details_when_editing_change_nothing(client: Client, panel: Panel, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel, minutes="First draft.")
    client.force_login(coordinator)

    response = client.post(
        edit_url(meeting), edit_data(meeting, **{"meeting-starts_at": "soon", "minutes-minutes": "Second draft."})
    )

    assert response.status_code == 400
    assert "Enter a valid date/time" in error_summary(response)
    assert Meeting.objects.get(pk=meeting.pk).minutes == "First draft."


def test_a_member_cannot_edit(client: Client, panel: Panel, member: User) -> None:
    meeting = MeetingFactory.create(panel=panel)
    client.force_login(member)
    assert client.get(edit_url(meeting)).status_code == 403
    assert client.post(edit_url(meeting), edit_data(meeting, **{"minutes-minutes": "Mine."})).status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).minutes == meeting.minutes


# --- Publishing -----------------------------------------------------------------------------


def test_publishing_empty_minutes_says_to_write_them_first(client: Client, panel: Panel, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel, minutes="")
    client.force_login(coordinator)

    response = client.post(publish_url(meeting), follow=True)

    assert response.redirect_chain[-1][0] == meeting.get_absolute_url()
    assert "Write the minutes before publishing them" in banners(response)
    assert Meeting.objects.get(pk=meeting.pk).minutes_status == Meeting.MinutesStatus.DRAFT


def test_publishing_minutes_puts_them_on_the_public_page(client: Client, panel: Panel, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel, minutes="We asked the force about body-worn video.")
    public = reverse("meeting-public", kwargs={"slug": panel.slug, "pk": meeting.pk})
    assert Client().get(public).status_code == 404
    client.force_login(coordinator)

    response = client.post(publish_url(meeting), follow=True)

    assert "Minutes published" in banners(response)
    assert "Publish the minutes" not in page_text(response)  # the button goes
    assert Meeting.objects.get(pk=meeting.pk).minutes_status == Meeting.MinutesStatus.PUBLISHED
    anonymous = Client().get(public)
    assert anonymous.status_code == 200
    assert "We asked the force about body-worn video." in page_text(anonymous)


def test_published_minutes_cannot_be_changed_from_the_edit_page(
    client: Client, panel: Panel, coordinator: User
) -> None:
    meeting = MeetingFactory.create(panel=panel, minutes="As agreed.")
    meeting.publish_minutes()
    client.force_login(coordinator)

    response = client.post(
        edit_url(meeting), edit_data(meeting, **{"minutes-minutes": "Quietly rewritten.", "meeting-title": "Renamed"})
    )

    assert response.status_code == 302
    stored = Meeting.objects.get(pk=meeting.pk)
    assert stored.minutes == "As agreed."
    assert stored.title == "Renamed"


def test_a_member_cannot_publish(client: Client, panel: Panel, member: User) -> None:
    meeting = MeetingFactory.create(panel=panel)
    client.force_login(member)
    assert client.post(publish_url(meeting)).status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).minutes_status == Meeting.MinutesStatus.DRAFT


def test_publishing_twice_says_so(client: Client, panel: Panel, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel)
    meeting.publish_minutes()
    client.force_login(coordinator)
    response = client.post(publish_url(meeting), follow=True)
    assert "already published" in banners(response)
