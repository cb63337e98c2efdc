"""A live review session in three browsers at once: the chair draws a sample through the form, two members score
blind, the chair reveals and records the panel's view, and every change reaches the other browsers without a
reload. Every page is checked with axe; the session page fits 320 px."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from panels.models import Membership
from scrutiny.choices import EthnicGroup
from scrutiny.models import Assessment, ReviewSession
from scrutiny.reviews.sampling import SampleSpec
from scrutiny.reviews.services import session_create
from tests.e2e.browser import Pages, Person, World, check_accessibility, follow, sign_in, submit, visit
from tests.e2e.test_small_screens import WIDTH, assert_fits
from tests.factories import MembershipFactory
from tests.scrutiny.factories import make_batch, make_force, make_record

pytestmark = pytest.mark.e2e

GROUPS = [EthnicGroup.ASIAN, EthnicGroup.BLACK, EthnicGroup.MIXED, EthnicGroup.WHITE, EthnicGroup.OTHER]
AMINA_SAYS = "Amina: the grounds are a template"
BEN_SAYS = "Ben: a smell alone is not enough"


@pytest.fixture
def people(world: World) -> dict[str, Person]:
    batch = make_batch(make_force(code=world.panel.force_area.code))
    for n in range(12):
        make_record(batch, ethnic_group=GROUPS[n % 5], grounds_text="Smelt cannabis on approach.")

    def join(role: str, email: str, name: str) -> Person:
        membership = MembershipFactory.create(panel=world.panel, role=role, user__email=email, user__name=name)
        return Person(membership.user)

    return {
        "chair": join(Membership.Role.CHAIR, "chidi@example.org", "Chidi Chair"),
        "amina": join(Membership.Role.MEMBER, "amina@example.org", "Amina Member"),
        "ben": join(Membership.Role.MEMBER, "ben@example.org", "Ben Member"),
    }


def mark_as_not_reloaded(page: Page) -> None:
    page.evaluate("window.e2eNotReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.e2eNotReloaded === true"), f"{page.url} was reloaded"


def live(page: Page) -> None:
    expect(page.locator("#review-session")).to_have_attribute("data-live-connected", "true")


def choose(page: Page, label: str) -> None:
    """Pick a GOV.UK radio as a person does: by clicking its label (the styled label covers the input)."""
    page.locator("label.govuk-radios__label", has_text=label).filter(has_text=label).first.click()
    expect(page.get_by_role("radio", name=label, exact=True)).to_be_checked()


def score(page: Page, *, grounds: str, grade: str, comment: str) -> None:
    follow(page, "Score this record (record 1)", within="#current")
    expect(page.get_by_role("heading", level=1)).to_have_text("Score record 1")
    choose(page, grounds)
    page.get_by_label("Grade").select_option(grade)
    page.get_by_label("Comment").fill(comment)
    submit(page, "Submit your score")
    live(page)


def test_a_live_session_with_a_chair_and_two_members(pages: Pages, world: World, people: dict[str, Person]) -> None:
    chair, amina, ben = pages.new(), pages.new(), pages.new()
    for page, who in ((chair, "chair"), (amina, "amina"), (ben, "ben")):
        sign_in(page, people[who])

    # The chair draws a sample of three through the form.
    visit(chair, f"/panels/{world.panel.slug}/sessions/")
    follow(chair, "New session", within="main")
    chair.get_by_label("Title").fill("December review")
    chair.get_by_label("How many records").fill("3")
    chair.get_by_label("Seed").fill("7")
    submit(chair, "Draw the sample and create the session")
    session = ReviewSession.objects.get()
    expect(chair.get_by_role("heading", level=1)).to_have_text("December review")
    expect(chair.locator("[data-item-scored]")).to_have_count(3)
    expect(chair.locator("#sample")).to_contain_text("3 at random; seed 7")
    live(chair)

    # The members open the session page; the chair sees them arrive.
    for page in (amina, ben):
        visit(page, f"/sessions/{session.pk}/")
        live(page)
        mark_as_not_reloaded(page)
    expect(chair.locator("[data-present]")).to_contain_text("Amina Member")
    expect(chair.locator("[data-present]")).to_contain_text("Ben Member")

    # The chair starts: both members' pages move to record 1 by themselves.
    submit(chair, "Start with the first record")
    live(chair)
    mark_as_not_reloaded(chair)
    for page in (amina, ben):
        expect(page.locator("#current-heading")).to_contain_text("Record 1 of 3")
        expect(page.locator("#current [data-grounds]")).to_have_text("Smelt cannabis on approach.")
        check_accessibility(page)

    # Amina scores: the others see the count move, not her score.
    score(amina, grounds="Not reasonable", grade="8", comment=AMINA_SAYS)
    expect(ben.locator("#current [data-scored]")).to_have_text("1")
    expect(chair.locator("#current [data-scored]")).to_have_text("1")
    expect(ben.locator("#current [data-scorers]")).to_have_text("3")
    assert AMINA_SAYS not in ben.content()
    assert AMINA_SAYS not in chair.content()

    # Ben scores: Amina's page (now back on the session) counts him too, and still cannot read his score.
    mark_as_not_reloaded(amina)
    score(ben, grounds="Unclear", grade="5", comment=BEN_SAYS)
    mark_as_not_reloaded(ben)
    expect(amina.locator("#current [data-scored]")).to_have_text("2")
    expect(chair.locator("#current [data-scored]")).to_have_text("2")
    assert BEN_SAYS not in amina.content()
    assert AMINA_SAYS not in ben.content()
    assert Assessment.objects.filter(status="submitted").count() == 2

    # The chair reveals: the spread arrives everywhere, and each member may now read the other's score.
    submit(chair, "Reveal the scores")
    for page in (amina, ben):
        expect(page.locator("#current")).to_contain_text("How the panel scored it")
        expect(page.locator('[data-spread-grounds="Not reasonable"]')).to_contain_text("1")
        expect(page.locator('[data-spread-grounds="Unclear"]')).to_contain_text("1")
        expect(page.get_by_role("link", name="Score this record (record 1)")).to_have_count(0)
        check_accessibility(page)
    amina.get_by_text("Each score (names not shown)").click()
    expect(amina.locator("#current")).to_contain_text(BEN_SAYS)

    # The chair records the panel's agreed view; the members see it without reloading.
    choose(chair, "Not reasonable")
    chair.get_by_label("The panel's grade").select_option("8")
    chair.get_by_label("Note").fill("Grounds generic; raise with the force.")
    submit(chair, "Record the panel's view")
    for page in (amina, ben):
        expect(page.locator("[data-agreed-view]")).to_contain_text("Not reasonable")
        expect(page.locator("[data-agreed-view]")).to_contain_text("Red 8")
        check_accessibility(page)
        assert_not_reloaded(page)

    # Next record: everyone moves on together.
    submit(chair, "Next record")
    for page in (amina, ben):
        expect(page.locator("#current-heading")).to_contain_text("Record 2 of 3")
        assert_not_reloaded(page)
        check_accessibility(page)
    item = session.items.get(position=1)
    assert (item.agreed_grounds, item.agreed_grade) == ("not_reasonable", 8)


def test_the_session_page_fits_a_small_screen_and_refuses_an_outsider(
    pages: Pages, world: World, people: dict[str, Person]
) -> None:
    session = session_create(
        panel=world.panel, title="Small screens", day=date(2025, 7, 1), spec=SampleSpec(size=5, seed=3), by=None
    )
    page = pages.new(width=WIDTH, height=640)
    sign_in(page, people["amina"])
    for path in (
        f"/sessions/{session.pk}/",
        f"/sessions/{session.pk}/summary/",
        f"/panels/{world.panel.slug}/sessions/",
    ):
        visit(page, path)
        assert_fits(page)
    first = session.items.get(position=1)
    visit(page, f"/sessions/{session.pk}/items/{first.pk}/score/")
    assert_fits(page)

    # The chair's controls fit too: before and after the reveal.
    chair = pages.new(width=WIDTH, height=640)
    sign_in(chair, people["chair"])
    visit(chair, f"/sessions/{session.pk}/")
    submit(chair, "Start with the first record")
    assert_fits(chair)
    submit(chair, "Reveal the scores")
    expect(chair.get_by_role("button", name="Record the panel's view")).to_be_visible()
    assert_fits(chair)
    visit(chair, f"/panels/{world.panel.slug}/sessions/new/")
    assert_fits(chair)

    outsider = pages.new()
    sign_in(outsider, world.outsider)
    for path in (f"/sessions/{session.pk}/", f"/panels/{world.panel.slug}/sessions/"):
        response = visit(outsider, path, status=None)
        assert response.status in (403, 404), path
        expect(outsider.locator("main")).not_to_contain_text("Small screens")


def test_a_page_that_loses_its_connection_catches_up_when_it_comes_back(
    pages: Pages, world: World, people: dict[str, Person]
) -> None:
    """The meeting's state is in the database: a member whose connection drops (a flaky network, a server
    restarting) misses the chair's step, reconnects by itself and finds the meeting where it now is."""
    session = session_create(
        panel=world.panel, title="Flaky network", day=date(2025, 7, 1), spec=SampleSpec(size=3, seed=5), by=None
    )
    connections: list[WebSocketRoute] = []
    dropped = {"now": False}

    def through_the_network(ws: WebSocketRoute) -> None:
        if dropped["now"]:
            ws.close(code=1012, reason="Service restart")
            return
        ws.connect_to_server()
        connections.append(ws)

    member = pages.new()
    member.route_web_socket("**/ws/sessions/**", through_the_network)
    sign_in(member, people["amina"])
    visit(member, f"/sessions/{session.pk}/")
    live(member)
    mark_as_not_reloaded(member)

    chair = pages.new()
    sign_in(chair, people["chair"])
    visit(chair, f"/sessions/{session.pk}/")
    submit(chair, "Start with the first record")
    expect(member.locator("#current-heading")).to_contain_text("Record 1 of 3")

    dropped["now"] = True
    connections[-1].close(code=1012, reason="Service restart")
    expect(member.locator("#review-session")).to_have_attribute("data-live-connected", "false")
    submit(chair, "Next record")
    expect(chair.locator("#current-heading")).to_contain_text("Record 2 of 3")
    # The member heard nothing: the page still shows the first record.
    expect(member.locator("#current-heading")).to_contain_text("Record 1 of 3")

    dropped["now"] = False
    expect(member.locator("#review-session")).to_have_attribute("data-live-connected", "true", timeout=20_000)
    expect(member.locator("#current-heading")).to_contain_text("Record 2 of 3")
    assert_not_reloaded(member)
    check_accessibility(member)
    expect(chair.locator("[data-present]")).to_contain_text("Amina Member")
