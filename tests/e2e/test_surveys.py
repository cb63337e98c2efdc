"""Surveys in a browser: a coordinator builds one with a display condition and opens it; a phone answers it with
the keyboard only; event mode takes three responses in a row on one page (a 14 to 17 year old ticks consent, one
answers offline); a paper form is typed in; the results page and both response exports hold exactly those answers.
A response queued offline that the server later refuses stays on the tablet for the commissioner. axe-core checks
every page."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from surveys.building.models import Survey
from surveys.building.services import survey_close
from surveys.responding.models import Answer, Response
from tests.e2e.browser import Pages, Person, World, check_accessibility, follow, sign_in, submit, visit
from tests.surveys.factories import make_survey

pytestmark = pytest.mark.e2e

PHONE = 390
PHONE_TEXT = "Stopped on the way to school <b>twice</b>"
KIOSK_TEXT = "Person 2 was searched"


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
    check_accessibility(page)  # the sampling-design radios and their hints
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

    # Reordering: question 2 depends on question 1, so it cannot go above it; the trust section moves up and back.
    page.get_by_role("button", name="Move up question 2").click()
    page.wait_for_load_state("load")
    check_accessibility(page)
    expect(page.locator("main")).to_contain_text("2. What happened?")
    expect(page.locator(".govuk-error-summary, .govuk-notification-banner")).to_contain_text("What happened?")
    trust = "section “Trust and confidence in the police”"
    page.get_by_role("button", name=f"Move up {trust}").click()
    page.wait_for_load_state("load")
    check_accessibility(page)
    expect(page.locator("main")).to_contain_text("1. Taking everything into account")
    page.get_by_role("button", name=f"Move down {trust}").click()
    page.wait_for_load_state("load")
    check_accessibility(page)
    expect(page.locator("main")).to_contain_text("1. Have you been stopped and searched?")
    # Deleting a section with questions asks first, naming them.
    page.get_by_role("button", name=f"Delete {trust}").click()
    page.wait_for_load_state("load")
    check_accessibility(page)
    expect(page.locator("#questions-to-delete")).to_contain_text("how good a job")
    check_accessibility(page)
    page.get_by_role("button", name=re.compile("Delete the section")).click()
    page.wait_for_load_state("load")
    check_accessibility(page)
    expect(page.locator("main")).not_to_contain_text("how good a job")
    expect(page.locator("main")).to_contain_text("2. What happened?")

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


# --- One survey answered three ways, then its results and exports ------------------------------
# The story the issue asks for: a phone answers with the keyboard only, event mode takes three responses in a row on
# one page (one from a 14 to 17 year old who must tick consent, one while offline), a paper form is typed in; then
# the results page counts exactly those answers and both response exports hold one row for each.


def _answer_on_a_phone(pages: Pages, survey: Survey) -> None:
    """Online: "Yes", and question 2 (shown only for "Yes") typed with markup in it, all from the keyboard."""
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
    page.keyboard.type(PHONE_TEXT)
    tab_to(page, "e.textContent && e.textContent.includes('Send my answers')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_accessibility(page)
    assert_fits_phone(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    response = Response.objects.get(survey=survey)
    assert response.channel == Response.Channel.ONLINE
    assert not response.under_18
    assert Answer.objects.get(response=response, question__text="What happened?").value == PHONE_TEXT


def _take_three_at_the_kiosk(page: Page, survey: Survey) -> None:
    """Event mode, one page: an adult; a 14 to 17 year old, refused until they tick consent; and one offline."""
    visit(page, f"/surveys/{survey.pk}/event/")
    status = page.locator("[data-kiosk-status]")
    consent = page.get_by_label("I have read the information for 14 to 17 year olds")
    expect(consent).to_be_hidden()

    # Person 1, an adult.
    page.get_by_label("No, I am 18 or over").check()
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Tend to disagree").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(status).to_contain_text("your answers have been sent")
    expect(page.get_by_label("No", exact=True)).not_to_be_checked()
    expect(page.get_by_label("No, I am 18 or over")).not_to_be_checked()

    # Person 2 is 16: the information and the consent tick come up, and without the tick nothing is sent.
    page.get_by_label("Yes, I am 14 to 17").check()
    expect(page.locator("#young_consent-group")).to_contain_text("Childline")
    expect(consent).to_be_visible()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("What happened?").fill(KIOSK_TEXT)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("happy to take part")
    expect(page.locator("#young_consent-error")).to_be_visible()
    check_accessibility(page)
    assert Response.objects.filter(survey=survey, channel=Response.Channel.EVENT).count() == 1
    consent.check()
    page.get_by_role("button", name="Send my answers").click()
    expect(status).to_contain_text("your answers have been sent")
    # Reset for the next person: nothing chosen, the conditional question and the consent hidden again.
    expect(page.get_by_label("Yes", exact=True)).not_to_be_checked()
    expect(page.get_by_label("What happened?")).to_be_hidden()
    expect(consent).to_be_hidden()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)

    # Person 3 answers while the connection is down: the answers wait on the tablet.
    page.context.set_offline(True)
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(status).to_contain_text("saved on this tablet")
    expect(page.locator("[data-kiosk-queue]")).to_have_text("1")
    expect(page.get_by_label("No", exact=True)).not_to_be_checked()
    check_accessibility(page)
    assert Response.objects.filter(survey=survey, channel=Response.Channel.EVENT).count() == 2

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("[data-kiosk-queue]")).to_have_text("0")
    event = Response.objects.filter(survey=survey, channel=Response.Channel.EVENT)
    assert event.count() == 3
    assert [r.under_18 for r in event.order_by("pk")] == [False, True, False]
    assert Answer.objects.filter(response__survey=survey, value=KIOSK_TEXT).count() == 1


def _type_in_a_paper_form(page: Page, survey: Survey, by: Person) -> None:
    """Paper entry from the keyboard: "No", then "Tend to agree"."""
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

    response = Response.objects.get(survey=survey, channel=Response.Channel.PAPER)
    assert response.entered_by == by.user
    assert {a.question.text: a.value for a in response.answers.select_related("question")} == {
        "Have you been stopped and searched?": "No",
        "The police in my area treat young people fairly.": "tend_to_agree",
    }


def _count(page: Page, question: int, answer: str) -> Locator:
    row = page.locator(f"table[data-question='{question}'] tbody tr").filter(
        has=page.get_by_role("rowheader", name=answer, exact=True)
    )
    return row.locator("[data-count]")


def _download(page: Page, fmt: str) -> Path:
    """Download the responses export through the results page's link."""
    with page.expect_download() as info:
        page.locator("li", has_text="Responses, one row per response").get_by_role("link", name=fmt.upper()).click()
    assert info.value.suggested_filename.endswith(f"-responses.{fmt}")
    return Path(info.value.path())


def _check_export(rows: list[list[Any]]) -> None:
    heading, *body = rows
    column = {name: i for i, name in enumerate(heading)}
    assert len(body) == 5, "one row per response"
    assert sorted(row[column["channel"]] for row in body) == ["event", "event", "event", "online", "paper"]
    assert Counter(row[column["Q1 label"]] for row in body) == {"Yes": 2, "No": 3}
    written = [row[column["Q2"]] for row in body if row[column["Q2"]]]
    assert sorted(written) == sorted([PHONE_TEXT, KIOSK_TEXT])
    assert sorted(row[column["Q3 label"]] for row in body if row[column["Q3 label"]]) == [
        "Tend to agree",
        "Tend to disagree",
    ]
    by_channel = {row[column["channel"]]: row for row in body}
    assert by_channel["online"][column["Q2"]] == PHONE_TEXT
    assert by_channel["paper"][column["Q3 code"]] == "tend_to_agree"


def test_answers_from_a_phone_the_kiosk_and_paper_reach_the_results_and_the_exports(pages: Pages, world: World) -> None:
    survey = make_survey(world.panel, open_it=True)
    _answer_on_a_phone(pages, survey)
    page = pages.new(width=800, height=1100)
    sign_in(page, world.coordinator)
    _take_three_at_the_kiosk(page, survey)
    _type_in_a_paper_form(page, survey, world.coordinator)

    visit(page, f"/surveys/{survey.pk}/results/")
    expect(page.locator("#results-responses")).to_have_text("5")
    expect(_count(page, 1, "Yes")).to_have_text("2")
    expect(_count(page, 1, "No")).to_have_text("3")
    expect(_count(page, 3, "Tend to agree")).to_have_text("1")
    expect(_count(page, 3, "Tend to disagree")).to_have_text("1")
    texts = page.locator("#results-q2 [data-texts]")
    expect(texts).to_contain_text(PHONE_TEXT)  # as text, never as markup
    expect(texts).to_contain_text(KIOSK_TEXT)

    with _download(page, "csv").open(encoding="utf-8-sig", newline="") as f:
        _check_export(list(csv.reader(f)))
    workbook = load_workbook(io.BytesIO(_download(page, "xlsx").read_bytes()))
    _check_export([list(row) for row in workbook["Responses"].iter_rows(values_only=True)])


def test_a_queued_response_the_server_later_refuses_stays_on_the_tablet_for_the_commissioner(
    pages: Pages, world: World
) -> None:
    survey = make_survey(world.panel, open_it=True)
    page = pages.new(width=800, height=1100)
    sign_in(page, world.coordinator)
    visit(page, f"/surveys/{survey.pk}/event/")
    page.context.set_offline(True)
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("What happened?").fill("Searched outside the station")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("[data-kiosk-queue]")).to_have_text("1")

    # The survey closes while the tablet is offline; when the connection is back, the server refuses the answers.
    survey_close(survey=survey)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("[data-kiosk-queue]")).to_have_text("0")
    banner = page.locator("[data-kiosk-rejected]")
    expect(banner).to_contain_text("1 response could not be saved: This survey is not taking responses.")
    check_accessibility(page)
    assert not Response.objects.filter(survey=survey).exists()

    # Kept on the tablet, also after the page is opened again (event mode is off now the survey has closed).
    visit(page, f"/surveys/{survey.pk}/event/")
    expect(page.locator("main")).to_contain_text("event mode is off")
    expect(banner).to_contain_text("1 response could not be saved")
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('survey-kiosk-refused-{survey.pk}'))")
    assert len(kept) == 1
    assert kept[0]["answers"][survey.questions.get(text="What happened?").field_name] == [
        "Searched outside the station"
    ]

    # The commissioner downloads the answers to type in by paper entry, then removes them (after saying so).
    with page.expect_download() as info:
        banner.get_by_role("button", name="Download the answers").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert "Not saved because: This survey is not taking responses." in text
    assert "1. Have you been stopped and searched?: Yes" in text
    assert "2. What happened?: Searched outside the station" in text

    page.once("dialog", lambda dialog: dialog.dismiss())
    banner.get_by_role("button", name="Remove them from this tablet").click()
    expect(banner).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    banner.get_by_role("button", name="Remove them from this tablet").click()
    expect(banner).to_be_hidden()
    assert page.evaluate(f"localStorage.getItem('survey-kiosk-refused-{survey.pk}')") is None


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
