"""`manage.py syncrecords` (run now, --json, --force, --every, --enqueue, --replay) and `manage.py replaypoliceuk`,
against the replay server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from scrutiny.models import SourceMonth, SourceMonthStatus, SyncRun, SyncRunStatus
from scrutiny.sync.replay import ReplayServer
from scrutiny.sync.tasks import sync_records
from tests.scrutiny.sync.conftest import AVON, CHESHIRE_MONTHS, JAN_2023, RECORDINGS, held, read_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(replay: ReplayServer, settings: Any) -> ReplayServer:
    settings.POLICE_UK_API_URL = replay.url
    return replay


def sync(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("syncrecords", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_syncrecords_fills_every_force_month_and_says_what_it_did(api: ReplayServer, recordings: Path) -> None:
    out, err = sync()

    rows = {m: len(read_month(recordings, "cheshire", m)) for m in CHESHIRE_MONTHS}
    run = SyncRun.objects.get()
    assert out.splitlines()[0] == f"Sync {run.pk}: 5 force-months fetched, 5 changed, 0 failed, newest month 2025-09."
    assert f"  {AVON} 2023-01: 507 rows, 507 imported, 0 withdrawn, 0 reinstated, 0 rejected" in out
    for month, n in rows.items():
        assert f"  cheshire {month:%Y-%m}: {n} rows, {n} imported, 0 withdrawn" in out
        assert held("cheshire", month) == n
    assert err == ""

    out, _ = sync()

    assert out.splitlines() == [
        f"Sync {run.pk + 1}: 3 force-months fetched, 0 changed, 0 failed, newest month 2025-09."
    ]


def test_syncrecords_json_prints_the_runs_summary(api: ReplayServer) -> None:
    out, _ = sync("--json", "--force", AVON)

    summary = json.loads(out)
    assert summary["status"] == SyncRunStatus.FINISHED
    assert (summary["forces"], summary["fetched"], summary["changed"], summary["failed"]) == ([AVON], 1, 1, 0)
    assert summary["months"] == [
        {
            "force": AVON,
            "month": "2023-01",
            "outcome": "changed",
            "rows": 507,
            "imported": 507,
            "withdrawn": 0,
            "reinstated": 0,
            "rejected": 0,
            "error": "",
        }
    ]
    assert set(SourceMonth.objects.values_list("force__police_uk_id", flat=True)) == {AVON}


def test_syncrecords_refuses_an_unknown_force_and_writes_nothing(api: ReplayServer) -> None:
    with pytest.raises(CommandError, match="unknown force id") as caught:
        sync("--force", "cheshire", "--force", "chesire")
    assert caught.value.returncode == 2
    assert not SyncRun.objects.exists()
    assert not api.requests


def test_syncrecords_exits_1_naming_what_failed_and_it_is_retried_next_run(api: ReplayServer) -> None:
    api.add_fault("cheshire", "2025-08", "503", times=2)
    err = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("syncrecords", stdout=StringIO(), stderr=err)
    assert exited.value.code == 1
    assert "cheshire 2025-08: failed, retried next run: data.police.uk answered 503" in err.getvalue()

    out, err2 = sync()

    assert "cheshire 2025-08: " in out
    assert err2 == ""
    assert SourceMonth.objects.get(force__police_uk_id="cheshire", month=CHESHIRE_MONTHS[2]).status == (
        SourceMonthStatus.HELD
    )


def test_syncrecords_exits_1_when_the_availability_list_cannot_be_read(api: ReplayServer) -> None:
    api.add_fault("crimes-street-dates", None, "500", times=2)
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("syncrecords", stdout=StringIO(), stderr=err)
    assert "failed: data.police.uk answered 500" in err.getvalue()
    assert SyncRun.objects.get().status == SyncRunStatus.FAILED


def test_syncrecords_every_runs_again_until_its_runs_are_done(api: ReplayServer) -> None:
    out, _ = sync("--every", "0.1", "--runs", "2", "--force", AVON)

    assert [r.status for r in SyncRun.objects.order_by("pk")] == [SyncRunStatus.FINISHED] * 2
    assert len(out.splitlines()) == 3  # the first run's line and its month, then the second's line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "2"], "--runs needs --every"),
        (["--every", "0"], "--every must be a number of seconds above 0"),
        (["--enqueue", "--every", "5"], "--enqueue queues one run"),
    ],
)
def test_syncrecords_refuses_options_that_do_not_go_together(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        sync(*args)
    assert not SyncRun.objects.exists()


def test_syncrecords_enqueue_runs_the_task_where_tasks_run_at_once(api: ReplayServer) -> None:
    out, _ = sync("--enqueue", "--force", AVON)

    assert out.startswith("Sync queued as task ")
    assert "SUCCESSFUL" in out
    assert SyncRun.objects.get().status == SyncRunStatus.FINISHED
    assert held(AVON, JAN_2023) == 507


def test_syncrecords_enqueue_leaves_the_run_to_the_worker(api: ReplayServer, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

    out, _ = sync("--enqueue", "--json")

    queued = DBTaskResult.objects.get()
    assert json.loads(out) == {"task": str(queued.id), "status": "READY"}
    assert queued.task_path == "scrutiny.sync.tasks.sync_records"
    assert not SyncRun.objects.exists()
    assert not api.requests


def test_the_task_returns_the_runs_summary(api: ReplayServer) -> None:
    result = sync_records.enqueue(force_ids=["cheshire"])

    assert result.return_value is not None
    assert result.return_value["status"] == SyncRunStatus.FINISHED
    assert result.return_value["forces"] == ["cheshire"]
    assert result.return_value["changed"] == 4


def test_syncrecords_replay_syncs_from_recordings_without_the_network(recordings: Path, settings: Any) -> None:
    settings.POLICE_UK_API_URL = "http://127.0.0.1:9/api"  # nothing listens there: the replay must be used

    out, err = sync("--replay", str(recordings), "--force", AVON)

    assert "1 force-months fetched, 1 changed, 0 failed" in out
    assert err == ""
    with pytest.raises(CommandError, match=r"holds no recorded crimes-street-dates\.json"):
        sync("--replay", str(recordings / "nowhere"))


# --- replaypoliceuk ---------------------------------------------------------------------------------------------


def test_replaypoliceuk_serves_the_recordings_and_its_faults(recordings: Path) -> None:
    process = subprocess.Popen(  # noqa: S603 - our own manage.py
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "replaypoliceuk",
            "--port",
            "0",
            "--dir",
            str(recordings),
            "--fault",
            "avon-and-somerset/2023-01=503x1",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/api")
        with pytest.raises(HTTPError) as caught:
            urlopen(f"{url}/stops-force?force=avon-and-somerset&date=2023-01", timeout=5)  # noqa: S310
        assert caught.value.code == 503
        with urlopen(f"{url}/stops-force?force=avon-and-somerset&date=2023-01", timeout=5) as answer:  # noqa: S310
            assert answer.read() == (RECORDINGS / "2023-01-avon-and-somerset-stops-force.json").read_bytes()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault", "kent=teapot"], 'unknown fault "teapot"'),
        (["--fault", "kent 503"], "write it FORCE"),
        (["--dir", "/nonexistent"], r"holds no recorded crimes-street-dates\.json"),
    ],
)
def test_replaypoliceuk_refuses_what_it_cannot_play(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("replaypoliceuk", "--port", "0", *args, stdout=StringIO())
