"""The records' background work (Django's tasks framework; django-tasks-db's `db_worker` runs it in production)."""

from __future__ import annotations

from django.tasks import task

from scrutiny.records.imports import batch_run


@task()
def import_batch(batch_id: int) -> dict[str, object]:
    """Import an uploaded file's pending batch, reporting progress to the batch and its `batch.<id>` group."""
    batch = batch_run(batch_id=batch_id)
    return {"batch": batch.pk, "status": batch.status, "error": batch.error, **batch.counts}
