"""The whole of a panel's review, five people in five browsers at once (issue 4): the chair draws a sample, two
members score blind, the chair reveals and records the panel's view, writes a finding and escalates it; the force
liaison officer responds; the OPCC officer sees it on the area's report. Live changes arrive without a reload.

The two tests this builds on go deeper into each half: test_review_session.py (the live meeting) and
test_escalation.py (the escalation's every step)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from panels.models import Organisation, StaffRole
from scrutiny.models import Escalation, EscalationStatus, ReviewSession
from tests.e2e.browser import Pages, Person, World, check_accessibility, follow, sign_in, submit, visit
from tests.e2e.test_escalation import pick, staff_person
from tests.e2e.test_review_session import (
    AMINA_SAYS,
    BEN_SAYS,
    assert_not_reloaded,
    choose,
    live,
    mark_as_not_reloaded,
    people,  # noqa: F401 - the fixture: a chair and two members, twelve records
    score,
)
from tests.e2e.test_small_screens import WIDTH
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.e2e

FINDING = "Searches on the smell of cannabis alone"


def test_a_panel_reviews_finds_escalates_and_the_force_and_the_opcc_answer(
    pages: Pages,
    world: World,
    people: dict[str, Person],  # noqa: F811
) -> None:
    force = Organisation.objects.get(kind=Organisation.Kind.FORCE, force_area=world.panel.force_area)
    liaison = staff_person(force, StaffRole.Role.FORCE_LIAISON, "liam@force.example.org", "Liam Liaison")
    office = OrganisationFactory.create(
        name="Office of the Northshire PCC", kind=Organisation.Kind.OPCC, force_area=world.panel.force_area
    )
    officer = staff_person(office, StaffRole.Role.OPCC_OFFICER, "opal@opcc.example.org", "Opal Officer")

    chair, amina, ben = pages.new(), pages.new(), pages.new()
    for page, who in ((chair, "chair"), (amina, "amina"), (ben, "ben")):
        sign_in(page, people[who])

    # The sample, drawn through the form.
    visit(chair, f"/panels/{world.panel.slug}/sessions/")
    follow(chair, "New session", within="main")
    chair.get_by_label("Title").fill("Story review")
    chair.get_by_label("How many records").fill("2")
    chair.get_by_label("Seed").fill("11")
    submit(chair, "Draw the sample and create the session")
    session = ReviewSession.objects.get(title="Story review")
    live(chair)
    for page in (amina, ben):
        visit(page, f"/sessions/{session.pk}/")
        live(page)
        mark_as_not_reloaded(page)
    submit(chair, "Start with the first record")
    live(chair)
    for page in (amina, ben):
        expect(page.locator("#current-heading")).to_contain_text("Record 1 of 2")

    # Both members score blind; each sees only the count move.
    score(amina, grounds="Not reasonable", grade="8", comment=AMINA_SAYS)
    expect(ben.locator("#current [data-scored]")).to_have_text("1")
    assert AMINA_SAYS not in ben.content()
    mark_as_not_reloaded(amina)
    score(ben, grounds="Not reasonable", grade="7", comment=BEN_SAYS)
    mark_as_not_reloaded(ben)
    expect(amina.locator("#current [data-scored]")).to_have_text("2")
    assert BEN_SAYS not in amina.content()

    # The reveal and the agreed view reach both members without a reload.
    submit(chair, "Reveal the scores")
    for page in (amina, ben):
        expect(page.locator('[data-spread-grounds="Not reasonable"]')).to_contain_text("2")
    choose(chair, "Not reasonable")
    chair.get_by_label("The panel's grade").select_option("8")
    submit(chair, "Record the panel's view")
    for page in (amina, ben):
        expect(page.locator("[data-agreed-view]")).to_contain_text("Red 8")
        assert_not_reloaded(page)

    # The chair writes the finding about this session's record, and escalates it to the force.
    visit(chair, f"/panels/{world.panel.slug}/findings/")
    follow(chair, "Write a finding", within="main")
    chair.get_by_label("Title").fill(FINDING)
    chair.get_by_label("Category").select_option("grounds")
    pick(chair, "Red")
    chair.get_by_label("What the panel saw").fill("The grounds rest on a smell of cannabis and nothing else.")
    pick(chair, "Story review", "checkboxes")
    submit(chair, "Save the finding")
    follow(chair, "Escalate to the force", within="main")
    chair.get_by_label("What the panel asks the force").fill("What did the officers' supervisor say?")
    submit(chair, "Send the escalation")
    escalation = Escalation.objects.get(finding__title=FINDING)
    assert escalation.finding.session == session

    # A fourth browser: the force liaison officer responds.
    phone = pages.new(width=WIDTH, height=640)
    sign_in(phone, liaison)
    visit(phone, f"/escalations/{escalation.pk}/")
    expect(phone.locator("main")).not_to_contain_text(AMINA_SAYS)
    expect(phone.locator("main")).not_to_contain_text("Amina Member")
    expect(phone.locator("main")).not_to_contain_text("Chidi Chair")
    phone.get_by_label("The force's response").fill("The supervisor reviewed both searches with the officers.")
    pick(phone, "Supervisor review")
    submit(phone, "Send the response")
    expect(phone.locator("main")).to_contain_text("Responded")
    check_accessibility(phone)
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RESPONDED

    # A fifth: the OPCC officer sees it, answered, on the area's report.
    opcc = pages.new()
    sign_in(opcc, officer)
    visit(opcc, "/escalations/report/")
    expect(opcc.locator("main")).to_contain_text(FINDING)
    expect(opcc.locator("#figure-total")).to_have_text("1")
    check_accessibility(opcc)
