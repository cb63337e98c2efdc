"""The reporting pages in a browser: the area's OPCC officer (signing in with an authenticator code) finds the
disproportionality report from the dashboard on a 320 px phone, chooses the force, the period and a breakdown, sees
the charts (their images load) and tables, and downloads a chart's CSV; the same on a desktop; then a visitor who is
not signed in reaches the area's public page from the panel's public page and sees the small group hidden. axe finds
no serious or critical violation on any of them."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from frontend.views.public_area import area_url
from panels.models import Organisation, StaffRole
from scrutiny import choices
from scrutiny.records import versions
from tests.e2e.browser import Pages, Person, World, follow, sign_in, submit, visit
from tests.e2e.test_small_screens import WIDTH, assert_fits
from tests.factories import OrganisationFactory, StaffRoleFactory, UserFactory, enrol_totp
from tests.scrutiny.factories import make_batch, make_force, make_record

pytestmark = pytest.mark.e2e


def last_whole_month() -> datetime:
    first = timezone.localdate().replace(day=1)
    year, month = (first.year, first.month - 1) if first.month > 1 else (first.year - 1, 12)
    return timezone.make_aware(datetime(year, month, 12, 14))


def officer_of(world: World) -> Person:
    office = OrganisationFactory.create(
        kind=Organisation.Kind.OPCC, force_area=world.panel.force_area, name="Northshire OPCC"
    )
    user = UserFactory.create(email="opal@opcc.example.org", name="Opal Officer")
    StaffRoleFactory.create(user=user, organisation=office, role=StaffRole.Role.OPCC_OFFICER)
    return Person(user, totp_secret=enrol_totp(user))


def images_loaded(page: Page) -> list[int]:
    """The natural width of each chart image once loaded (0 for one that failed). They load lazily: scroll to each."""
    images = page.locator("figure img")
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
    page.wait_for_function("[...document.querySelectorAll('figure img')].every(i => i.complete)")
    return page.evaluate("[...document.querySelectorAll('figure img')].map(i => i.complete ? i.naturalWidth : 0)")


def choose_and_show(page: Page, month: str) -> None:
    page.get_by_label("From (month)").fill(month)
    page.get_by_label("To (month, included)").fill(month)
    page.get_by_label("Break down by").select_option("legislation")
    submit(page, "Show the report", status=200)


def test_an_opcc_officer_reads_the_report_on_a_phone_and_a_desktop_and_the_public_sees_it_suppressed(
    pages: Pages, world: World
) -> None:
    area = world.panel.force_area
    force = make_force(code=area.code)
    batch = make_batch(force)
    when = last_whole_month()
    for group, count in ((choices.EthnicGroup.WHITE, 40), (choices.EthnicGroup.BLACK, 15), ("mixed", 3)):
        for i in range(count):
            make_record(batch, occurred_at=when, ethnic_group=group, outcome_linked_to_object=i % 3 == 0)
    versions.records_changed(force.pk)
    month = f"{when:%Y-%m}"
    officer = officer_of(world)

    # On a phone: from the dashboard to the report, force and period chosen, a breakdown, a CSV downloaded.
    phone = pages.new(width=WIDTH, height=740)
    sign_in(phone, officer)
    follow(phone, "Disproportionality report", within="main")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Disproportionality report")
    expect(phone.get_by_label(force.name)).to_be_checked()
    choose_and_show(phone, month)
    expect(phone.locator("main")).to_contain_text("Not for publication: counts under 10 are shown")
    headline = phone.locator("#headline-table")
    expect(headline.locator("tr[data-group=Black] [data-field=searches]")).to_have_text("15")
    expect(headline.locator("tr[data-group=Mixed] [data-field=searches]")).to_have_text("3")
    expect(phone.locator("#breakdown-searches")).to_contain_text("Misuse of Drugs Act 1971 (section 23)")
    widths = images_loaded(phone)
    assert len(widths) == 4
    assert all(w > 0 for w in widths), widths
    assert_fits(phone)
    with phone.expect_download() as info:
        phone.locator("#chart-rates").get_by_role("link", name="Download these numbers (CSV)").click()
    assert info.value.suggested_filename == f"rates-{force.police_uk_id}-{month}-to-{month}.csv"
    rows = {r["Group"]: r for r in csv.DictReader(io.StringIO(Path(info.value.path()).read_text()))}
    assert rows["Black"]["Searches"] == "15"
    assert rows["Mixed"]["Searches"] == "3"

    # On a desktop: the same choice, the four charts with their text alternatives.
    desktop = pages.new(width=1280, height=900)
    sign_in(desktop, officer)
    visit(desktop, "/reports/")
    choose_and_show(desktop, month)
    assert all(w > 0 for w in images_loaded(desktop))
    for kind in ("rates", "ratios", "find-rates", "trend"):
        expect(desktop.locator(f"#chart-{kind} img")).to_have_attribute("alt", re.compile(r"Black"))

    # The public: from the panel's public page to the area's page, the small group hidden.
    visitor = pages.new(width=WIDTH, height=740)
    visit(visitor, f"/public/panels/{world.panel.slug}/")
    follow(visitor, f"Stop and search figures for {area.name}", within="main")
    assert visitor.url.endswith(area_url(area))
    table = visitor.locator("#area-table")
    expect(table.locator("tr[data-group=Black]")).to_contain_text("15")
    expect(table.locator("tr[data-group=Mixed]")).to_contain_text("fewer than 10")
    expect(visitor.locator("main")).not_to_contain_text("Mixed 3")
    assert all(w > 0 for w in images_loaded(visitor))
    assert_fits(visitor)
