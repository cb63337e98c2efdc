"""A coordinator uploads a real data.police.uk file, follows its import, and browses and filters the records;
a member is refused. Every page is checked with axe, and fits 320 px."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from playwright.sync_api import Page, expect

from panels.models import Membership, Organisation
from scrutiny.models import EncounterRecord, ImportBatch
from scrutiny.records import imports
from tests.e2e.browser import Pages, Person, World, check_accessibility, follow, sign_in, submit, visit
from tests.e2e.test_small_screens import WIDTH, assert_fits, assert_skip_link_leads_to_main
from tests.factories import MembershipFactory
from tests.scrutiny import resaved_support as resave
from tests.scrutiny.factories import make_force

pytestmark = pytest.mark.e2e

REAL_FILE = Path(django_settings.BASE_DIR) / "data/police-uk/2025-06-cheshire-stop-and-search.csv"
IMMEDIATE = "django.tasks.backends.immediate.ImmediateBackend"
NOT_YET = "django.tasks.backends.dummy.DummyBackend"  # keeps the batch waiting, so the page can watch it run


@pytest.fixture
def force(world: World, settings: Any, tmp_path: Path) -> Organisation:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE, "QUEUES": ["default"]}}
    return make_force(code=world.panel.force_area.code)


def slice_of_real_file(tmp_path: Path, rows: int) -> Path:
    lines = REAL_FILE.read_bytes().splitlines(keepends=True)
    path = tmp_path / REAL_FILE.name
    path.write_bytes(b"".join(lines[: rows + 1]))
    return path


def run_like_the_worker(batch_id: int) -> None:
    """Run the waiting import as the worker would: in another thread, with its own database connection and no
    event loop (the browser's sync API keeps one marked as running in this thread)."""

    def work() -> None:
        try:
            imports.batch_run(batch_id=batch_id)
        finally:
            connection.close()

    worker = threading.Thread(target=work, name="e2e-worker")
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the import did not finish within a minute"


def upload(page: Page, path: Path) -> None:
    visit(page, "/imports/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a file")
    page.get_by_label("File to import").set_input_files(str(path))
    expect(page.get_by_label("Force")).to_have_value("cheshire")
    submit(page, "Upload and import")


def test_a_coordinator_uploads_a_real_file_and_browses_its_records(
    pages: Pages, world: World, force: Organisation
) -> None:
    page = pages.new()
    sign_in(page, world.coordinator)
    follow(page, "Browse records", within="main")  # from the dashboard
    expect(page.get_by_role("heading", level=1)).to_have_text("Records")

    # A file that is not a stop-and-search file is refused at once, saying why.
    bad = force_tmp = Path(django_settings.MEDIA_ROOT) / "people.csv"
    bad.write_bytes(b"Name,Address\r\nA,B\r\n")
    upload(page, force_tmp)
    expect(page.locator(".govuk-error-summary")).to_contain_text("The file cannot be imported: wrong header")
    assert not ImportBatch.objects.exists()

    upload(page, REAL_FILE)
    batch = ImportBatch.objects.get()
    rows = len(REAL_FILE.read_bytes().splitlines()) - 1
    assert page.url.endswith(f"/imports/{batch.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(REAL_FILE.name)
    expect(page.locator("[data-batch-status]")).to_have_text("Finished")
    expect(page.locator('[data-count="read"]')).to_have_text(str(rows))
    expect(page.locator('[data-count="imported"]')).to_have_text(str(rows))
    expect(page.locator('[data-count="duplicates"]')).to_have_text("0")
    expect(page.locator('[data-count="rejected"]')).to_have_text("0")
    bar = page.locator("#batch-progress-bar")
    assert bar.evaluate("b => b.value === b.max")
    expect(page.locator("main")).to_contain_text(batch.file_sha256)

    # The record browser: everything, then one group in one month, by the GET form.
    follow(page, "Records", within="main nav")
    expect(page.locator('[data-count="total"]')).to_have_text(str(rows))
    white = EncounterRecord.objects.filter(ethnic_group="white").count()
    page.get_by_label("Ethnic group (self-defined, five groups)").select_option("white")
    page.get_by_label("From month").fill("2025-06")
    page.get_by_label("To month").fill("2025-06")
    submit(page, "Apply filters")
    june_white = EncounterRecord.objects.filter(ethnic_group="white", month="2025-06-01").count()
    assert 0 < june_white <= white
    expect(page.locator('[data-count="total"]')).to_have_text(str(june_white))
    assert "ethnic_group=white" in page.url
    expect(page.get_by_label("From month")).to_have_value("2025-06")

    # One record's page, from the list.
    page.locator("main table").nth(1).get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/records/\d+/$"))
    check_accessibility(page)
    expect(page.locator("main")).to_contain_text("Self-defined ethnicity")


def test_the_batch_page_follows_an_import_live(pages: Pages, world: World, force: Organisation, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": NOT_YET, "QUEUES": ["default"]}}
    page = pages.new()
    sign_in(page, world.coordinator)
    upload(page, slice_of_real_file(Path(settings.MEDIA_ROOT), 300))
    batch = ImportBatch.objects.get()
    expect(page.locator("[data-batch-status]")).to_have_text("Waiting to start")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    expect(page.locator("#batch-progress")).to_have_attribute("data-live-connected", "true")

    run_like_the_worker(batch.pk)

    expect(page.locator("[data-batch-status]")).to_have_text("Finished")
    expect(page.locator('[data-count="imported"]')).to_have_text("300")
    expect(page.locator("#batch-progress-bar")).to_have_js_property("value", 1)
    expect(page.locator("[data-batch-announce]")).to_contain_text("Import finished: 300 imported")
    check_accessibility(page)


def test_the_record_pages_fit_a_small_screen(pages: Pages, world: World, force: Organisation) -> None:
    page = pages.new(width=WIDTH, height=640)
    sign_in(page, world.coordinator)
    upload(page, slice_of_real_file(Path(django_settings.MEDIA_ROOT), 20))
    assert_fits(page)
    record = EncounterRecord.objects.first()
    assert record is not None
    for path in ["/imports/new/", "/imports/", "/records/", f"/records/{record.pk}/"]:
        visit(page, path)
        assert_fits(page)
        assert_skip_link_leads_to_main(page)
    # The filters work from the keyboard alone: type a month, then Enter submits the GET form.
    visit(page, "/records/")
    page.get_by_label("From month").focus()
    page.keyboard.type("2025-06")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_accessibility(page)
    assert "month_from=2025-06" in page.url
    assert_fits(page)


def test_a_member_is_refused_the_upload_page(pages: Pages, world: World, force: Organisation) -> None:
    member = MembershipFactory.create(panel=world.panel, role=Membership.Role.MEMBER, user__email="mo@example.org")
    page = pages.new()
    sign_in(page, Person(member.user))
    for path in ["/imports/new/", "/records/", "/imports/"]:
        visit(page, path, status=403)
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
        expect(page.locator("main")).to_contain_text("Only a panel's coordinators can import and browse")


def test_a_coordinator_uploads_a_workbook_re_saved_by_pandas_and_reads_what_was_read_through(
    pages: Pages, world: World, force: Organisation, tmp_path: Path
) -> None:
    page = pages.new()
    sign_in(page, world.coordinator)
    visit(page, "/imports/new/")
    assert ".xlsx" in (page.get_by_label("File to import").get_attribute("accept") or "")

    # An old Excel workbook is refused before anything is kept, saying how to save it.
    old = tmp_path / "2025-06-cheshire-stop-and-search.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    upload(page, old)
    expect(page.locator(".govuk-error-summary")).to_contain_text("save it as an Excel workbook (.xlsx)")
    assert not ImportBatch.objects.exists()

    rows = resave.read_rows()[:41]
    path = tmp_path / "2025-06-cheshire-stop-and-search.xlsx"
    path.write_bytes(resave.pandas_xlsx(rows))
    upload(page, path)
    batch = ImportBatch.objects.get()
    assert page.url.endswith(f"/imports/{batch.pk}/")
    expect(page.locator("[data-batch-status]")).to_have_text("Finished")
    expect(page.locator('[data-count="imported"]')).to_have_text("40")
    expect(page.locator('[data-count="rejected"]')).to_have_text("0")
    notes = page.locator("[data-batch-notes] li")
    expect(page.get_by_role("heading", name="What the importer read through")).to_be_visible()
    expect(notes.first).to_have_text('Read from the sheet "Sheet1" of an Excel workbook.')
    expect(page.locator("[data-batch-notes]")).to_contain_text("row-number column without a heading")
    check_accessibility(page)
