"""At 320 px wide (WCAG 1.4.10 reflow) the pages fit without sideways scrolling and work from the keyboard."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from panels.models import SelfDescription
from tests.e2e.browser import Pages, World, check_accessibility, sign_in, visit
from tests.factories import MembershipFactory

pytestmark = pytest.mark.e2e

WIDTH = 320


class TooWide(AssertionError):
    pass


def assert_fits(page: Page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > WIDTH:
        # What sticks out: anything outside a sideways-scrolling table box, or positioned out of it.
        wide = page.evaluate(
            """(width) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1)
                .filter(e => getComputedStyle(e).position === 'absolute' || !e.closest('.app-table-wrap'))
                .slice(0, 5)
                .map(e => `${Math.round(e.getBoundingClientRect().right)} px: ${e.outerHTML.slice(0, 120)}`)""",
            WIDTH,
        )
        raise TooWide(f"{page.url} is {scroll_width} px wide at {WIDTH} px; too wide: {wide}")


def assert_skip_link_leads_to_main(page: Page) -> None:
    """The first Tab stop is the skip link, and following it puts the keyboard focus on the main content."""
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible when focused, not only to screen readers
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_signed_in_pages_fit_a_small_screen_and_work_with_a_keyboard(pages: Pages, world: World) -> None:
    page = pages.new(width=WIDTH, height=640)
    sign_in(page, world.coordinator)
    assert_fits(page)

    for path in ["/dashboard/", f"/panels/{world.panel.slug}/"]:
        visit(page, path)
        assert_fits(page)
        assert_skip_link_leads_to_main(page)

    # The site menu folds behind a button, which opens with the keyboard and leads on.
    visit(page, f"/panels/{world.panel.slug}/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("link", name="Dashboard")).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    dashboard = page.get_by_role("link", name="Dashboard")
    expect(dashboard).to_be_visible()
    page.keyboard.press("Tab")
    expect(dashboard).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_accessibility(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs you today")


def test_the_members_page_fits_a_small_screen_and_works_with_a_keyboard(pages: Pages, world: World) -> None:
    page = pages.new(width=WIDTH, height=640)
    sign_in(page, world.coordinator)
    visit(page, f"/panels/{world.panel.slug}/members/")
    # The tables scroll sideways inside their own boxes, which the keyboard can reach.
    for region in page.locator(".app-table-wrap").all():
        assert region.get_attribute("tabindex") == "0"
    assert_skip_link_leads_to_main(page)
    assert_fits(page)


@pytest.fixture
def described_members(world: World) -> None:
    """Twelve members who chose to describe themselves: enough for the panel's make-up tables to be shown."""
    for n, (group, age, sex) in enumerate(
        [("13", "18-24", "female"), ("13", "25-34", "male"), ("13", "35-49", "female"), ("6", "50-64", "male")] * 3
    ):
        user = MembershipFactory.create(panel=world.panel, user__email=f"described{n}@example.org").user
        SelfDescription.objects.create(
            user=user, ethnic_group=group, age_band=age, sex=sex, disability="no", consented_at=timezone.now()
        )


@pytest.mark.usefixtures("described_members")
def test_the_public_panel_page_fits_a_small_screen_and_works_with_a_keyboard(pages: Pages, world: World) -> None:
    page = pages.new(width=WIDTH, height=640)
    visit(page, f"/public/panels/{world.panel.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(world.panel.name)
    expect(page.get_by_role("table")).to_have_count(4)  # ethnic group beside the area, age, sex, disability
    assert_fits(page)
    assert_skip_link_leads_to_main(page)
