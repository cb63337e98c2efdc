"""The encounter record pages: upload, batch, rejected rows, record browser and record page, for coordinators only."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from panels.models import Organisation, User
from scrutiny.choices import BatchStatus, EthnicGroup
from scrutiny.models import AuditEvent, EncounterRecord, ImportBatch, RejectedRow
from tests.scrutiny.factories import make_batch, make_record, make_rejected_row
from tests.scrutiny.records_support import (  # noqa: F401
    REAL_FILE,
    force_fixture,
    other_coordinator_fixture,
    real_rows,
    uploads_in_tmp_fixture,
    with_bad_row,
)


def upload(client: Client, content: bytes, *, name: str = "2025-06-cheshire-stop-and-search.csv", **extra: str) -> Any:
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "force": "cheshire", **extra}
    return client.post(reverse("batch-upload"), data)


@pytest.fixture
def imported(
    client: Client, coordinator: User, force: Organisation, django_capture_on_commit_callbacks: Callable[..., Any]
) -> ImportBatch:
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, with_bad_row(20))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("batch-detail", kwargs={"pk": batch.pk})
    return batch


# --- Who may -------------------------------------------------------------------------------


PAGES = ["record-list", "batch-list", "batch-upload"]


@pytest.mark.parametrize("name", PAGES)
def test_it_sends_anonymous_visitors_to_sign_in(client: Client, force: Organisation, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["outsider", "member"])
def test_it_refuses_outsiders_and_members_with_a_reason(
    client: Client, people: Any, force: Organisation, name: str, who: str
) -> None:
    client.force_login(getattr(people, who))
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "Only a panel&#x27;s coordinators can import and browse encounter records." in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "member"])
def test_it_refuses_an_upload_from_outsiders_and_members_and_creates_nothing(
    client: Client, people: Any, force: Organisation, who: str
) -> None:
    client.force_login(getattr(people, who))
    assert upload(client, real_rows(3)).status_code == 403
    assert not ImportBatch.objects.exists()


def test_a_coordinator_of_another_area_gets_404_for_this_forces_batch_record_and_rows(
    client: Client, force: Organisation, other_coordinator: User
) -> None:
    batch = make_batch(force)
    record = make_record(batch, grounds_text="Smelt cannabis.")
    row = make_rejected_row(batch)
    client.force_login(other_coordinator)
    for url in [
        reverse("batch-detail", kwargs={"pk": batch.pk}),
        reverse("batch-rejected-csv", kwargs={"pk": batch.pk}),
        reverse("record-detail", kwargs={"pk": record.pk}),
        reverse("rejected-row-correct", kwargs={"pk": row.pk}),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("record-redaction-check", kwargs={"pk": record.pk})).status_code == 404
    # Their own lists do not show this force's records or imports either.
    assert client.get(reverse("record-list")).context["counts"]["total"] == 0
    assert not client.get(reverse("batch-list")).context["page"].object_list
    # Nor can they upload for this force.
    response = upload(client, real_rows(3))
    assert response.status_code == 400
    assert ImportBatch.objects.get() == batch
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RECORD_VIEWED).exists()


# --- Upload --------------------------------------------------------------------------------


def test_the_upload_page_offers_the_coordinators_forces(client: Client, coordinator: User, force: Organisation) -> None:
    client.force_login(coordinator)
    response = client.get(reverse("batch-upload"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert '<option value="cheshire" selected>Cheshire Constabulary</option>' in page


def test_a_real_file_is_imported_and_every_row_is_accounted_for(
    client: Client, imported: ImportBatch, coordinator: User
) -> None:
    batch = imported
    assert batch.status == BatchStatus.FINISHED
    assert batch.run_by == coordinator
    assert batch.read_count == 21
    assert (batch.imported_count, batch.duplicate_count, batch.rejected_count) == (20, 0, 1)
    assert batch.read_count == batch.imported_count + batch.duplicate_count + batch.rejected_count
    assert batch.skipped_lines == 0  # the header is read once, not again as a repeated header
    assert EncounterRecord.objects.filter(batch=batch).count() == 20
    assert not batch.source_file  # the upload is not kept after the import

    page = client.get(reverse("batch-detail", kwargs={"pk": batch.pk})).content.decode()
    assert batch.file_sha256 in page
    assert "data.police.uk monthly CSV" in page
    assert '<dd class="govuk-summary-list__value" data-count="imported">20</dd>' in page
    assert '<dd class="govuk-summary-list__value" data-count="rejected">1</dd>' in page
    assert '<progress id="batch-progress-bar"' in page
    assert 'max="1" value="1"' in page
    assert "batch-progress.js" not in page  # nothing left to follow
    # The rejected row: its line, reason and values as read.
    assert '<td class="govuk-table__cell">22</td>' in page
    assert "not a date" in page


def test_the_whole_real_file_adds_up_and_a_second_upload_adds_nothing(
    client: Client, coordinator: User, force: Organisation, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, real_rows())
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, real_rows())
    first, second = ImportBatch.objects.order_by("pk")
    rows = len(REAL_FILE.read_bytes().splitlines()) - 1
    assert (first.read_count, first.imported_count, first.duplicate_count, first.rejected_count) == (rows, rows, 0, 0)
    assert (second.read_count, second.imported_count, second.duplicate_count, second.rejected_count) == (
        rows,
        0,
        rows,
        0,
    )
    assert EncounterRecord.objects.count() == rows


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"Name,Address\r\nA,B\r\n", "people.csv", "The file cannot be imported: wrong header"),
        (b"", "empty.csv", "The selected file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "picture.png", "The file cannot be imported:"),
    ],
    ids=["wrong header", "empty file", "not a CSV"],
)
def test_a_bad_upload_says_what_is_wrong_keeps_the_choices_and_creates_nothing(
    client: Client, coordinator: User, force: Organisation, content: bytes, name: str, message: str
) -> None:
    client.force_login(coordinator)
    response = upload(client, content, name=name, source_format="police-uk-csv" if name == "people.csv" else "")
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert message in page
    assert '<option value="cheshire" selected>' in page
    if name == "people.csv":
        assert '<option value="police-uk-csv" selected>' in page
    assert not ImportBatch.objects.exists()


def test_a_file_named_for_another_force_is_refused(client: Client, coordinator: User, force: Organisation) -> None:
    client.force_login(coordinator)
    response = upload(client, real_rows(3), name="2025-06-merseyside-stop-and-search.csv")
    assert response.status_code == 400
    assert "named for force" in response.content.decode()
    assert not ImportBatch.objects.exists()


# --- Rejected rows -------------------------------------------------------------------------


def test_the_rejected_rows_download_as_csv(client: Client, imported: ImportBatch) -> None:
    response = client.get(reverse("batch-rejected-csv", kwargs={"pk": imported.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0][:3] == ["Line", "Reasons", "Type"]
    assert len(rows) == 2
    assert rows[1][0] == "22"
    assert "not a date" in rows[1]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REJECTED_ROWS_EXPORTED).count() == 1


def test_a_corrected_row_is_imported_into_its_batch_and_the_counts_still_add_up(
    client: Client, imported: ImportBatch
) -> None:
    row = RejectedRow.objects.get(batch=imported)
    url = reverse("rejected-row-correct", kwargs={"pk": row.pk})
    form = client.get(url)
    assert form.status_code == 200
    fields = {name: field.initial for name, field in form.context["form"].fields.items()}
    # Still wrong: stays rejected, with the reason shown.
    response = client.post(url, fields)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    # Corrected: a different time, so not a duplicate of line 2.
    fields["col_1"] = "2025-06-01T01:02:00+00:00"
    response = client.post(url, fields)
    assert response.status_code == 302
    imported.refresh_from_db()
    assert (imported.imported_count, imported.rejected_count) == (21, 0)
    assert imported.read_count == imported.imported_count + imported.duplicate_count + imported.rejected_count
    row.refresh_from_db()
    assert row.resolved
    assert client.get(reverse("batch-detail", kwargs={"pk": imported.pk})).context["rejected"] == []
    # A second go at the same row is turned away politely.
    assert client.get(url).status_code == 302


# --- Records -------------------------------------------------------------------------------


def test_the_record_browser_filters_and_counts(client: Client, imported: ImportBatch) -> None:
    response = client.get(reverse("record-list"))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["total"] == 20
    assert sum(counts["groups"].values()) == 20
    white = counts["groups"][EthnicGroup.WHITE]
    response = client.get(
        reverse("record-list"), {"force": "cheshire", "ethnic_group": "white", "month_from": "2025-05"}
    )
    assert response.context["counts"]["total"] == white
    assert len(response.context["page"].object_list) == white
    # A bad month is a clear error, not a crash; the list is then unfiltered by it.
    response = client.get(reverse("record-list"), {"month_from": "June"})
    assert response.status_code == 400
    assert "Enter the from month as a year and month, like 2025-06" in response.content.decode()
    response = client.get(reverse("record-list"), {"month_from": "2025-09", "month_to": "2025-06"})
    assert "The to month must be the same as or after the from month" in response.content.decode()


def test_viewing_a_record_with_grounds_is_audited_and_the_redaction_can_be_checked(
    client: Client, coordinator: User, force: Organisation
) -> None:
    record = make_record(make_batch(force), grounds_text="Stopped near [postcode] after a call.", pii_flagged=True)
    client.force_login(coordinator)
    page = client.get(reverse("record-detail", kwargs={"pk": record.pk})).content.decode()
    assert "Stopped near [postcode] after a call." in page
    assert "I have checked the redaction" in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECORD_VIEWED)
    assert (event.actor, event.object_id) == (coordinator, str(record.pk))

    response = client.post(reverse("record-redaction-check", kwargs={"pk": record.pk}))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.redaction_checked_by == coordinator
    assert not record.redaction_pending
    assert "Redaction checked" in client.get(reverse("record-detail", kwargs={"pk": record.pk})).content.decode()


def test_viewing_a_record_without_grounds_is_not_audited(
    client: Client, coordinator: User, force: Organisation
) -> None:
    record = make_record(make_batch(force))
    client.force_login(coordinator)
    assert client.get(reverse("record-detail", kwargs={"pk": record.pk})).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RECORD_VIEWED).exists()


# The record list costs the same whatever its length: session, user, MFA checks, forces, counts, page.
RECORD_LIST_QUERIES = 10


@pytest.mark.parametrize("n", [10, 60])
def test_the_record_list_costs_the_same_number_of_queries_at_any_length(
    client: Client, coordinator: User, force: Organisation, n: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    batch = make_batch(force)
    for i in range(n):
        make_record(
            batch, ethnic_group=list(EthnicGroup.values)[i % 6], vehicle_only=i % 3 == 0, pii_flagged=i % 4 == 0
        )
    client.force_login(coordinator)
    with django_assert_num_queries(RECORD_LIST_QUERIES):
        response = client.get(reverse("record-list"), {"force": "cheshire"})
    assert response.context["counts"]["total"] == n


def test_a_running_import_shows_its_state_at_load_with_a_refresh_link_and_the_live_script(
    client: Client, coordinator: User, force: Organisation
) -> None:
    batch = make_batch(force, status=BatchStatus.RUNNING, rows_total=200, rows_done=50, read_count=0)
    client.force_login(coordinator)
    page = client.get(reverse("batch-detail", kwargs={"pk": batch.pk})).content.decode()
    assert 'max="200" value="50"' in page
    assert "50 of 200 rows processed." in page
    assert ">Refresh</a>" in page
    assert 'data-live="true"' in page
    assert "frontend/batch-progress.js" in page


def test_a_failed_import_says_why(client: Client, coordinator: User, force: Organisation) -> None:
    batch = make_batch(
        force, status=BatchStatus.FAILED, error="unexpected error: OperationalError", read_count=0, rejected_count=0
    )
    client.force_login(coordinator)
    page = client.get(reverse("batch-detail", kwargs={"pk": batch.pk})).content.decode()
    assert "The import failed: <span data-batch-error>unexpected error: OperationalError</span>" in page
    assert "govuk-tag--red" in page
    assert ">Refresh</a>" not in page
