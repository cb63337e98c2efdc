"""The sync as background work on Django's tasks framework (django-tasks-db's `db_worker` runs it in production).

`manage.py syncrecords --enqueue` queues it; a daily timer calling that (or `syncrecords` itself) is how it is
scheduled (docs/sync.md).
"""

from __future__ import annotations

from typing import Any

from django.tasks import task

from scrutiny.sync.services import sync_run


@task()
def sync_records(force_ids: list[str] | None = None) -> dict[str, Any]:
    """One run of the sync, for every force or the ones named; returns the run's summary (as `--json` prints it)."""
    return sync_run(force_ids=force_ids).as_json()
