"""Finding pages: writing one, two members changing it at once (nothing silently overwritten), publishing to the
public page (anonymised), escalating; outsiders get nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from panels.models import Organisation, Panel, User
from scrutiny.models import Assessment, Escalation, Finding
from tests.frontend.helpers import banners, error_summary, page_text
from tests.scrutiny.factories import make_batch, make_finding, make_force, make_record, make_session


@pytest.fixture
def force(panel: Panel) -> Organisation:
    return make_force(code=panel.force_area.code)


@pytest.fixture
def finding(panel: Panel, force: Organisation, coordinator: User) -> Finding:
    session = make_session(panel, [make_record(make_batch(force))], by=coordinator)
    return make_finding(panel, session=session, items=list(session.items.all()), by=coordinator)


def form_data(finding: Finding, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "title": finding.title,
        "category": finding.category,
        "rag": finding.rag,
        "observation": finding.observation,
        "recommendation": finding.recommendation,
        "items": [str(pk) for pk in finding.items.values_list("pk", flat=True)],
        "version": str(finding.version),
    }
    data.update(changes)
    return data


def test_a_member_writes_a_finding(client: Client, panel: Panel, member: User) -> None:
    client.force_login(member)
    response = client.post(
        reverse("finding-create", kwargs={"slug": panel.slug}),
        {"title": "Searches near schools", "category": "disproportionality", "rag": "amber", "observation": "Many."},
    )
    finding = Finding.objects.get(title="Searches near schools")
    assert response.status_code == 302
    assert response["Location"] == reverse("finding-detail", kwargs={"pk": finding.pk})
    assert finding.created_by == member
    listing = client.get(reverse("finding-list", kwargs={"slug": panel.slug}))
    assert "Searches near schools" in page_text(listing)


def test_a_finding_with_nothing_in_it_says_what_is_missing(client: Client, panel: Panel, member: User) -> None:
    client.force_login(member)
    response = client.post(reverse("finding-create", kwargs={"slug": panel.slug}), {})
    assert response.status_code == 400
    assert "Give the finding a title" in error_summary(response)
    assert not Finding.objects.exists()


def test_the_edit_form_carries_the_version_it_was_drawn_from(client: Client, finding: Finding, member: User) -> None:
    client.force_login(member)
    response = client.get(reverse("finding-edit", kwargs={"pk": finding.pk}))
    assert re.search(r'<input type="hidden" name="version" value="1"', response.content.decode())


def test_two_members_saving_the_same_finding_cannot_silently_overwrite_each_other(
    finding: Finding, member: User, coordinator: User
) -> None:
    first, second = Client(), Client()
    first.force_login(coordinator)
    second.force_login(member)
    url = reverse("finding-edit", kwargs={"pk": finding.pk})
    # Both open the form at version 1.
    assert first.get(url).status_code == 200
    assert second.get(url).status_code == 200
    saved = first.post(url, form_data(finding, observation="First: grounds were vague."))
    assert saved.status_code == 302

    response = second.post(url, form_data(finding, observation="Second: the smell of cannabis alone."))
    assert response.status_code == 409
    assert "Your changes were not saved" in error_summary(response)
    assert str(coordinator) in error_summary(response)
    content = response.content.decode()
    # Their text stays in the form, and the version saved now is shown to read.
    assert re.search(r"<textarea[^>]*name=\"observation\"[^>]*>\s*Second: the smell of cannabis alone\.", content)
    assert "First: grounds were vague." in page_text(response)
    finding.refresh_from_db()
    assert finding.observation == "First: grounds were vague."
    assert finding.version == 2
    # The form now names version 2: saving again, having read it, is a deliberate choice and goes through.
    assert re.search(r'name="version" value="2"', content)


def test_the_coordinator_publishes_a_finding_to_the_public_page_without_names_or_scores(
    client: Client, panel: Panel, finding: Finding, member: User, coordinator: User
) -> None:
    item = finding.items.get()
    Assessment.objects.create(
        item=item, member=member, status="submitted", grounds="not_reasonable", grade=5, comment="MEMBER-SCORE-NOTE"
    )
    item.record.grounds_text = "Smelt cannabis outside the library."
    item.record.save()
    public_url = reverse("panel-public", kwargs={"slug": panel.slug})
    assert finding.title not in page_text(Client().get(public_url))

    client.force_login(member)
    assert client.post(reverse("finding-publish", kwargs={"pk": finding.pk})).status_code == 403
    client.force_login(coordinator)
    response = client.post(reverse("finding-publish", kwargs={"pk": finding.pk}), follow=True)
    assert "published" in banners(response)

    text = page_text(Client().get(public_url))
    assert finding.title in text
    assert finding.observation in text
    assert "Legislation" in text  # the published data.police.uk fields of the record
    for secret in (str(member), member.email, str(coordinator), "MEMBER-SCORE-NOTE", "outside the library"):
        assert secret not in text


def test_published_session_minutes_show_on_the_public_page(
    client: Client, panel: Panel, finding: Finding, coordinator: User
) -> None:
    from scrutiny.reviews.services import session_minutes_save

    assert finding.session is not None
    session_minutes_save(session=finding.session, minutes="The panel **reviewed** ten records.", publish=True, by=None)
    text = page_text(client.get(reverse("panel-public", kwargs={"slug": panel.slug})))
    assert "The panel reviewed ten records." in text


def test_the_coordinator_escalates_a_finding_to_the_force(
    client: Client, finding: Finding, force: Organisation, coordinator: User, member: User
) -> None:
    url = reverse("finding-escalate", kwargs={"pk": finding.pk})
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    assert "Send the escalation" in page_text(client.get(url))
    response = client.post(url, {"force": force.pk, "question": "Was the officer spoken to?"})
    escalation = Escalation.objects.get(finding=finding)
    assert response["Location"] == reverse("escalation-detail", kwargs={"pk": escalation.pk})
    assert escalation.sent_by == coordinator
    # Escalating again goes to the escalation rather than making a second one.
    assert client.get(url)["Location"] == reverse("escalation-detail", kwargs={"pk": escalation.pk})


def test_an_outsider_gets_nothing_from_the_finding_pages(
    client: Client, panel: Panel, finding: Finding, outsider: User
) -> None:
    client.force_login(outsider)
    for url in (
        reverse("finding-list", kwargs={"slug": panel.slug}),
        reverse("finding-create", kwargs={"slug": panel.slug}),
        reverse("finding-detail", kwargs={"pk": finding.pk}),
        reverse("finding-edit", kwargs={"pk": finding.pk}),
        reverse("finding-escalate", kwargs={"pk": finding.pk}),
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert finding.title not in response.content.decode()


def test_a_finding_about_one_sessions_records_belongs_to_that_session(
    client: Client, panel: Panel, finding: Finding, member: User
) -> None:
    item = finding.items.get()
    client.force_login(member)
    client.post(
        reverse("finding-create", kwargs={"slug": panel.slug}),
        {"title": "Same session", "category": "grounds", "rag": "red", "observation": "Seen.", "items": [item.pk]},
    )
    client.post(
        reverse("finding-create", kwargs={"slug": panel.slug}),
        {"title": "A theme", "category": "other", "rag": "green", "observation": "Seen."},
    )
    assert Finding.objects.get(title="Same session").session == item.session
    assert Finding.objects.get(title="A theme").session is None
