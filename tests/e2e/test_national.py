"""The national comparison in a browser: a coordinator reads every force beside the others on a 320 px phone with
the keyboard alone (the period and group chosen, the wide table scrolled in its box, the funnel plots loaded, on to
a force's own page and how it compares), the public reads the suppressed version on a desktop and opens a chart's
numbers from the keyboard, and someone on no reporting role is refused. axe finds no serious or critical violation
on any page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from common.months import add_months
from tests.e2e.browser import Pages, Person, World, check_accessibility, sign_in, visit
from tests.e2e.test_reporting import images_loaded
from tests.e2e.test_small_screens import WIDTH, assert_fits
from tests.scrutiny.national_support import add_searches, force

pytestmark = pytest.mark.e2e


def whole_months_back(n: int) -> date:
    first = timezone.localdate().replace(day=1)
    return add_months(first, -n)


@pytest.fixture
def searches(live_server_url: str) -> None:
    latest, before = whole_months_back(1), whole_months_back(2)
    add_searches(
        force("metropolitan"),
        latest,
        {"White": 300, "Black": 240, "Asian": 90, "Mixed": 40, "Other": 20, "not stated": 25},
        arrests={"White": 40, "Black": 35, "Asian": 12, "Mixed": 10, "Other": 10},
    )
    add_searches(force("west-midlands"), before, {"White": 150, "Black": 60, "Asian": 80, "Mixed": 15, "Other": 12})
    add_searches(force("merseyside"), latest, {"White": 260, "Black": 25, "Asian": 14, "Mixed": 12, "Other": 10})
    # Two small Black counts, 6 and 5: hidden in public, and together enough that no other force's need be.
    add_searches(force("cheshire"), latest, {"White": 45, "Black": 6, "Asian": 11})
    add_searches(force("dorset"), latest, {"White": 30, "Black": 5, "Asian": 10})
    add_searches(force("btp"), latest, {"White": 50, "Black": 30})


def press_tab_until(page: Page, role: str, name: str, *, limit: int = 120) -> None:
    """Press Tab until the element with this role and name has the focus, as someone without a mouse would."""
    target = page.get_by_role(role, name=name, exact=True)  # type: ignore[arg-type]
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f'{role} "{name}" was not reached with the Tab key')


def test_a_coordinator_compares_every_force_on_a_phone_with_the_keyboard(
    pages: Pages, world: World, searches: None
) -> None:
    phone = pages.new(width=WIDTH, height=740)
    sign_in(phone, world.coordinator)
    visit(phone, "/reports/national/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Stop and search: every force compared")
    expect(phone.locator("main")).to_contain_text("Not for publication: counts under 10 are shown")
    expect(phone.locator("#coverage")).to_contain_text("England and Wales: 5 of 43 forces")
    table = phone.locator("#forces-table")
    expect(table.locator('tr[data-force="cheshire"] [data-field="searches"]')).to_have_text("6")
    assert_fits(phone)

    # The period and the group from the keyboard: the form's select, then Tab to "Show" and Enter.
    group = phone.get_by_label("Compare with White people")
    group.focus()
    group.select_option("asian")
    press_tab_until(phone, "button", "Show")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    check_accessibility(phone)
    expect(phone.get_by_role("heading", name="How each force compares: Asian and White people")).to_be_visible()
    assert_fits(phone)

    # The wide table scrolls sideways in its own box, which the keyboard reaches and scrolls.
    region = phone.get_by_role("region", name="Forces: Asian and White people")
    region.focus()
    expect(region).to_be_focused()
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle())

    # The four funnel plots load.
    widths = images_loaded(phone)
    assert len(widths) == 4
    assert all(w > 0 for w in widths), widths

    # On to a force's own page, by the keyboard: how it compares, and back to every force with it marked.
    region.focus()
    press_tab_until(phone, "link", "Merseyside Police")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    check_accessibility(phone)
    expect(phone.get_by_role("heading", name="How Merseyside Police compares with other forces")).to_be_visible()
    expect(phone.locator('[data-compare="merseyside"] [data-group="Black"]')).to_contain_text("times as likely")
    assert_fits(phone)
    press_tab_until(phone, "link", "See every force")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    check_accessibility(phone)
    expect(phone.locator('tr[data-force="merseyside"]')).to_contain_text("Selected")
    assert_fits(phone)


def test_the_public_reads_the_suppressed_comparison_on_a_desktop_and_the_others_are_refused(
    pages: Pages, world: World, searches: None, stranger: Person
) -> None:
    desktop = pages.new(width=1280, height=900)
    visit(desktop, "/public/national/")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Stop and search: every force compared")
    expect(desktop.locator("main")).not_to_contain_text("Not for publication")
    table = desktop.locator("#forces-table")
    expect(table.locator('tr[data-force="cheshire"] [data-field="searches"]')).to_have_text("not shown")
    expect(table.locator('tr[data-force="metropolitan"] [data-field="searches"]')).to_have_text("240")
    expect(desktop.locator("#btp-table")).to_contain_text("30")
    assert all(w > 0 for w in images_loaded(desktop))
    for chart in ("black", "asian"):
        expect(desktop.locator(f"#chart-{chart} img")).to_have_attribute("alt", re.compile(r"^Funnel plot of the"))

    # A chart's numbers open from the keyboard.
    summary = desktop.locator("#chart-black summary")
    summary.focus()
    desktop.keyboard.press("Enter")
    expect(desktop.locator('#chart-black table[data-chart="black"]')).to_be_visible()
    expect(desktop.locator('#chart-black table[data-chart="black"]')).not_to_contain_text("Cheshire")

    # Someone signed in without a reporting role is refused the staff page; they are pointed to the public one.
    page = pages.new(width=WIDTH, height=740)
    sign_in(page, world.outsider)
    visit(page, "/reports/national/", status=403)
    expect(page.locator("main")).to_contain_text("everyone can read its public version")
    assert_fits(page)
    other = pages.new(width=WIDTH, height=740)
    sign_in(other, stranger)
    visit(other, "/reports/national/", status=403)
