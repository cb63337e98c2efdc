"""Surveys in a browser: a coordinator builds one with a display condition and opens it; a phone answers it with
the keyboard only; event mode takes three responses in a row on one page, one of them while offline; a paper form
is typed in. axe-core checks every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from surveys.models import Answer, Response, Survey
from tests.e2e.browser import Pages, World, check_accessibility, follow, sign_in, submit, visit
from tests.surveys.factories import make_survey

pytestmark = pytest.mark.e2e

PHONE = 390


def tab_to(page: Page, condition: str, *, limit: int = 60) -> None:
    """Press Tab until the focused element meets the condition (JS, with `e` the focused element)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!({condition}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


def assert_fits_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"{page.url} is {width} px wide on a {PHONE} px phone"


def test_a_coordinator_builds_a_survey_with_a_display_condition_and_opens_it(pages: Pages, world: World) -> None:
    page = pages.new()
    sign_in(page, world.coordinator)
    visit(page, f"/panels/{world.panel.slug}/")
    follow(page, "Surveys", within="nav.app-subnav")
    follow(page, "Create a survey", within="main")
    page.get_by_label("Title").fill("Young people and stop and search")
    submit(page, "Create the survey", status=200)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Survey created")

    follow(page, "Add a question", within="main")
    page.get_by_label("Type of question").select_option(label="Single choice")
    page.get_by_label("Question", exact=True).fill("Have you been stopped and searched?")
    page.get_by_label("Options or statements").fill("Yes\nNo")
    page.get_by_label("An answer is needed").check()
    submit(page, "Add the question", status=200)

    follow(page, "Add a question", within="main")
    page.get_by_label("Type of question").select_option(label="Free text")
    page.get_by_label("Question", exact=True).fill("What happened?")
    page.get_by_label("Show this question only if").select_option(
        label="Question 1 (Have you been stopped and searched?) is “Yes”"
    )
    submit(page, "Add the question", status=200)
    expect(page.locator("main")).to_contain_text("2. What happened?")
    expect(page.locator("main")).to_contain_text("shown only for some answers")

    page.get_by_role("button", name="Add the trust and confidence questions").click()
    page.wait_for_load_state("load")
    check_accessibility(page)
    expect(page.locator("main")).to_contain_text("how good a job do you think the police in your area are doing")

    # The preview hides question 2 until question 1 is answered "Yes".
    follow(page, "Preview", within="main")
    expect(page.locator("#survey-form")).to_contain_text("Have you been stopped")
    expect(page.get_by_label("What happened?")).to_be_hidden()
    page.get_by_label("Yes").check()
    expect(page.get_by_label("What happened?")).to_be_visible()
    page.get_by_label("No", exact=True).check()
    expect(page.get_by_label("What happened?")).to_be_hidden()
    follow(page, "Back to the survey", within="main")

    follow(page, "Open the survey", within="main")
    submit(page, "Open the survey", status=200)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The survey is open")
    survey = Survey.objects.get(title="Young people and stop and search")
    assert survey.status == Survey.Status.OPEN
    expect(page.locator("#public-link")).to_contain_text(f"/s/{survey.public_key}/")


def test_a_phone_answers_a_survey_with_the_keyboard_only(pages: Pages, world: World) -> None:
    survey = make_survey(world.panel, open_it=True)
    page = pages.new(width=PHONE, height=844)
    visit(page, f"/s/{survey.public_key}/")
    assert_fits_phone(page)
    expect(page.locator("main")).to_contain_text("We do not keep your IP address")

    tab_to(page, "e.name === 'age'")
    page.keyboard.press("ArrowDown")  # "No, I am 18 or over"
    tab_to(page, "e.textContent && e.textContent.includes('Start now')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_accessibility(page)
    assert_fits_phone(page)

    question_2 = page.get_by_label("What happened?")
    expect(question_2).to_be_hidden()
    tab_to(page, "e.type === 'radio' && e.value === 'Yes'")
    page.keyboard.press("Space")
    expect(question_2).to_be_visible()
    page.keyboard.press("Tab")
    expect(question_2).to_be_focused()
    page.keyboard.type("Stopped on the way to school <b>twice</b>")
    tab_to(page, "e.textContent && e.textContent.includes('Send my answers')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_accessibility(page)
    assert_fits_phone(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    response = Response.objects.get(survey=survey)
    assert response.channel == Response.Channel.ONLINE
    assert Answer.objects.get(response=response, question__text="What happened?").value == (
        "Stopped on the way to school <b>twice</b>"
    )


def test_event_mode_takes_three_responses_in_a_row_and_survives_a_lost_connection(pages: Pages, world: World) -> None:
    survey = make_survey(world.panel, open_it=True)
    page = pages.new(width=800, height=1100)
    sign_in(page, world.coordinator)
    visit(page, f"/surveys/{survey.pk}/event/")
    status = page.locator("[data-kiosk-status]")

    for person, answer in enumerate(["No", "Yes", "No"], start=1):
        if person == 3:
            page.context.set_offline(True)
        page.get_by_label(answer, exact=True).check()
        if answer == "Yes":
            page.get_by_label("What happened?").fill(f"Person {person} was searched")
        page.get_by_role("button", name="Send my answers").click()
        if person == 3:
            expect(status).to_contain_text("saved on this tablet")
            expect(page.locator("[data-kiosk-queue]")).to_have_text("1")
        else:
            expect(status).to_contain_text("your answers have been sent")
        # Reset for the next person: nothing chosen, the conditional question hidden again.
        expect(page.get_by_label("Yes", exact=True)).not_to_be_checked()
        expect(page.get_by_label("No", exact=True)).not_to_be_checked()
        expect(page.get_by_label("What happened?")).to_be_hidden()
    check_accessibility(page)
    assert Response.objects.filter(survey=survey).count() == 2

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("[data-kiosk-queue]")).to_have_text("0")
    assert Response.objects.filter(survey=survey, channel=Response.Channel.EVENT).count() == 3
    assert Answer.objects.filter(response__survey=survey, value="Person 2 was searched").count() == 1


def test_a_paper_form_is_typed_in_from_the_keyboard(pages: Pages, world: World) -> None:
    survey = make_survey(world.panel, open_it=True)
    page = pages.new()
    sign_in(page, world.coordinator)
    visit(page, f"/surveys/{survey.pk}/paper/")
    # The keyboard starts on the first answer; the arrow keys choose it.
    assert page.evaluate("document.activeElement.value") == "Yes"
    page.keyboard.press("ArrowDown")  # "No"
    # Question 2 is hidden for "No", so the next Tab stop is question 3, the agreement scale.
    agreement = survey.questions.get(kind="agreement").field_name
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == agreement
    page.keyboard.press("ArrowDown")
    tab_to(page, "e.textContent && e.textContent.includes('Save and type in the next')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_accessibility(page)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Paper form saved")
    expect(page.locator("main")).to_contain_text("1 paper form typed in")

    response = Response.objects.get(survey=survey)
    assert response.channel == Response.Channel.PAPER
    assert response.entered_by == world.coordinator.user
    assert {a.question.text: a.value for a in response.answers.select_related("question")} == {
        "Have you been stopped and searched?": "No",
        "The police in my area treat young people fairly.": "tend_to_agree",
    }


def test_a_youth_commissioner_builds_a_survey_on_a_phone(pages: Pages, world: World) -> None:
    page = pages.new(width=PHONE, height=844)
    sign_in(page, world.outsider)  # a member of the youth commission
    visit(page, f"/panels/{world.other_panel.slug}/")
    follow(page, "Surveys", within="nav.app-subnav")
    assert_fits_phone(page)
    follow(page, "Create a survey", within="main")
    assert_fits_phone(page)
    page.get_by_label("Title").fill("Big Conversation")
    submit(page, "Create the survey", status=200)
    assert_fits_phone(page)
    follow(page, "Add a question", within="main")
    assert_fits_phone(page)
    page.get_by_label("Type of question").select_option(label="About you (demographics)")
    page.get_by_label("Question", exact=True).fill("About you")
    submit(page, "Add the question", status=200)
    assert_fits_phone(page)
    follow(page, "Preview", within="main")
    assert_fits_phone(page)
    expect(page.locator("#survey-form")).to_contain_text("first part of your postcode")
