"""Meetings, attendance and self-description: the rules the services enforce, and that a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from panels import services
from panels.models import Attendance, Meeting, Membership, Panel, SelfDescription, User
from tests.factories import MeetingFactory, MembershipFactory

# --- Meetings -------------------------------------------------------------------------------


def test_it_creates_a_meeting_with_draft_minutes(panel: Panel, coordinator: User) -> None:
    starts = timezone.now() + timedelta(days=10)
    meeting = services.meeting_create(panel=panel, title="Quarterly review", starts_at=starts, by=coordinator)

    meeting.refresh_from_db()
    assert (meeting.panel, meeting.title, meeting.starts_at) == (panel, "Quarterly review", starts)
    assert meeting.minutes_status == Meeting.MinutesStatus.DRAFT
    assert meeting.minutes_published_at is None


def test_publishing_needs_minutes(panel: Panel, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel, minutes="  \n ")

    with pytest.raises(ValidationError, match="Write the minutes"):
        services.meeting_publish_minutes(meeting=meeting, by=coordinator)

    meeting.refresh_from_db()
    assert meeting.minutes_status == Meeting.MinutesStatus.DRAFT
    assert meeting.minutes_published_at is None


def test_publishing_marks_the_minutes_published_with_the_time(panel: Panel, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel)
    before = timezone.now()

    services.meeting_publish_minutes(meeting=meeting, by=coordinator)

    meeting.refresh_from_db()
    assert meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED
    assert meeting.minutes_published_at is not None
    assert before <= meeting.minutes_published_at <= timezone.now()


def test_minutes_cannot_be_published_twice(panel: Panel, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel)
    services.meeting_publish_minutes(meeting=meeting, by=coordinator)
    published_at = Meeting.objects.get(pk=meeting.pk).minutes_published_at

    with pytest.raises(ValidationError, match="already published"):
        services.meeting_publish_minutes(meeting=meeting, by=coordinator)

    assert Meeting.objects.get(pk=meeting.pk).minutes_published_at == published_at


def test_published_minutes_cannot_be_edited(panel: Panel, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel, minutes="What was agreed.")
    services.meeting_publish_minutes(meeting=meeting, by=coordinator)

    with pytest.raises(ValidationError, match="published and can no longer be edited"):
        services.meeting_update(meeting=meeting, by=coordinator, minutes="Rewritten history.", title="Changed")

    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.minutes, stored.title) == ("What was agreed.", meeting.title)


def test_the_details_of_a_published_meeting_can_still_be_corrected(panel: Panel, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel, location="")
    services.meeting_publish_minutes(meeting=meeting, by=coordinator)

    services.meeting_update(meeting=meeting, by=coordinator, location="Town hall")

    assert Meeting.objects.get(pk=meeting.pk).location == "Town hall"


def test_draft_minutes_can_be_edited(panel: Panel, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel)
    services.meeting_update(meeting=meeting, by=coordinator, minutes="Second draft.")
    assert Meeting.objects.get(pk=meeting.pk).minutes == "Second draft."


def test_it_refuses_to_change_fields_that_are_not_editable(panel: Panel, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel)
    with pytest.raises(ValidationError, match="Cannot change minutes_status"):
        services.meeting_update(meeting=meeting, by=coordinator, minutes_status="published")
    assert Meeting.objects.get(pk=meeting.pk).minutes_status == Meeting.MinutesStatus.DRAFT


# --- Attendance -----------------------------------------------------------------------------


def test_attendance_is_recorded_and_updated_for_current_members(panel: Panel, member: User, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel)

    services.attendance_record(
        meeting=meeting, statuses={member.pk: "present", coordinator.pk: "absent"}, by=coordinator
    )
    services.attendance_record(meeting=meeting, statuses={coordinator.pk: "apologies"}, by=coordinator)

    recorded = dict(Attendance.objects.filter(meeting=meeting).values_list("user_id", "status"))
    assert recorded == {member.pk: "present", coordinator.pk: "apologies"}


def test_attendance_of_someone_not_on_the_panel_is_refused_and_nothing_is_recorded(
    panel: Panel, member: User, coordinator: User, outsider: User
) -> None:
    meeting = MeetingFactory.create(panel=panel)

    with pytest.raises(ValidationError, match="current members"):
        services.attendance_record(
            meeting=meeting, statuses={member.pk: "present", outsider.pk: "present"}, by=coordinator
        )

    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_attendance_of_a_former_member_is_refused(panel: Panel, coordinator: User) -> None:
    former = MembershipFactory.create(panel=panel, start_date=timezone.localdate() - timedelta(days=90))
    services.membership_end(membership=former, by=coordinator, end_date=timezone.localdate() - timedelta(days=1))
    meeting = MeetingFactory.create(panel=panel)

    with pytest.raises(ValidationError, match="current members"):
        services.attendance_record(meeting=meeting, statuses={former.user_id: "present"}, by=coordinator)
    assert not Attendance.objects.exists()


def test_a_member_of_another_panel_cannot_be_recorded(panel: Panel, coordinator: User) -> None:
    elsewhere = MembershipFactory.create()  # on a different panel
    meeting = MeetingFactory.create(panel=panel)
    with pytest.raises(ValidationError, match="current members"):
        services.attendance_record(meeting=meeting, statuses={elsewhere.user_id: "present"}, by=coordinator)
    assert not Attendance.objects.exists()


def test_an_unknown_attendance_status_is_refused(panel: Panel, member: User, coordinator: User) -> None:
    meeting = MeetingFactory.create(panel=panel)
    with pytest.raises(ValidationError, match="not an attendance status"):
        services.attendance_record(meeting=meeting, statuses={member.pk: "asleep"}, by=coordinator)
    assert not Attendance.objects.exists()


# --- Self-description -----------------------------------------------------------------------


def test_self_description_needs_consent_and_stores_nothing_without_it(member: User) -> None:
    with pytest.raises(ValidationError, match="consent"):
        services.self_description_save(user=member, consent=False, ethnic_group="7", sex="female")
    assert not SelfDescription.objects.filter(user=member).exists()


def test_self_description_is_kept_with_consent_and_the_time_of_it(member: User) -> None:
    before = timezone.now()
    services.self_description_save(user=member, consent=True, ethnic_group="7", age_band="25-34", sex="female")

    stored = SelfDescription.objects.get(user=member)
    assert (stored.ethnic_group, stored.age_band, stored.sex, stored.disability) == ("7", "25-34", "female", "")
    assert before <= stored.consented_at <= timezone.now()


def test_saving_again_replaces_the_answers(member: User) -> None:
    services.self_description_save(user=member, consent=True, ethnic_group="7", sex="female")
    services.self_description_save(user=member, consent=True, ethnic_group="prefer_not")

    stored = SelfDescription.objects.get(user=member)
    assert (stored.ethnic_group, stored.sex) == ("prefer_not", "")


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"ethnic_group": "20"}, id="ethnic-group-not-in-census"),
        pytest.param({"ethnic_group": "Black"}, id="ethnic-group-as-text"),
        pytest.param({"age_band": "100+"}, id="age-band"),
        pytest.param({"sex": "unknown"}, id="sex"),
    ],
)
def test_an_answer_outside_the_lists_is_refused_and_nothing_is_kept(member: User, answers: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        services.self_description_save(user=member, consent=True, **answers)
    assert not SelfDescription.objects.filter(user=member).exists()


def test_deleting_withdraws_consent_and_removes_the_answers(member: User, coordinator: User) -> None:
    services.self_description_save(user=member, consent=True, ethnic_group="3")
    services.self_description_save(user=coordinator, consent=True, ethnic_group="13")

    services.self_description_delete(user=member)

    assert not SelfDescription.objects.filter(user=member).exists()
    assert SelfDescription.objects.filter(user=coordinator).exists()  # only their own
    assert Membership.objects.filter(user=member).exists()  # leaving the survey is not leaving the panel
