"""Workbooks end to end: both force-extract templates as .xlsx keep officers and references as safely as their CSV
does; the command takes --sheet; the upload page and the API take .xlsx, refuse other spreadsheets saying how to
save them, and show the batch's notes."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from panels.models import Organisation, User
from scrutiny.choices import BatchStatus
from scrutiny.models import EncounterRecord, ImportBatch, RejectedRow
from tests.scrutiny import resaved_support as resave
from tests.scrutiny.records_support import force_fixture, uploads_in_tmp_fixture  # noqa: F401
from tests.scrutiny.test_force_extract import FORCE_EXTRACT, SECRETS, USE_OF_FORCE, every_stored_text

pytestmark = pytest.mark.django_db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JUNE_XLSX = "2025-06-cheshire-stop-and-search.xlsx"


def import_file(force: Organisation, data: bytes, name: str) -> tuple[int, int, int, int]:
    from scrutiny.records.imports import batch_import

    _, result = batch_import(source=io.BytesIO(data), file_name=name, force=force)
    return result.read, result.imported, result.duplicates, result.rejected


# --- force extracts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "counts"),
    [(FORCE_EXTRACT, (5, 3, 0, 2)), (USE_OF_FORCE, (3, 2, 0, 1))],
    ids=["stop-and-search extract", "use-of-force extract"],
)
def test_an_extract_as_a_workbook_keeps_no_identifier_or_personal_data_and_is_its_csv(
    force: Organisation, path: Path, counts: tuple[int, int, int, int]
) -> None:
    assert import_file(force, resave.force_extract_xlsx(path), path.stem + ".xlsx") == counts
    stored = every_stored_text()
    assert EncounterRecord.objects.count() == counts[1]
    assert [secret for secret in SECRETS if secret in stored] == []
    # A rejected row keeps the keyed forms only, as its CSV row does: a misaligned one keeps nothing.
    for row in RejectedRow.objects.all():
        assert row.raw_values.get("Officer identifier", "") == ""
        assert row.raw_values.get("Force reference", "") == ""
    if path == FORCE_EXTRACT:
        misaligned = next(r for r in RejectedRow.objects.all() if "expected 21 cells, found 22" in r.reasons[0])
        assert misaligned.raw_values == {}
        assert "not kept" in misaligned.reasons[1]
    # The CSV after the workbook: every search is the same one (same pseudonyms, same masked grounds).
    read, imported, duplicates, rejected = import_file(force, path.read_bytes(), path.name)
    assert (read, imported, duplicates, rejected) == (counts[0], 0, counts[1], counts[3])


# --- the command -----------------------------------------------------------------------------------------------


def test_the_command_imports_a_named_sheet_and_says_when_there_is_none(
    tmp_path: Path, force: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / JUNE_XLSX
    path.write_bytes(resave.openpyxl_xlsx(resave.read_rows(), sheet="June"))
    out = io.StringIO()
    call_command("importrecords", str(path), "--sheet", "June", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["read"], result["imported"], result["rejected"]) == (1185, 1185, 0)
    batch = ImportBatch.objects.get(pk=result["batch"])
    assert batch.force == force  # from the data.police.uk name
    assert 'Read from the sheet "June" (the chosen of 2) of an Excel workbook.' in batch.notes
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("importrecords", str(path), "--sheet", "Juin", stderr=err)
    assert exited.value.code == 1
    assert 'the workbook has no sheet "Juin"; its sheets are "About", "June"' in err.getvalue()
    assert ImportBatch.objects.count() == 1


# --- the upload page ---------------------------------------------------------------------------------------------


def upload(client: Client, content: bytes, name: str, content_type: str = XLSX_TYPE) -> Any:
    data = {"file": SimpleUploadedFile(name, content, content_type=content_type), "force": "cheshire"}
    return client.post(reverse("batch-upload"), data)


def test_the_upload_page_offers_workbooks(client: Client, coordinator: User, force: Organisation) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("batch-upload")).content.decode()
    assert 'accept=".csv,.tsv,.txt,.json,.xlsx,' in page
    assert "Excel workbook (.xlsx, its first sheet)" in page


def test_a_workbook_uploaded_on_the_page_is_imported_and_its_notes_shown(
    client: Client, coordinator: User, force: Organisation, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, resave.pandas_xlsx(resave.read_rows()), JUNE_XLSX)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert (batch.status, batch.read_count, batch.imported_count, batch.rejected_count) == (
        BatchStatus.FINISHED,
        1185,
        1185,
        0,
    )
    assert batch.declared_month is not None
    assert batch.declared_month.isoformat() == "2025-06-01"
    assert batch.rows_total == 1185  # from the sheet's dimension, for the progress bar
    page = client.get(reverse("batch-detail", kwargs={"pk": batch.pk})).content.decode()
    assert "What the importer read through" in page
    assert "Read from the sheet &quot;Sheet1&quot; of an Excel workbook." in page
    assert "A leading row-number column without a heading (numbered 0 to 1184" in page


def test_a_batch_as_published_shows_no_notes(
    client: Client, coordinator: User, force: Organisation, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, resave.JUNE.read_bytes(), resave.JUNE.name, "text/csv")
    batch = ImportBatch.objects.get()
    assert batch.notes == []
    assert (
        "What the importer read through"
        not in client.get(reverse("batch-detail", kwargs={"pk": batch.pk})).content.decode()
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "june.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "The selected file is an Excel 97-2003 workbook",
        ),
        ("june.ods", b"PK\x03\x04", "The selected file is an OpenDocument spreadsheet (.ods)"),
        ("june.xlsm", b"PK\x03\x04", "The selected file is a macro-enabled Excel workbook (.xlsm)"),
        # Named as a CSV but an old workbook inside: the content decides.
        ("june.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "an Excel 97-2003 workbook (.xls) cannot be"),
    ],
)
def test_another_kind_of_spreadsheet_is_refused_saying_how_to_save_it(
    client: Client, coordinator: User, force: Organisation, name: str, content: bytes, message: str
) -> None:
    client.force_login(coordinator)
    response = upload(client, content, name)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "as an Excel workbook (.xlsx) or as CSV UTF-8" in page
    assert not ImportBatch.objects.exists()


# --- the API -----------------------------------------------------------------------------------------------------


def test_the_api_takes_a_workbook_and_gives_the_batchs_notes(
    coordinator: User, force: Organisation, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = APIClient()
    client.force_login(coordinator)
    url = reverse("api-batch-create", kwargs={"police_uk_id": "cheshire"})
    data = resave.openpyxl_xlsx(resave.read_rows(), serial_dates=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"file": SimpleUploadedFile(JUNE_XLSX, data, content_type=XLSX_TYPE)}, format="multipart"
        )
    assert response.status_code == 201, response.content
    assert response.json()["notes"] == []  # not imported yet when the upload is answered
    batch = client.get(reverse("api-batch-detail", kwargs={"pk": response.json()["id"]})).json()
    assert (batch["status"], batch["imported"], batch["rejected"]) == ("finished", 1185, 0)
    assert any("Excel serial dates" in note for note in batch["notes"])
    refused = client.post(
        url,
        {"file": SimpleUploadedFile("june.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)},
        format="multipart",
    )
    assert refused.status_code == 400
    assert "Excel 97-2003 workbook (.xls) cannot be imported" in json.dumps(refused.json())
    assert ImportBatch.objects.count() == 1


def test_an_outsider_cannot_upload_a_workbook(outsider: User, force: Organisation) -> None:
    client = APIClient()
    client.force_login(outsider)
    url = reverse("api-batch-create", kwargs={"police_uk_id": "cheshire"})
    data = resave.openpyxl_xlsx(resave.read_rows()[:3])
    response = client.post(url, {"file": SimpleUploadedFile(JUNE_XLSX, data)}, format="multipart")
    assert response.status_code in (403, 404)
    assert not ImportBatch.objects.exists()
