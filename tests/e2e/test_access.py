"""People who are not on a panel cannot open its private pages; visitors who are not signed in are asked to."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import Pages, Person, World, sign_in, submit, visit

pytestmark = pytest.mark.e2e


def private_pages(world: World) -> list[str]:
    slug = world.panel.slug
    return [
        f"/panels/{slug}/",
        f"/panels/{slug}/members/",
        f"/panels/{slug}/meetings/",
        f"/panels/{slug}/meetings/{world.meeting.pk}/",
        f"/panels/{slug}/edit/",
        f"/panels/{slug}/meetings/{world.meeting.pk}/edit/",
    ]


@pytest.mark.parametrize("who", ["member of another panel", "member of no panel"])
def test_a_person_who_is_not_on_the_panel_is_refused_its_private_pages(
    pages: Pages, world: World, stranger: Person, who: str
) -> None:
    person = world.outsider if who == "member of another panel" else stranger
    page = pages.new()
    sign_in(page, person)

    for path in private_pages(world):
        visit(page, path, status=403)
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
        expect(page.locator("main")).to_contain_text("You are not a member of this panel.")
        main = page.locator("main").inner_text()
        assert world.meeting.title not in main, f"{path} leaks the meeting's title"
        assert world.coordinator.email not in main, f"{path} leaks a member's email address"

    # What the panel publishes is open to everyone, them included.
    visit(page, f"/public/panels/{world.panel.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(world.panel.name)


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in_and_then_refused(pages: Pages, world: World) -> None:
    page = pages.new()
    for path in private_pages(world):
        visit(page, path)
        url = urlsplit(page.url)
        assert url.path == "/accounts/login/", f"{path} led to {page.url}, not the sign-in page"
        assert parse_qs(url.query).get("next") == [path], f"{path} would not come back after signing in: {page.url}"
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # Signing in from there as someone not on the panel still gets the refusal, not the page.
    page.get_by_label("Email").fill(world.outsider.email)
    page.get_by_label("Password", exact=True).fill(world.outsider.password)
    submit(page, "Sign in", status=403)
    assert urlsplit(page.url).path == private_pages(world)[-1]
    expect(page.locator("main")).to_contain_text("You are not a member of this panel.")
