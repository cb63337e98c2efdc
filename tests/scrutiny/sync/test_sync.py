"""The sync against the replay server: it fills every force-month offered, a second run writes nothing, a revised
month ends equal to the source, and a failing force-month is recorded and retried while the others complete."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from panels.models import Organisation
from scrutiny.choices import SourceFormat
from scrutiny.models import (
    AuditEvent,
    EncounterRecord,
    ImportBatch,
    RejectedRow,
    SourceMonth,
    SourceMonthStatus,
    SyncRun,
    SyncRunStatus,
)
from scrutiny.records.imports import batch_import
from scrutiny.sync.replay import ReplayServer
from scrutiny.sync.services import CHANGED, FAILED, MonthOutcome, SyncRefused, SyncSummary
from tests.scrutiny.factories import make_batch, make_record
from tests.scrutiny.sync.conftest import AVON, CHESHIRE_MONTHS, JAN_2023, Sync, held, read_month, write_month

pytestmark = pytest.mark.django_db

JUN, JUL, AUG, SEP = CHESHIRE_MONTHS


def offered(recordings: Path) -> list[tuple[str, date]]:
    """Every force-month the recorded availability list names, read straight from the file."""
    listing = json.loads((recordings / "crimes-street-dates.json").read_text(encoding="utf-8"))
    return [(force, date.fromisoformat(f"{e['date']}-01")) for e in listing for force in e["stop-and-search"]]


def month_of(summary: SyncSummary, force: str, month: date) -> MonthOutcome:
    [outcome] = [m for m in summary.months if (m.force, m.month) == (force, month)]
    return outcome


def source_month(force: str, month: date) -> SourceMonth:
    return SourceMonth.objects.get(force__police_uk_id=force, month=month)


def stops_requests(replay: ReplayServer) -> list[str]:
    return [path for _, path in replay.requests if path.startswith("/api/stops-force")]


def snapshot() -> dict[str, Any]:
    """Everything a run could write besides its own SyncRun row."""
    return {
        "records": list(EncounterRecord.objects.order_by("pk").values()),
        "batches": list(ImportBatch.objects.order_by("pk").values()),
        "rejected": list(RejectedRow.objects.order_by("pk").values()),
        "months": list(SourceMonth.objects.order_by("pk").values()),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }


def new_rows(template: dict[str, Any], day: str, n: int) -> list[dict[str, Any]]:
    """n searches no source has: the template's fields at new times on `day`."""
    return [{**template, "datetime": f"{day}T12:{i:02d}:00+00:00"} for i in range(n)]


# --- filling ------------------------------------------------------------------------------------------------------


def test_a_first_sync_holds_every_force_month_offered_with_the_sources_counts(sync: Sync, recordings: Path) -> None:
    summary = sync()

    run = summary.run
    assert (run.status, run.error, run.failed) == (SyncRunStatus.FINISHED, "", 0)
    force_months = offered(recordings)
    assert len(force_months) == 5
    for force, month in force_months:
        rows = len(read_month(recordings, force, month))
        sm = source_month(force, month)
        assert (sm.status, sm.published, sm.source_rows) == (SourceMonthStatus.HELD, True, rows)
        assert held(force, month) == rows, (force, month)
        assert sm.batch is not None
        assert sm.batch.declared_month == month
        assert sm.batch.source_format == SourceFormat.POLICE_UK_JSON
    assert (run.fetched, run.changed, run.latest_month) == (5, 5, SEP)
    assert run.finished_at is not None


def test_every_force_is_recorded_for_every_month_the_list_covers_with_its_gaps(sync: Sync) -> None:
    sync()

    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE).exclude(police_uk_id="")
    assert forces.count() == 44
    assert SourceMonth.objects.count() == 44 * 5
    gaps = SourceMonth.objects.filter(published=False)
    assert gaps.count() == 44 * 5 - 5
    assert set(gaps.values_list("status", flat=True)) == {SourceMonthStatus.NOT_PUBLISHED}
    assert source_month("cheshire", JAN_2023).status == SourceMonthStatus.NOT_PUBLISHED
    assert source_month(AVON, SEP).status == SourceMonthStatus.NOT_PUBLISHED
    assert set(SourceMonth.objects.filter(force__police_uk_id="btp").values_list("status", flat=True)) == {
        SourceMonthStatus.NOT_PUBLISHED
    }


def test_it_fetches_oldest_first_and_only_the_months_offered(sync: Sync, replay: ReplayServer) -> None:
    sync(workers=1)

    assert stops_requests(replay) == [
        f"/api/stops-force?force={AVON}&date=2023-01",
        *[f"/api/stops-force?force=cheshire&date={m:%Y-%m}" for m in CHESHIRE_MONTHS],
    ]


def test_the_recordings_made_from_a_csv_hold_the_same_records_as_the_csv(sync: Sync) -> None:
    force = Organisation.objects.get(police_uk_id="cheshire")
    for month in (JUN, SEP):
        path = Path(settings.BASE_DIR) / "data" / "police-uk" / f"{month:%Y-%m}-cheshire-stop-and-search.csv"
        batch_import(source=BytesIO(path.read_bytes()), file_name=path.name, force=force)
    before = {m: held("cheshire", m) for m in (JUN, SEP)}

    summary = sync(force_ids=["cheshire"])

    for month in (JUN, SEP):
        outcome = month_of(summary, "cheshire", month)
        assert (outcome.imported, outcome.withdrawn, outcome.rows) == (0, 0, before[month])
        assert held("cheshire", month) == before[month]


# --- idempotence --------------------------------------------------------------------------------------------------


def test_a_second_sync_with_nothing_new_writes_nothing_but_its_run(sync: Sync, replay: ReplayServer) -> None:
    sync()
    before = snapshot()
    replay.requests.clear()

    summary = sync()

    assert snapshot() == before
    assert SyncRun.objects.count() == 2
    run = summary.run
    assert (run.status, run.fetched, run.changed, run.failed) == (SyncRunStatus.FINISHED, 3, 0, 0)
    # The availability list once, then only the three newest months (the held January 2023 is not asked for).
    paths = [path for _, path in replay.requests]
    assert paths[0] == "/api/crimes-street-dates"
    assert sorted(paths[1:]) == [f"/api/stops-force?force=cheshire&date={m:%Y-%m}" for m in (JUL, AUG, SEP)]


@pytest.mark.parametrize(("recent", "asked"), [(1, [SEP]), (0, [])])
def test_how_many_recent_months_are_fetched_again_is_a_setting(
    sync: Sync, replay: ReplayServer, settings: Any, recent: int, asked: list[date]
) -> None:
    sync()
    replay.requests.clear()
    settings.SYNC_RECENT_MONTHS = recent

    sync()

    assert sorted(stops_requests(replay)) == [f"/api/stops-force?force=cheshire&date={m:%Y-%m}" for m in asked]


# --- revisions ----------------------------------------------------------------------------------------------------


def test_a_revised_month_ends_equal_to_the_source(sync: Sync, recordings: Path) -> None:
    sync()
    rows = read_month(recordings, "cheshire", SEP)
    dropped, kept = rows[:10], rows[10:]
    added = new_rows(rows[20], "2025-09-15", 3)
    write_month(recordings, "cheshire", SEP, kept + added)

    summary = sync()

    outcome = month_of(summary, "cheshire", SEP)
    assert (outcome.outcome, outcome.imported, outcome.withdrawn, outcome.reinstated) == (CHANGED, 3, 10, 0)
    assert held("cheshire", SEP) == len(kept) + 3
    sm = source_month("cheshire", SEP)
    assert (sm.revisions, sm.withdrawn, sm.source_rows) == (1, 10, len(kept) + 3)
    withdrawn = EncounterRecord.objects.filter(force__police_uk_id="cheshire", month=SEP, withdrawn_at__isnull=False)
    assert withdrawn.count() == 10
    assert summary.run.changed == 1
    event = AuditEvent.objects.filter(action=AuditEvent.Action.BATCH_FINISHED).latest("pk")
    assert (event.detail["imported"], event.detail["withdrawn"], event.detail["reinstated"]) == (3, 10, 0)

    # data.police.uk puts the month back as it was: the ten come back, the three go.
    write_month(recordings, "cheshire", SEP, rows)
    summary = sync()

    outcome = month_of(summary, "cheshire", SEP)
    assert (outcome.imported, outcome.withdrawn, outcome.reinstated) == (0, 3, 10)
    assert held("cheshire", SEP) == len(rows)
    sm = source_month("cheshire", SEP)
    assert (sm.revisions, sm.withdrawn, sm.source_rows) == (2, 3, len(rows))
    # Nothing is ever deleted: every record the month ever had is still there.
    assert EncounterRecord.objects.filter(force__police_uk_id="cheshire", month=SEP).count() == len(rows) + 3
    assert len(dropped) == 10


def test_a_force_extract_is_never_withdrawn_by_the_sync(sync: Sync, recordings: Path) -> None:
    sync()
    force = Organisation.objects.get(police_uk_id="cheshire")
    extract = make_record(
        make_batch(force, source_format=SourceFormat.FORCE_EXTRACT), occurred_at=datetime(2025, 9, 10, 12, tzinfo=UTC)
    )
    write_month(recordings, "cheshire", SEP, read_month(recordings, "cheshire", SEP)[5:])

    sync()

    extract.refresh_from_db()
    assert extract.withdrawn_at is None
    assert source_month("cheshire", SEP).withdrawn == 5


def test_a_month_published_later_is_fetched_even_when_not_recent(sync: Sync, recordings: Path) -> None:
    sync()
    assert source_month("cheshire", JAN_2023).status == SourceMonthStatus.NOT_PUBLISHED
    january = read_month(recordings, AVON, JAN_2023)[:50]
    write_month(recordings, "cheshire", JAN_2023, january)

    sync()

    sm = source_month("cheshire", JAN_2023)
    assert (sm.status, sm.published, sm.source_rows) == (SourceMonthStatus.HELD, True, 50)
    assert held("cheshire", JAN_2023) == 50


def test_a_month_the_list_stops_naming_keeps_its_records(sync: Sync, recordings: Path, replay: ReplayServer) -> None:
    sync()
    listing = json.loads((recordings / "crimes-street-dates.json").read_text(encoding="utf-8"))
    for entry in listing:
        if entry["date"] == "2025-09":
            entry["stop-and-search"] = []
    (recordings / "crimes-street-dates.json").write_text(json.dumps(listing), encoding="utf-8")
    replay.requests.clear()

    sync()

    sm = source_month("cheshire", SEP)
    assert (sm.status, sm.published) == (SourceMonthStatus.HELD, False)
    assert held("cheshire", SEP) == len(read_month(recordings, "cheshire", SEP))
    assert "/api/stops-force?force=cheshire&date=2025-09" not in stops_requests(replay)


def test_an_empty_month_is_held_with_no_rows(sync: Sync, replay: ReplayServer, recordings: Path) -> None:
    replay.add_fault("cheshire", "2025-09", "empty")
    sync()

    sm = source_month("cheshire", SEP)
    assert (sm.status, sm.source_rows) == (SourceMonthStatus.HELD, 0)
    assert held("cheshire", SEP) == 0

    sync()  # published now: it is one of the recent months, fetched again

    rows = len(read_month(recordings, "cheshire", SEP))
    assert held("cheshire", SEP) == rows
    assert source_month("cheshire", SEP).revisions == 1

    replay.add_fault("cheshire", "2025-09", "empty")  # and emptied again: everything it had is withdrawn
    summary = sync()

    assert month_of(summary, "cheshire", SEP).withdrawn == rows
    assert held("cheshire", SEP) == 0
    assert EncounterRecord.objects.filter(force__police_uk_id="cheshire", month=SEP).count() == rows


# --- failures -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("503", "data.police.uk answered 503"),
        ("slow:3", "did not answer in time"),
        ("truncated", "truncated JSON"),
        ("cut", "truncated JSON"),
    ],
)
def test_a_failing_force_is_retried_next_run_and_the_others_complete(
    sync: Sync, replay: ReplayServer, recordings: Path, fault: str, reason: str
) -> None:
    replay.add_fault("cheshire", None, fault, times=2 * 4)  # every try of each of its four months

    summary = sync()

    run = summary.run
    assert (run.status, run.failed, run.fetched) == (SyncRunStatus.FINISHED, 4, 1)
    assert held(AVON, JAN_2023) == len(read_month(recordings, AVON, JAN_2023))
    for month in CHESHIRE_MONTHS:
        sm = source_month("cheshire", month)
        assert (sm.status, sm.failures) == (SourceMonthStatus.FAILED, 1)
        assert reason in sm.last_error
        assert month_of(summary, "cheshire", month).outcome == FAILED
        assert held("cheshire", month) == 0

    summary = sync()

    assert summary.run.failed == 0
    for month in CHESHIRE_MONTHS:
        sm = source_month("cheshire", month)
        assert (sm.status, sm.failures, sm.last_error) == (SourceMonthStatus.HELD, 0, "")
        assert held("cheshire", month) == len(read_month(recordings, "cheshire", month))


def test_a_held_month_that_fails_to_refresh_keeps_its_records_and_says_why(
    sync: Sync, replay: ReplayServer, recordings: Path
) -> None:
    sync()
    replay.add_fault("cheshire", "2025-09", "500", times=2)

    summary = sync()

    assert summary.run.failed == 1
    sm = source_month("cheshire", SEP)
    assert (sm.status, sm.failures) == (SourceMonthStatus.HELD, 1)
    assert "answered 500" in sm.last_error
    assert held("cheshire", SEP) == len(read_month(recordings, "cheshire", SEP))

    sync()  # unchanged, and no longer failing

    sm = source_month("cheshire", SEP)
    assert (sm.failures, sm.last_error, sm.revisions) == (0, "", 0)


def test_a_429_is_waited_out_for_as_long_as_retry_after_says(sync: Sync, replay: ReplayServer) -> None:
    replay.add_fault(AVON, "2023-01", "429:1")

    summary = sync(force_ids=[AVON])

    assert summary.run.failed == 0
    times = [at for at, path in replay.requests if path.startswith(f"/api/stops-force?force={AVON}")]
    assert len(times) == 2
    assert times[1] - times[0] >= 1.0
    assert held(AVON, JAN_2023) == 507


def test_an_unreadable_availability_list_fails_the_run_and_changes_nothing(
    sync: Sync, replay: ReplayServer, recordings: Path
) -> None:
    replay.add_fault("crimes-street-dates", None, "503", times=2)

    summary = sync()

    assert summary.run.status == SyncRunStatus.FAILED
    assert "availability list" in summary.run.error
    assert not SourceMonth.objects.exists()
    assert not stops_requests(replay)

    (recordings / "crimes-street-dates.json").write_text('[{"date": "2025-13", "stop-and-search": []}]')
    summary = sync()

    assert summary.run.status == SyncRunStatus.FAILED
    assert 'has no "date" written YYYY-MM' in summary.run.error
    assert not SourceMonth.objects.exists()


# --- scope and overlap --------------------------------------------------------------------------------------------


def test_a_run_for_named_forces_touches_only_them(sync: Sync, replay: ReplayServer) -> None:
    summary = sync(force_ids=["cheshire"])

    assert summary.run.forces == ["cheshire"]
    assert set(SourceMonth.objects.values_list("force__police_uk_id", flat=True)) == {"cheshire"}
    assert all("force=cheshire" in path for path in stops_requests(replay))


def test_an_unknown_force_is_refused_before_anything_is_written(sync: Sync) -> None:
    with pytest.raises(SyncRefused, match=r"unknown force id\(s\): south-yorks; .*docs/forces.md"):
        sync(force_ids=["south-yorks"])
    assert not SyncRun.objects.exists()


def test_a_sync_while_another_runs_is_refused(sync: Sync, replay: ReplayServer) -> None:
    SyncRun.objects.create(status=SyncRunStatus.RUNNING)

    summary = sync()

    assert summary.run.status == SyncRunStatus.FAILED
    assert "another sync has been running since" in summary.run.error
    assert not replay.requests


def test_a_run_left_running_for_hours_is_marked_failed_and_does_not_block(sync: Sync) -> None:
    stale = SyncRun.objects.create(status=SyncRunStatus.RUNNING, started_at=timezone.now() - timedelta(hours=7))

    summary = sync()

    assert summary.run.status == SyncRunStatus.FINISHED
    stale.refresh_from_db()
    assert (stale.status, stale.error) == (SyncRunStatus.FAILED, "did not finish: the process stopped")


def test_a_force_the_list_names_that_is_not_ours_is_reported_and_the_rest_synced(sync: Sync, recordings: Path) -> None:
    listing = json.loads((recordings / "crimes-street-dates.json").read_text(encoding="utf-8"))
    listing[0]["stop-and-search"].append("police-scotland")
    (recordings / "crimes-street-dates.json").write_text(json.dumps(listing), encoding="utf-8")

    summary = sync()

    assert summary.unknown_forces == ["police-scotland"]
    assert (summary.run.status, summary.run.failed, summary.run.fetched) == (SyncRunStatus.FINISHED, 0, 5)
    assert not SourceMonth.objects.filter(force__police_uk_id="police-scotland").exists()
