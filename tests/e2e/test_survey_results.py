"""Survey results in a browser: the coordinator's results page, its breakdown and the page to share pass axe-core;
the page updates by itself when a response arrives during an event."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from panels.models import User
from surveys.building.models import Survey
from tests.e2e.browser import Pages, World, check_accessibility, follow, off_the_event_loop, sign_in, visit
from tests.surveys.results_data import respond, results_survey

pytestmark = pytest.mark.e2e


def submit(survey: Survey, by: User, count: int = 1, **answers: str) -> None:
    """Responses stored through the submit service, which tells the results pages once each commits."""
    off_the_event_loop(lambda: respond(survey, by=by, count=count, **answers))


def test_the_results_page_updates_live_and_the_shared_page_hides_small_numbers(pages: Pages, world: World) -> None:
    survey = results_survey(world.panel, by=world.coordinator.user)
    submit(survey, world.coordinator.user, count=12, q1="No", q3="tend_to_agree", q5_sex="female")
    page = pages.new()
    sign_in(page, world.coordinator)
    visit(page, f"/surveys/{survey.pk}/results/")
    check_accessibility(page)
    results = page.locator("#survey-results")
    expect(results).to_contain_text("12 responses")
    expect(results).to_contain_text("This was an opt-in survey")
    expect(results).to_have_attribute("data-live-connected", "true")

    # A response arrives (the event kiosk, say): the count and the table change without reloading the page.
    submit(survey, world.coordinator.user, q1="Yes", q2="<i>at the bus stop</i>")
    expect(page.locator("#results-responses")).to_have_text("13")
    expect(results.locator("table[data-question='1']")).to_contain_text("Yes")
    expect(results.locator("[data-texts]").first).to_contain_text("<i>at the bus stop</i>", timeout=5000)
    check_accessibility(page)

    page.get_by_label("Break down by").select_option(label="Question 5: Your sex")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    check_accessibility(page)
    expect(page.locator("table[data-question='1'] thead")).to_contain_text("Female")

    follow(page, "the results to share", within="main")
    check_accessibility(page)
    expect(page.locator("main")).to_contain_text("suppressed")
    expect(page.locator("main")).not_to_contain_text("at the bus stop")
