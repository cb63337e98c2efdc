"""A finding's whole road, three people in three browsers: the coordinator writes a finding and escalates it; the
force liaison officer acknowledges and responds; the coordinator disputes the response; the OPCC officer sees it
on the area's report. Each signs in with an authenticator code (staff roles need one). Every page is checked with
axe; the liaison's and the OPCC officer's pages fit 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from panels.models import Organisation, StaffRole
from scrutiny.models import Escalation, EscalationStatus, Finding
from tests.e2e.browser import Pages, Person, World, check_accessibility, follow, sign_in, submit, visit
from tests.e2e.test_small_screens import WIDTH, assert_fits
from tests.factories import OrganisationFactory, StaffRoleFactory, UserFactory, enrol_totp
from tests.scrutiny.factories import make_batch, make_force, make_record, make_session

pytestmark = pytest.mark.e2e

TITLE = "Grounds resting on the smell of cannabis alone"


def staff_person(organisation: Organisation, role: str, email: str, name: str) -> Person:
    user = UserFactory.create(email=email, name=name)
    StaffRoleFactory.create(user=user, organisation=organisation, role=role)
    return Person(user, totp_secret=enrol_totp(user))


@pytest.fixture
def force(world: World) -> Organisation:
    force = make_force(code=world.panel.force_area.code)
    make_session(world.panel, [make_record(make_batch(force))], by=world.coordinator.user, title="June review")
    return force


def pick(page: Page, label: str, kind: str = "radios") -> None:
    """Tick a GOV.UK radio or checkbox as a person does: by clicking its label (the styled label covers the input)."""
    page.locator(f"label.govuk-{kind}__label", has_text=label).first.click()


def open_escalation(page: Page) -> None:
    follow(page, TITLE, within="main")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def test_a_finding_goes_from_the_panel_to_the_force_and_on_to_the_opcc(
    pages: Pages, world: World, force: Organisation
) -> None:
    liaison = staff_person(force, StaffRole.Role.FORCE_LIAISON, "liam@force.example.org", "Liam Liaison")
    office = OrganisationFactory.create(
        name="Office of the Northshire PCC", kind=Organisation.Kind.OPCC, force_area=world.panel.force_area
    )
    officer = staff_person(office, StaffRole.Role.OPCC_OFFICER, "opal@opcc.example.org", "Opal Officer")

    # The force liaison officer is signed in on a phone, with the dashboard open.
    phone = pages.new(width=WIDTH, height=640)
    sign_in(phone, liaison)
    expect(phone.locator("body")).to_have_attribute("data-live-connected", "true")

    # The coordinator writes the finding about a record in the June review, and escalates it.
    coordinator = pages.new()
    sign_in(coordinator, world.coordinator)
    visit(coordinator, f"/panels/{world.panel.slug}/findings/")
    follow(coordinator, "Write a finding", within="main")
    coordinator.get_by_label("Title").fill(TITLE)
    coordinator.get_by_label("Category").select_option("grounds")
    pick(coordinator, "Red")
    coordinator.get_by_label("What the panel saw").fill("Three of ten records give no grounds beyond the smell.")
    coordinator.get_by_label("What the panel recommends (optional)").fill("Brief officers on recording grounds.")
    pick(coordinator, "June review", "checkboxes")
    submit(coordinator, "Save the finding")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(TITLE)
    follow(coordinator, "Escalate to the force", within="main")
    coordinator.get_by_label("What the panel asks the force").fill("Were the officers spoken to?")
    submit(coordinator, "Send the escalation")
    expect(coordinator.locator("main")).to_contain_text("Sent to the force")
    escalation = Escalation.objects.get(finding__title=TITLE)
    assert escalation.force == force

    # The liaison officer is told at once, over the WebSocket; they open their inbox, acknowledge and respond.
    expect(phone.locator("#live-notifications")).to_contain_text(f"New escalation from {world.panel.name}: {TITLE}")
    check_accessibility(phone)
    follow(phone, "Escalations", within="main")  # from the dashboard
    assert_fits(phone)
    open_escalation(phone)
    assert_fits(phone)
    expect(phone.locator("main")).not_to_contain_text(world.coordinator.user.email)
    submit(phone, "Acknowledge")
    expect(phone.locator("main")).to_contain_text("Acknowledged")
    phone.get_by_label("The force's response").fill("Both officers were given feedback by their sergeant.")
    pick(phone, "Officer feedback")
    submit(phone, "Send the response")
    expect(phone.locator("main")).to_contain_text("Both officers were given feedback")

    # The coordinator reads the response and disputes it: the escalation goes to the OPCC.
    visit(coordinator, f"/escalations/{escalation.pk}/")
    coordinator.get_by_label("Why the panel disputes the response").fill("Feedback alone does not fix recording.")
    submit(coordinator, "Dispute and refer to the OPCC")
    expect(coordinator.locator("main")).to_contain_text("Disputed: escalated to the OPCC")
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.DISPUTED
    assert [e.step for e in escalation.events.all()] == ["sent", "acknowledge", "respond", "dispute"]

    # The coordinator publishes the finding: the public page shows it, with no names.
    follow(coordinator, "The finding on the panel's pages", within="main")
    submit(coordinator, "Publish the finding")
    visit(coordinator, f"/public/panels/{world.panel.slug}/")
    expect(coordinator.locator("main")).to_contain_text(TITLE)
    expect(coordinator.locator("main")).not_to_contain_text(world.coordinator.user.name)

    # The OPCC officer sees it on the area's report.
    opcc = pages.new(width=WIDTH, height=640)
    sign_in(opcc, officer)
    follow(opcc, "escalation report", within="main")  # from the dashboard
    expect(opcc.get_by_role("heading", level=1)).to_have_text("Escalation report")
    expect(opcc.locator("main")).to_contain_text(TITLE)
    expect(opcc.locator("#figure-total")).to_have_text("1")
    assert_fits(opcc)
    assert Finding.objects.get(title=TITLE).session is not None  # its record is from the June review


def test_the_finding_pages_fit_a_small_screen(pages: Pages, world: World, force: Organisation) -> None:
    page = pages.new(width=WIDTH, height=640)
    sign_in(page, world.coordinator)
    visit(page, f"/panels/{world.panel.slug}/findings/")
    assert_fits(page)
    follow(page, "Write a finding", within="main")
    assert_fits(page)
    submit(page, "Save the finding", status=400)  # nothing filled in: the errors fit too
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the finding a title")
    assert_fits(page)
