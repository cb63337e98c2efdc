"""Panel pages: members and their history, settings and terms of reference, the make-up table, the public pages."""

from __future__ import annotations

import csv
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panels.models import Meeting, Membership, Panel, SelfDescription, User
from tests.factories import MeetingFactory, MembershipFactory, PanelFactory
from tests.frontend.helpers import banners, error_summary, page_text

HOSTILE_MARKDOWN = (
    "## Our remit\n\n"
    "We review records.\n\n"
    "<script>document.title='pwned-by-script'</script>\n\n"
    "[Click here](javascript:alert('pwned-by-link'))\n\n"
    "<img src=x onerror=\"alert('pwned-by-handler')\">\n\n"
    "[Guidance](https://www.college.police.uk/)"
)


def members_url(panel: Panel) -> str:
    return reverse("panel-members", kwargs={"slug": panel.slug})


def change_url(membership: Membership) -> str:
    return reverse("membership-change", kwargs={"slug": membership.panel.slug, "pk": membership.pk})


def assert_sanitised(html: str) -> None:
    assert "pwned-by-script" not in html
    assert "javascript:" not in html.lower()
    assert "onerror" not in html
    assert "pwned-by-handler" not in html
    assert "<h2>Our remit</h2>" in html
    assert re.search(r'<a href="https://www.college.police.uk/" rel="[^"]*noopener', html)


# --- Members --------------------------------------------------------------------------------


def test_changing_a_role_from_the_page_keeps_the_history(
    client: Client, panel: Panel, coordinator: User, member: User
) -> None:
    old = Membership.objects.get(user=member, panel=panel)
    client.force_login(coordinator)

    response = client.post(change_url(old), {"action": "role", "role": "chair"}, follow=True)

    assert f"{member}'s role is now chair" in banners(response)
    old.refresh_from_db()
    assert old.end_date == timezone.localdate()
    assert Membership.objects.active().get(user=member, panel=panel).role == "chair"
    history = page_text(response).split("History", 1)[1]
    assert history.count(str(member)) == 2
    assert "Chair" in history
    assert "Member" in history


def test_ending_a_membership_from_the_page(client: Client, panel: Panel, coordinator: User, member: User) -> None:
    membership = Membership.objects.get(user=member, panel=panel)
    client.force_login(coordinator)

    response = client.post(change_url(membership), {"action": "end"}, follow=True)

    assert f"{member} is no longer on the panel" in banners(response)
    current = page_text(response).split("Current members", 1)[1].split("Invite someone", 1)[0]
    assert str(member) not in current
    assert Membership.objects.get(pk=membership.pk).end_date == timezone.localdate()


def test_a_bad_role_says_so_and_changes_nothing(client: Client, panel: Panel, coordinator: User, member: User) -> None:
    membership = Membership.objects.get(user=member, panel=panel)
    client.force_login(coordinator)

    response = client.post(change_url(membership), {"action": "role", "role": "supreme-leader"}, follow=True)

    assert "Choose a role from the list" in banners(response)
    assert list(Membership.objects.filter(user=member).values_list("role", "end_date")) == [("member", None)]


def test_ending_an_ended_membership_says_so(client: Client, panel: Panel, coordinator: User, member: User) -> None:
    membership = Membership.objects.get(user=member, panel=panel)
    client.force_login(coordinator)
    client.post(change_url(membership), {"action": "end"})
    response = client.post(change_url(membership), {"action": "end"}, follow=True)
    assert "This membership has already ended" in banners(response)


def test_members_see_who_is_on_the_panel_but_not_emails_invitations_or_history(
    client: Client, panel: Panel, member: User, coordinator: User
) -> None:
    client.force_login(member)
    response = client.get(members_url(panel))
    text = page_text(response)
    assert str(coordinator) in text
    assert coordinator.email not in response.content.decode()
    assert "Invite someone" not in text
    assert "History" not in text
    assert "End membership" not in text


# --- Settings and terms of reference --------------------------------------------------------


def test_terms_of_reference_are_sanitised_wherever_they_are_shown(
    client: Client, panel: Panel, coordinator: User, member: User
) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse("panel-edit", kwargs={"slug": panel.slug}),
        {"name": panel.name, "terms_of_reference": HOSTILE_MARKDOWN, "is_public": "on"},
    )
    assert response.status_code == 302
    assert Panel.objects.get(pk=panel.pk).terms_of_reference == HOSTILE_MARKDOWN  # kept as written

    client.force_login(member)
    assert_sanitised(client.get(reverse("panel-detail", kwargs={"slug": panel.slug})).content.decode())
    assert_sanitised(Client().get(reverse("panel-public", kwargs={"slug": panel.slug})).content.decode())


def test_panel_settings_with_no_name_say_so_and_change_nothing(client: Client, panel: Panel, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse("panel-edit", kwargs={"slug": panel.slug}), {"name": "", "terms_of_reference": "New terms"}
    )
    assert "required" in error_summary(response)
    stored = Panel.objects.get(pk=panel.pk)
    assert (stored.name, stored.terms_of_reference) == (panel.name, panel.terms_of_reference)


def test_a_chair_cannot_change_the_panel_settings(client: Client, panel: Panel) -> None:
    client.force_login(MembershipFactory.create(panel=panel, role=Membership.Role.CHAIR).user)
    response = client.post(reverse("panel-edit", kwargs={"slug": panel.slug}), {"name": "Chair's panel"})
    assert response.status_code == 403
    assert Panel.objects.get(pk=panel.pk).name == panel.name


# --- Make-up --------------------------------------------------------------------------------


def describe_members(panel: Panel, groups: list[str]) -> None:
    for group in groups:
        user = MembershipFactory.create(panel=panel).user
        SelfDescription.objects.create(user=user, ethnic_group=group, consented_at=timezone.now())


def test_the_make_up_waits_for_ten_answers(client: Client, panel: Panel, member: User) -> None:
    describe_members(panel, ["13"] * 9)
    client.force_login(member)
    text = page_text(client.get(reverse("panel-detail", kwargs={"slug": panel.slug})))
    assert "shown once at least 10 members have chosen to describe themselves. So far 9 have." in text
    assert "Area residents" not in text


def test_the_make_up_table_shows_shares_and_hides_small_groups(client: Client, panel: Panel) -> None:
    # 13 answered: White British 9, Caribbean 3, Indian 1 (suppressed).
    describe_members(panel, ["13"] * 9 + ["7"] * 3 + ["3"])
    with open(Path(settings.BASE_DIR) / "data/census/census2021_pfa_ethnicity_5group.csv", encoding="utf-8") as f:
        area = next(r for r in csv.DictReader(f) if r["PFA22CD"] == panel.force_area.code)

    html = Client().get(reverse("panel-public", kwargs={"slug": panel.slug})).content.decode()

    def row(group: str) -> list[str]:
        match = re.search(rf"<th scope=\"row\"[^>]*>{group}</th>(.*?)</tr>", html, re.DOTALL)
        assert match, group
        return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.DOTALL)]

    def share(group: str) -> str:
        return f"{100 * int(area[group]) / int(area['Total']):.1f}%"

    assert row("White") == [f"{100 * 9 / 13:.0f}%", share("White")]
    assert row("Black") == [f"{100 * 3 / 13:.0f}%", share("Black")]
    assert row("Asian") == ["fewer than 3", share("Asian")]
    assert row("Other") == ["0%", share("Other")]
    assert "13 members who answered" in html


# --- Public pages ---------------------------------------------------------------------------


@pytest.fixture
def meetings(panel: Panel) -> tuple[Meeting, Meeting]:
    published = MeetingFactory.create(
        panel=panel,
        title="Published quarterly review",
        minutes="Published text.",
        starts_at=timezone.now() - timedelta(days=60),
    )
    published.publish_minutes()
    draft = MeetingFactory.create(panel=panel, title="Draft monthly review", minutes="Draft text, not agreed.")
    return published, draft


def test_the_public_page_lists_published_minutes_only(client: Client, panel: Panel, meetings: tuple) -> None:
    published, draft = meetings
    response = client.get(reverse("panel-public", kwargs={"slug": panel.slug}))
    text = page_text(response)
    assert response.status_code == 200
    assert published.title in text
    assert draft.title not in text
    assert "Draft text" not in response.content.decode()


def test_public_minutes_of_a_draft_meeting_are_not_found(client: Client, panel: Panel, meetings: tuple) -> None:
    published, draft = meetings
    ok = client.get(reverse("meeting-public", kwargs={"slug": panel.slug, "pk": published.pk}))
    assert "Published text." in page_text(ok)
    missing = client.get(reverse("meeting-public", kwargs={"slug": panel.slug, "pk": draft.pk}))
    assert missing.status_code == 404
    assert "Draft text" not in missing.content.decode()


def test_a_panel_without_a_public_page_is_not_found_publicly(client: Client, db: None) -> None:
    private = PanelFactory.create(is_public=False, name="Private panel")
    meeting = MeetingFactory.create(panel=private, minutes="Secret minutes.")
    meeting.publish_minutes()

    assert client.get(reverse("panel-public", kwargs={"slug": private.slug})).status_code == 404
    response = client.get(reverse("meeting-public", kwargs={"slug": private.slug, "pk": meeting.pk}))
    assert response.status_code == 404
    assert "Secret minutes." not in response.content.decode()
    assert "Private panel" not in page_text(client.get(reverse("public-panels")))


def test_the_public_list_shows_public_panels(client: Client, panel: Panel) -> None:
    text = page_text(client.get(reverse("public-panels")))
    assert panel.name in text


def test_a_published_meeting_of_another_panel_is_not_found_through_this_one(client: Client, panel: Panel) -> None:
    other = PanelFactory.create(is_public=True)
    meeting = MeetingFactory.create(panel=other)
    meeting.publish_minutes()
    assert client.get(reverse("meeting-public", kwargs={"slug": panel.slug, "pk": meeting.pk})).status_code == 404
