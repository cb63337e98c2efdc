"""The PCC's quarterly pack in a browser: the area's OPCC officer (signing in with an authenticator code) finds the
packs from the dashboard, opens the latest whole quarter's pack, which axe finds no serious or critical problem
with, and downloads it as a PDF whose last page is the methods."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from frontend.pack import Quarter
from frontend.pack.pdf import METHODS_HEADING
from panels.models import Organisation, StaffRole
from scrutiny import choices
from tests.e2e.browser import Pages, Person, World, follow, sign_in
from tests.factories import OrganisationFactory, StaffRoleFactory, UserFactory, enrol_totp
from tests.scrutiny.factories import make_batch, make_force, make_record

pytestmark = pytest.mark.e2e


def test_an_opcc_officer_opens_the_quarterly_pack_and_downloads_it(pages: Pages, world: World) -> None:
    area = world.panel.force_area
    quarter = Quarter.latest_whole(timezone.localdate())
    batch = make_batch(make_force(code=area.code))
    when = timezone.make_aware(datetime(quarter.first_day.year, quarter.first_day.month, 12, 14))
    for group, count in ((choices.EthnicGroup.WHITE, 40), (choices.EthnicGroup.BLACK, 15), ("asian", 12)):
        for _ in range(count):
            make_record(batch, occurred_at=when, ethnic_group=group, outcome_linked_to_object=False)
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=area, name="Northshire OPCC")
    user = UserFactory.create(email="opal@opcc.example.org", name="Opal Officer")
    StaffRoleFactory.create(user=user, organisation=office, role=StaffRole.Role.OPCC_OFFICER)
    officer = Person(user, totp_secret=enrol_totp(user))

    page = pages.new()
    sign_in(page, officer)
    follow(page, "Quarterly packs for the PCC", within="main")
    follow(page, f"{quarter.label} ({quarter.slug})", within="main")
    expect(page.get_by_role("heading", level=1)).to_contain_text(quarter.label)
    expect(page.locator("#chart-rates svg[role=img]")).to_have_count(1)
    rates = page.locator("table[data-chart=rates]")
    expect(rates.get_by_role("row", name="Black 15", exact=False)).to_have_count(1)
    expect(page.get_by_role("heading", name="6. Methods and denominators")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the pack (PDF)").click()
    assert info.value.suggested_filename == f"pack-{area.code}-{quarter.slug}.pdf"
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert METHODS_HEADING in reader.pages[-1].extract_text()
    assert "Black" in "".join(p.extract_text() for p in reader.pages[:4])
