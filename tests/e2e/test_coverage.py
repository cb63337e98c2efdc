"""The coverage pages in a browser, after a real sync against the replay server (one force-month failing): a
coordinator on a 320 px phone finds them from the dashboard, reads each force's state, moves through the table and to
a force's page with the keyboard alone and sees why a month failed; the same on a desktop; someone on no panel is
refused. axe finds no serious or critical violation on any of them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from scrutiny.records.importing.fetch import RateLimiter
from scrutiny.sync.replay import ReplayServer
from scrutiny.sync.services import sync_run
from tests.e2e.browser import Pages, Person, World, check_accessibility, follow, sign_in, visit
from tests.e2e.test_small_screens import WIDTH, assert_fits

pytestmark = pytest.mark.e2e


@pytest.fixture
def synced(tmp_path: Path, world: World, settings: Any) -> None:
    """Sync from a copy of the recordings, with Cheshire's August 2025 failing every try."""
    settings.POLICE_UK_ATTEMPTS = 2
    settings.POLICE_UK_TIMEOUT = 1
    shutil.copytree(Path(django_settings.BASE_DIR) / "data" / "police-uk-api", tmp_path / "api")
    with ReplayServer(tmp_path / "api") as replay:
        replay.add_fault("cheshire", "2025-08", "503", times=2)
        summary = sync_run(base_url=replay.url, limiter=RateLimiter(rate=1000, burst=1000))
    assert (summary.run.status, summary.run.failed) == ("finished", 1)


def tab_to(page: Page, name: str, *, limit: int = 80) -> None:
    """Press Tab until the link with this name has the focus (as someone without a mouse would)."""
    link = page.get_by_role("link", name=name, exact=True)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f'"{name}" was not reached with the Tab key')


def test_a_coordinator_reads_coverage_on_a_phone_with_the_keyboard_and_on_a_desktop(
    pages: Pages, world: World, synced: None
) -> None:
    phone = pages.new(width=WIDTH, height=740)
    sign_in(phone, world.coordinator)
    follow(phone, "Which months each force's records are held for", within="main")
    expect(phone.get_by_role("heading", level=1)).to_have_text("data.police.uk coverage")
    assert_fits(phone)

    table = phone.locator("[data-coverage]")
    expect(table.locator('tr[data-force="avon-and-somerset"]')).to_contain_text("Up to date")
    expect(table.locator('tr[data-force="cheshire"]')).to_contain_text("Failing: retried next run")
    expect(table.locator('tr[data-force="kent"]')).to_contain_text("Not published by data.police.uk")
    expect(phone.get_by_text("1 force had months that could not be fetched")).to_be_visible()

    # The wide table scrolls sideways in its own box, which the keyboard reaches and scrolls.
    region = phone.get_by_role("region", name="Coverage by force")
    region.focus()
    expect(region).to_be_focused()
    before = region.evaluate("e => e.scrollLeft")
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle())
    assert region.evaluate("e => e.scrollLeft") > before

    # On to Cheshire's page by the keyboard alone.
    tab_to(phone, "Cheshire Constabulary")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    check_accessibility(phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Cheshire Constabulary")
    assert_fits(phone)
    failures = phone.locator("[data-failures]")
    expect(failures).to_contain_text("August 2025")
    expect(failures).to_contain_text("data.police.uk answered 503")
    expect(phone.locator('tr[data-month="2025-09"]')).to_contain_text("Held")
    expect(phone.locator('tr[data-month="2023-01"]')).to_contain_text("Not published")

    # Back to every force, again by the keyboard: the back link comes first after the header.
    back = phone.get_by_role("link", name="Every force's coverage")
    back.focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    check_accessibility(phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text("data.police.uk coverage")

    desktop = pages.new(width=1280, height=900)
    sign_in(desktop, world.coordinator)
    visit(desktop, "/coverage/")
    expect(desktop.get_by_role("row", name="Avon and Somerset Constabulary")).to_contain_text("507")
    visit(desktop, "/coverage/btp/")
    expect(desktop.get_by_text("no resident population")).to_be_visible()


def test_someone_on_no_panel_is_refused(pages: Pages, stranger: Person) -> None:
    page = pages.new()
    sign_in(page, stranger)
    visit(page, "/coverage/", status=403)
    expect(page.locator("main")).to_contain_text("Only coordinators, OPCC officers and site staff")
    visit(page, "/coverage/cheshire/", status=403)
