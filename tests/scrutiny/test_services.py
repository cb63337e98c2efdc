"""Services: background imports with live progress, corrections of rejected rows, redaction checks, the audit log."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from panels.models import Organisation, User
from scrutiny import choices
from scrutiny.models import AppendOnlyError, AuditEvent, EncounterRecord, ImportBatch, RejectedRow
from scrutiny.records import imports as records_services
from scrutiny.records import services
from scrutiny.records.importing import ImportFailed
from scrutiny.tasks import import_batch
from tests.scrutiny.conftest import FIXTURES, POLICE_UK_HEADER, ImportBytes
from tests.scrutiny.factories import EncounterRecordFactory, ForceFactory

ROW = (
    "Person search,2025-06-01T10:15:00+00:00,False,,53.190012,-2.890034,Male,18-24,"
    "White - Irish,White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,True,False"
)


class FakeLayer:
    """Records what is sent to channel groups."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.sent.append((group, message))


@pytest.fixture
def layer(monkeypatch: pytest.MonkeyPatch) -> FakeLayer:
    fake = FakeLayer()
    monkeypatch.setattr("scrutiny.records.imports.get_channel_layer", lambda: fake)
    return fake


def upload(text: str, name: str = "2025-06-cheshire-stop-and-search.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def rows(n: int) -> str:
    return "\n".join(ROW.replace("10:15:00", f"{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}") for i in range(n))


# --- background imports --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_upload_is_imported_in_the_background_with_live_progress(
    force: Organisation,
    coordinator: User,
    layer: FakeLayer,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr("scrutiny.records.importing.pipeline.PROGRESS_EVERY_ROWS", 100)
    monkeypatch.setattr(records_services._ProgressReporter, "INTERVAL", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create_from_upload(
            file=upload(f"{POLICE_UK_HEADER}\n{rows(450)}\n"), force=force, by=coordinator
        )
    batch.refresh_from_db()
    assert batch.status == choices.BatchStatus.FINISHED
    assert (batch.read_count, batch.imported_count, batch.rows_total, batch.rows_done) == (450, 450, 450, 450)
    assert batch.run_by == coordinator
    assert batch.declared_month is not None
    assert batch.task_id
    assert len(batch.file_sha256) == 64
    # The upload is not kept once imported.
    assert batch.source_file.name == ""
    assert default_storage.listdir("scrutiny/imports")[1] == []
    # Progress went to the batch's group as it ran, ending with the final counts.
    groups = {group for group, _ in layer.sent}
    assert groups == {f"batch.{batch.pk}"}
    messages = [message for _, message in layer.sent]
    assert all(m["type"] == "batch.progress" for m in messages)
    assert [m["rows_done"] for m in messages] == sorted(m["rows_done"] for m in messages)
    assert len(messages) >= 4
    assert messages[-1] == {
        "type": "batch.progress",
        "batch": batch.pk,
        "status": "finished",
        "rows_done": 450,
        "rows_total": 450,
        "read": 450,
        "imported": 450,
        "duplicates": 0,
        "rejected": 0,
        "error": "",
    }
    actions = list(AuditEvent.objects.filter(object_id=str(batch.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["batch.created", "batch.finished"]


@pytest.mark.django_db
def test_a_wrong_upload_is_refused_at_once(force: Organisation, coordinator: User) -> None:
    with pytest.raises(ImportFailed, match="wrong header"):
        services.batch_create_from_upload(file=upload("name,age\nBob,3\n"), force=force, by=coordinator)
    with pytest.raises(ImportFailed, match='named for force "merseyside"'):
        services.batch_create_from_upload(
            file=upload(f"{POLICE_UK_HEADER}\n{ROW}\n", name="2025-06-merseyside-stop-and-search.csv"),
            force=force,
            by=coordinator,
        )
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_a_file_that_fails_in_the_background_marks_its_batch_failed(
    coordinator: User, layer: FakeLayer, django_capture_on_commit_callbacks: Any
) -> None:
    force = ForceFactory.create(police_uk_id="avon-and-somerset")
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create_from_upload(
            file=upload('[{"type": "Person search"', name="stops.json"), force=force, by=coordinator
        )
    batch.refresh_from_db()
    assert batch.status == choices.BatchStatus.FAILED
    assert batch.error.startswith("unreadable: not valid JSON")
    assert batch.source_file.name == ""
    assert not EncounterRecord.objects.exists()
    assert layer.sent[-1][1]["status"] == "failed"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.BATCH_FAILED, object_id=str(batch.pk)).exists()


@pytest.mark.django_db
def test_the_task_runs_a_pending_batch_once(force: Organisation, coordinator: User, layer: FakeLayer) -> None:
    batch = services.batch_create_from_upload(file=upload(f"{POLICE_UK_HEADER}\n{ROW}\n"), force=force, by=coordinator)
    result = import_batch.enqueue(batch_id=batch.pk)
    assert result.return_value["status"] == "finished"
    assert result.return_value["imported"] == 1
    again = import_batch.enqueue(batch_id=batch.pk)  # already done: nothing happens
    assert again.return_value["imported"] == 1
    assert EncounterRecord.objects.count() == 1


# --- rejected rows -------------------------------------------------------------------------------------------


def counts(batch_id: int) -> tuple[int, int, int, int]:
    batch = ImportBatch.objects.get(pk=batch_id)
    assert batch.read_count == batch.imported_count + batch.duplicate_count + batch.rejected_count
    return batch.read_count, batch.imported_count, batch.duplicate_count, batch.rejected_count


@pytest.mark.django_db
def test_a_corrected_row_is_imported_into_its_batch_and_the_counts_still_add_up(
    import_bytes: ImportBytes, coordinator: User
) -> None:
    bad = ROW.replace("Male", "Mail")
    result = import_bytes(f"{POLICE_UK_HEADER}\n{ROW}\n{bad}\n{bad}\n")
    assert counts(result.batch_id) == (3, 1, 0, 2)
    first, second = RejectedRow.objects.order_by("line_number")
    outcome = services.rejected_row_correct(row=first, values={"Gender": "Male"}, by=coordinator)
    # Corrected to the same content as line 2: still a different search (the second of two in this batch).
    assert outcome["status"] == "imported"
    assert counts(result.batch_id) == (3, 2, 0, 1)
    first.refresh_from_db()
    assert (first.resolved, first.resolved_by, first.record_id) == (True, coordinator, outcome["record"])
    assert first.raw_values["Gender"] == "Male"
    # The same correction again, from an overlapping import's point of view, is found to be there already.
    again = import_bytes(f"{POLICE_UK_HEADER}\n{ROW}\n{ROW}\n")
    assert (again.imported, again.duplicates) == (0, 2)
    second_outcome = services.rejected_row_correct(row=second, values={"Gender": "Female"}, by=coordinator)
    assert second_outcome["status"] == "imported"
    assert counts(result.batch_id) == (3, 3, 0, 0)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REJECTED_ROW_CORRECTED).count() == 2


@pytest.mark.django_db
def test_a_correction_that_duplicates_a_stored_record_counts_as_a_duplicate(
    import_bytes: ImportBytes, coordinator: User
) -> None:
    import_bytes(f"{POLICE_UK_HEADER}\n{ROW}\n")
    result = import_bytes(f"{POLICE_UK_HEADER}\n{ROW.replace('Male', 'Mail')}\n")
    row = RejectedRow.objects.get(batch_id=result.batch_id)
    outcome = services.rejected_row_correct(row=row, values={"Gender": "Male"}, by=coordinator)
    assert outcome["status"] == "duplicate"
    assert counts(result.batch_id) == (1, 0, 1, 0)
    assert EncounterRecord.objects.count() == 1


@pytest.mark.django_db
def test_a_correction_that_is_still_wrong_keeps_the_row_with_new_reasons(
    import_bytes: ImportBytes, coordinator: User
) -> None:
    result = import_bytes(f"{POLICE_UK_HEADER}\n{ROW.replace('Male', 'Mail')}\n")
    row = RejectedRow.objects.get()
    outcome = services.rejected_row_correct(row=row, values={"Gender": "Man", "Age range": "old"}, by=coordinator)
    assert outcome == {
        "status": "rejected",
        "reasons": ['Gender: unknown value "Man"', 'Age range: unknown value "old"'],
        "record": None,
    }
    row.refresh_from_db()
    assert not row.resolved
    assert row.reasons == outcome["reasons"]
    assert counts(result.batch_id) == (1, 0, 0, 1)
    with pytest.raises(ValueError, match="Unknown column"):
        services.rejected_row_correct(row=row, values={"Colour": "red"}, by=coordinator)
    services.rejected_row_correct(row=row, values={"Gender": "Male", "Age range": "18-24"}, by=coordinator)
    with pytest.raises(ValueError, match="already been corrected"):
        services.rejected_row_correct(row=row, values={}, by=coordinator)


@pytest.mark.django_db
def test_a_row_with_the_wrong_number_of_cells_can_be_corrected(import_bytes: ImportBytes, coordinator: User) -> None:
    short = ",".join(ROW.split(",")[:10])
    result = import_bytes(f"{POLICE_UK_HEADER}\n{short}\n")
    row = RejectedRow.objects.get()
    fixes = dict(zip(POLICE_UK_HEADER.split(",")[10:], ROW.split(",")[10:], strict=True))
    assert services.rejected_row_correct(row=row, values=fixes, by=coordinator)["status"] == "imported"
    assert counts(result.batch_id) == (1, 1, 0, 0)


@pytest.mark.django_db
def test_rejected_rows_download_as_csv(import_bytes: ImportBytes, coordinator: User) -> None:
    result = import_bytes(f"{POLICE_UK_HEADER}\n{ROW}\n{ROW.replace('Male', 'Mail')}\nPerson search,oops\n")
    batch = ImportBatch.objects.get(pk=result.batch_id)
    text = "".join(services.rejected_rows_csv(batch=batch, by=coordinator))
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["Line", "Reasons", *POLICE_UK_HEADER.split(",")]
    assert table[1][:2] == ["3", 'Gender: unknown value "Mail"']
    assert table[1][2:] == ROW.replace("Male", "Mail").split(",")
    assert table[2][:4] == ["4", "line 4: expected 15 cells, found 2", "Person search", "oops"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REJECTED_ROWS_EXPORTED, actor=coordinator).exists()


# --- redaction and viewing --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_redaction_check_can_only_mask_more(import_bytes: ImportBytes, coordinator: User) -> None:
    import_bytes((FIXTURES / "force-extract.csv").read_bytes())
    record = EncounterRecord.objects.filter(pii_flagged=True).first()
    assert record is not None
    assert record.redaction_pending
    services.record_redaction_check(
        record=record, by=coordinator, grounds_text="Smell of cannabis; lives at 12 Acacia Avenue, CH1 4QT."
    )
    record.refresh_from_db()
    assert record.grounds_text == "Smell of cannabis; lives at 12 Acacia Avenue, [postcode]."
    assert not record.redaction_pending
    assert record.redaction_checked_by == coordinator
    event = AuditEvent.objects.get(action=AuditEvent.Action.REDACTION_CHECKED)
    assert (event.actor, event.object_id, event.detail) == (coordinator, str(record.pk), {"edited": True})


@pytest.mark.django_db
def test_views_of_records_with_grounds_are_audited(import_bytes: ImportBytes, coordinator: User) -> None:
    import_bytes((FIXTURES / "force-extract.csv").read_bytes())
    with_grounds = EncounterRecord.objects.exclude(grounds_text="").first()
    without = EncounterRecordFactory.create(batch__force=with_grounds.force)  # type: ignore[union-attr]
    assert with_grounds is not None
    services.record_viewed(record=with_grounds, by=coordinator, context="record page")
    services.record_viewed(record=without, by=coordinator)
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECORD_VIEWED)
    assert (event.actor, event.actor_label, event.object_type, event.object_id, event.detail) == (
        coordinator,
        coordinator.email,
        "scrutiny.encounterrecord",
        str(with_grounds.pk),
        {"context": "record page"},
    )


@pytest.mark.django_db
def test_the_audit_log_is_append_only(coordinator: User, force: Organisation) -> None:
    event = services.audit_log(by=coordinator, action=AuditEvent.Action.RECORD_VIEWED, obj=force)
    event.detail = {"tampered": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    system = services.audit_log(by=None, action=AuditEvent.Action.BATCH_FAILED, obj=force)
    assert (system.actor, system.actor_label) == (None, "system")
    assert AuditEvent.objects.count() == 2
