"""Closing the loop, in three browsers: the coordinator codes a consultation's free-text answers into a theme and
writes a recommendation from it; the area's OPCC officer (signing in with an authenticator code) finds it from the
dashboard and responds (partly accepted, what will be done, by when) and adds a progress update; the coordinator
publishes it, and the panel's public page shows the recommendation, the response and the update, with no names.
Every page is checked with axe; the officer's pages fit 320 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from panels.models import Organisation, StaffRole
from surveys.loop.models import Recommendation
from surveys.responding.models import Response
from surveys.responding.services import response_submit
from tests.e2e.browser import Pages, Person, World, follow, off_the_event_loop, sign_in, submit, visit
from tests.e2e.test_small_screens import WIDTH, assert_fits
from tests.factories import OrganisationFactory, StaffRoleFactory, UserFactory, enrol_totp
from tests.surveys.factories import answers, make_survey, token

pytestmark = pytest.mark.e2e

TITLE = "Officers should explain every search"


def pick(page: Page, label: str, kind: str = "radios") -> None:
    page.locator(f"label.govuk-{kind}__label", has_text=label).first.click()


def officer_of(world: World) -> Person:
    office = OrganisationFactory.create(
        kind=Organisation.Kind.OPCC, force_area=world.panel.force_area, name="Northshire OPCC"
    )
    user = UserFactory.create(email="opal@opcc.example.org", name="Opal Officer")
    StaffRoleFactory.create(user=user, organisation=office, role=StaffRole.Role.OPCC_OFFICER)
    return Person(user, totp_secret=enrol_totp(user))


def test_a_recommendation_travels_from_consultation_to_pcc_response_to_the_public_page(
    pages: Pages, world: World
) -> None:
    survey = make_survey(world.panel, by=world.coordinator.user, title="Big Conversation", open_it=True)
    for text in ("They never said why they searched me.", "Nobody explained anything."):
        off_the_event_loop(
            lambda text=text: response_submit(  # type: ignore[misc]
                survey=survey,
                data=answers(survey, q1="Yes", q2=text),
                channel=Response.Channel.ONLINE,
                form_token=token(survey),
            )
        )

    # The coordinator codes the answers into a theme, then writes the recommendation from the consultation.
    coordinator = pages.new()
    sign_in(coordinator, world.coordinator)
    visit(coordinator, f"/panels/{world.panel.slug}/recommendations/")
    follow(coordinator, "Themes in Big Conversation", within="main")
    coordinator.get_by_label("Theme", exact=True).fill("Not told why")
    submit(coordinator, "Add the theme")
    coordinator.get_by_label("Use as a quote").first.check()
    submit(coordinator, "Tag answer 1")
    submit(coordinator, "Tag answer 2")
    expect(coordinator.locator("#theme-counts")).to_contain_text("Not told why")
    expect(coordinator.locator("#theme-counts")).to_contain_text("“They never said why they searched me.”")
    follow(coordinator, "Write a recommendation from this consultation", within="main")
    coordinator.get_by_label("Recommendation", exact=True).fill(TITLE)
    coordinator.get_by_label("What the panel recommends, and why").fill(
        "Young people told us officers rarely explain why they are searched."
    )
    pick(coordinator, "Not told why", "checkboxes")
    submit(coordinator, "Save as a draft")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(TITLE)
    submit(coordinator, "Send to the PCC")
    expect(coordinator.locator("main")).to_contain_text("Awaiting the PCC's response")

    # The OPCC officer finds it from the dashboard, responds and reports progress, on a phone.
    officer = officer_of(world)
    opcc = pages.new(width=WIDTH, height=640)
    sign_in(opcc, officer)
    follow(opcc, "Recommendations awaiting the PCC's response", within="main")
    assert_fits(opcc)
    follow(opcc, TITLE, within="#awaiting")
    assert_fits(opcc)
    follow(opcc, "Respond", within="main")
    pick(opcc, "Partly accepted")
    opcc.get_by_label("What will be done").fill("Every officer will be briefed on explaining the grounds.")
    due = timezone.localdate() + timedelta(days=120)
    opcc.get_by_label("By when").fill(due.isoformat())
    submit(opcc, "Save the response")
    assert_fits(opcc)
    expect(opcc.locator("main")).to_contain_text("Partly accepted")
    opcc.get_by_label("Progress update").fill("The briefing has been written and sent to every team.")
    submit(opcc, "Add the update")
    expect(opcc.locator("main")).to_contain_text("The briefing has been written")
    expect(opcc.get_by_role("button", name="Publish on the public page")).to_have_count(0)

    # The coordinator publishes it; the public page shows what was said and what is being done, with no names.
    visit(coordinator, f"/recommendations/{Recommendation.objects.get(title=TITLE).pk}/")
    submit(coordinator, "Publish on the public page")
    visit(coordinator, f"/public/panels/{world.panel.slug}/")
    main = coordinator.locator("main")
    expect(main).to_contain_text(TITLE)
    expect(main).to_contain_text("Partly accepted")
    expect(main).to_contain_text("Every officer will be briefed")
    expect(main).to_contain_text(due.strftime("%-d %B %Y"))
    expect(main).to_contain_text("The briefing has been written")
    for name in (world.coordinator.user.name, officer.user.name, officer.email, world.coordinator.email):
        expect(main).not_to_contain_text(name)
