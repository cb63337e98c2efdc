"""The sync: every force's stop and search from data.police.uk, every month it publishes, kept equal to the source.

One run (`sync_run`):

1. reads the availability list once (`/api/crimes-street-dates`) and records it in `SourceMonth`: for every force of
   ours and every month the list covers, whether the list names the force (a month it does not name is a gap in
   the source, NOT_PUBLISHED);
2. fetches every published force-month not held yet (pending, or failed last time), oldest first, and the newest
   `SYNC_RECENT_MONTHS` months again, whatever their state: forces re-submit their data and data.police.uk
   re-publishes recent months (docs/sync.md);
3. for each answer: if its SHA-256 is the one held, writes nothing. Otherwise imports it as one batch and makes the
   force-month equal to the source: records of the force and month that came from data.police.uk and are no
   longer in the source are marked withdrawn (kept, out of statistics and new samples), and withdrawn records that
   are back are reinstated.

A force-month that fails (the network, the API, a truncated answer, an import error) is recorded with its reason
and retried on the next run; the others carry on. Fetches run a few at a time in threads (they only write temporary
files); imports run one at a time in the calling thread, each in its own transaction.
"""

from __future__ import annotations

import logging
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from panels.models import Organisation
from scrutiny.audit.models import AuditEvent
from scrutiny.audit.services import audit_log
from scrutiny.choices import BatchStatus, SourceFormat
from scrutiny.records.importing import ImportFailed, run_import
from scrutiny.records.importing.fetch import (
    LIMITER,
    Fetched,
    RateLimiter,
    fetch_availability,
    fetch_json_array,
    stops_force_url,
)
from scrutiny.records.importing.sinks import neighbours
from scrutiny.records.models import EncounterRecord, ImportBatch
from scrutiny.records.versions import records_changed
from scrutiny.sync.models import SourceMonth, SourceMonthStatus, SyncRun, SyncRunStatus

logger = logging.getLogger(__name__)

# Records that came from data.police.uk, by the format of the batch that brought them: only these are withdrawn
# when the source no longer has them (a force's own extract is not data.police.uk's to withdraw).
POLICE_UK_FORMATS = (SourceFormat.POLICE_UK_JSON, SourceFormat.POLICE_UK_CSV)
# A run still marked running after this long stopped without finishing (the process was killed, say).
STALE_AFTER = timedelta(hours=6)
_CHUNK = 2000  # ids per UPDATE (well under SQLite's limit on bound variables)

UNCHANGED = "unchanged"
CHANGED = "changed"
FAILED = "failed"


class SyncRefused(Exception):
    """The run cannot start: a force id that is not one of ours, say. The message is one line a person can act on."""


@dataclass(frozen=True)
class MonthOutcome:
    """What became of one force-month in a run."""

    force: str  # data.police.uk id
    month: date
    outcome: str  # UNCHANGED, CHANGED (imported: records added, withdrawn or reinstated, or none) or FAILED
    rows: int = 0  # rows in the source
    imported: int = 0
    withdrawn: int = 0  # newly withdrawn by this run
    reinstated: int = 0
    rejected: int = 0
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "force": self.force,
            "month": f"{self.month:%Y-%m}",
            "outcome": self.outcome,
            "rows": self.rows,
            "imported": self.imported,
            "withdrawn": self.withdrawn,
            "reinstated": self.reinstated,
            "rejected": self.rejected,
            "error": self.error,
        }


@dataclass
class SyncSummary:
    run: SyncRun
    months: list[MonthOutcome] = field(default_factory=list)
    unknown_forces: list[str] = field(default_factory=list)  # ids the availability list names that are not ours

    def as_json(self) -> dict[str, Any]:
        run = self.run
        return {
            "run": run.pk,
            "status": run.status,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "latest_month": f"{run.latest_month:%Y-%m}" if run.latest_month else None,
            "forces": run.forces,
            "fetched": run.fetched,
            "changed": run.changed,
            "failed": run.failed,
            "error": run.error,
            "unknown_forces": self.unknown_forces,
            "months": [m.as_json() for m in self.months if m.outcome != UNCHANGED],
        }


# --- the forces a run covers ----------------------------------------------------------------------------------


def sync_forces(force_ids: Sequence[str] | None = None) -> list[Organisation]:
    """Every force with a data.police.uk id, or just those named; SyncRefused naming any id that is not one."""
    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE).exclude(police_uk_id="").order_by("police_uk_id")
    if not force_ids:
        return list(forces)
    wanted = sorted(set(force_ids))
    found = list(forces.filter(police_uk_id__in=wanted))
    unknown = sorted(set(wanted) - {f.police_uk_id for f in found})
    if unknown:
        raise SyncRefused(
            f"unknown force id(s): {', '.join(unknown)}; the data.police.uk force ids are listed in docs/forces.md"
        )
    return found


# --- step 1: the availability list ----------------------------------------------------------------------------


def source_months_record(*, available: dict[date, frozenset[str]], forces: Sequence[Organisation]) -> int:
    """Record what the availability list says for every force and every month it covers; returns rows written.

    Writes only what differs from what is recorded, so an unchanged list writes nothing. A month the list no longer
    names a force for keeps its records and its HELD status (published becomes false, and the coverage page says
    so): data.police.uk dropping a month from its list is not a reason to withdraw what it published.
    """
    months = sorted(available)
    existing = {
        (sm.force_id, sm.month): sm
        for sm in SourceMonth.objects.filter(force__in=forces, month__in=months).only(
            "pk", "force_id", "month", "published", "status"
        )
    }
    create: list[SourceMonth] = []
    update: list[SourceMonth] = []
    for month in months:
        for force in forces:
            published = force.police_uk_id in available[month]
            sm = existing.get((force.pk, month))
            if sm is None:
                first = SourceMonthStatus.PENDING if published else SourceMonthStatus.NOT_PUBLISHED
                create.append(SourceMonth(force=force, month=month, published=published, status=first))
                continue
            status: str = sm.status
            if published and status == SourceMonthStatus.NOT_PUBLISHED:
                status = SourceMonthStatus.PENDING
            elif not published and status in (SourceMonthStatus.PENDING, SourceMonthStatus.FAILED):
                status = SourceMonthStatus.NOT_PUBLISHED
            if (sm.published, sm.status) != (published, status):
                sm.published, sm.status = published, status
                update.append(sm)
    with transaction.atomic():
        SourceMonth.objects.bulk_create(create, batch_size=500)
        SourceMonth.objects.bulk_update(update, ["published", "status"], batch_size=500)
    return len(create) + len(update)


def months_to_fetch(
    *, available: dict[date, frozenset[str]], forces: Sequence[Organisation], recent: int
) -> list[SourceMonth]:
    """The published force-months to fetch, oldest first: those not held yet, and every one of the `recent` newest
    months of the list."""
    recent_months = set(sorted(available)[-recent:]) if recent > 0 else set()
    candidates = (
        SourceMonth.objects.filter(force__in=forces, month__in=list(available), published=True)
        .select_related("force")
        .order_by("month", "force__police_uk_id")
    )
    return [sm for sm in candidates if sm.status != SourceMonthStatus.HELD or sm.month in recent_months]


# --- step 2: fetching -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    base_url: str | None
    limiter: RateLimiter
    attempts: int
    timeout: float


@dataclass
class _Answer:
    source: IO[bytes] | None
    fetched: Fetched | None
    error: str


def _fetch(sm: SourceMonth, options: _Options) -> _Answer:
    """Fetch one force-month into a temporary file (runs in a worker thread: no database here)."""
    force = sm.force.police_uk_id
    source = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    try:
        fetched = fetch_json_array(
            stops_force_url(force, sm.month, options.base_url),
            into=source,
            limiter=options.limiter,
            attempts=options.attempts,
            timeout=options.timeout,
            what=f'force "{force}" in {sm.month:%Y-%m}',
            not_found=f'data.police.uk has no stop and search for force "{force}" in {sm.month:%Y-%m} (404)',
        )
    except ImportFailed as error:
        source.close()
        return _Answer(None, None, str(error))
    except Exception as error:
        logger.exception("fetching %s %s failed", force, sm.month)
        source.close()
        return _Answer(None, None, f"unexpected error while fetching: {type(error).__name__}")
    return _Answer(source, fetched, "")


def _fetched_in_order(
    months: Iterable[SourceMonth], *, workers: int, options: _Options
) -> Iterator[tuple[SourceMonth, _Answer]]:
    """Each force-month with its answer, in the order given, fetching up to `workers` at once (and at most twice
    that many ahead, so few temporary files are open)."""
    todo = iter(months)
    with ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="police-uk-fetch") as pool:
        pending: deque[tuple[SourceMonth, Future[_Answer]]] = deque()

        def submit() -> None:
            sm = next(todo, None)
            if sm is not None:
                pending.append((sm, pool.submit(_fetch, sm, options)))

        for _ in range(max(workers, 1) * 2):
            submit()
        try:
            while pending:
                sm, future = pending.popleft()
                submit()
                yield sm, future.result()
        finally:
            # Stopped early (an error in the caller): close what was fetched ahead.
            for _, future in pending:
                future.cancel()
            for _, future in pending:
                if not future.cancelled():
                    answer = future.result()
                    if answer.source is not None:
                        answer.source.close()


# --- step 3: making a force-month equal to its source ---------------------------------------------------------


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def records_match_source(*, force_id: int, month: date, fingerprints: frozenset[bytes]) -> tuple[int, int, int]:
    """Withdraw the force-month's data.police.uk records whose fingerprints are not in the source, reinstate
    withdrawn ones that are; returns (newly withdrawn, reinstated, withdrawn now in the month).

    Reinstatement looks at the neighbouring months too: the importer may have matched a source row against a record
    filed under the month before or after (scrutiny/importing/sinks.py).
    """
    ours = EncounterRecord.objects.filter(force_id=force_id, batch__source_format__in=POLICE_UK_FORMATS)
    withdraw: list[int] = []
    reinstate: list[int] = []
    still_withdrawn = 0
    for pk, fingerprint, withdrawn_at in ours.filter(month=month).values_list("pk", "fingerprint", "withdrawn_at"):
        in_source = bytes(fingerprint) in fingerprints
        if withdrawn_at is None and not in_source:
            withdraw.append(pk)
        elif withdrawn_at is not None and in_source:
            reinstate.append(pk)
        elif withdrawn_at is not None:
            still_withdrawn += 1
    others = [date.fromisoformat(m) for m in neighbours(month.isoformat()) if m != month.isoformat()]
    for pk, fingerprint in ours.filter(month__in=others, withdrawn_at__isnull=False).values_list("pk", "fingerprint"):
        if bytes(fingerprint) in fingerprints:
            reinstate.append(pk)
    now = timezone.now()
    for chunk in _chunks(withdraw):
        EncounterRecord.objects.filter(pk__in=chunk).update(withdrawn_at=now)
    for chunk in _chunks(reinstate):
        EncounterRecord.objects.filter(pk__in=chunk).update(withdrawn_at=None)
    return len(withdraw), len(reinstate), still_withdrawn + len(withdraw)


def source_month_import(*, source_month: SourceMonth, source: IO[bytes], fetched: Fetched) -> MonthOutcome:
    """Bring one fetched force-month in. Unchanged (the SHA-256 held): writes nothing. Otherwise imports it as one
    batch and makes the force-month equal to the source, all in one transaction; ImportFailed (or any error)
    leaves everything as it was."""
    force = source_month.force
    if source_month.status == SourceMonthStatus.HELD and source_month.content_sha256 == fetched.sha256:
        if source_month.failures:  # it failed last time: it no longer does
            SourceMonth.objects.filter(pk=source_month.pk).update(failures=0, last_error="")
        return MonthOutcome(force.police_uk_id, source_month.month, UNCHANGED, rows=source_month.source_rows or 0)
    with transaction.atomic():
        sm = SourceMonth.objects.select_for_update().get(pk=source_month.pk)
        now = timezone.now()
        batch = ImportBatch.objects.create(
            force=force,
            source_format=SourceFormat.POLICE_UK_JSON,
            file_name=fetched.url[:255],
            file_sha256=fetched.sha256,
            declared_month=sm.month,
            status=BatchStatus.RUNNING,
            started_at=now,
        )
        source.seek(0)
        result = run_import(batch=batch, source=source, keep_fingerprints=True)
        assert result.fingerprints is not None
        withdrawn, reinstated, withdrawn_now = records_match_source(
            force_id=force.pk, month=sm.month, fingerprints=result.fingerprints
        )
        if sm.status == SourceMonthStatus.HELD:
            sm.revisions += 1
        sm.status = SourceMonthStatus.HELD
        sm.published = True
        sm.source_rows = result.read
        sm.content_sha256 = fetched.sha256
        sm.fetched_at = sm.changed_at = sm.last_attempt_at = now
        sm.withdrawn = withdrawn_now
        sm.failures = 0
        sm.last_error = ""
        sm.batch = batch
        sm.save()
        batch.refresh_from_db()
        audit_log(
            by=None,
            action=AuditEvent.Action.BATCH_FINISHED,
            obj=batch,
            detail={**result.as_json(batch.file_name), "withdrawn": withdrawn, "reinstated": reinstated},
        )
        if result.imported or withdrawn or reinstated:
            records_changed(force.pk)  # cached reports of this force are stale
    return MonthOutcome(
        force.police_uk_id,
        sm.month,
        CHANGED,
        rows=result.read,
        imported=result.imported,
        withdrawn=withdrawn,
        reinstated=reinstated,
        rejected=result.rejected,
    )


def source_month_failed(*, source_month: SourceMonth, reason: str) -> MonthOutcome:
    """Record why a force-month could not be fetched or imported; it is tried again on the next run. A month already
    held stays held (its records are what the source last said); the failure is kept beside it."""
    SourceMonth.objects.filter(pk=source_month.pk).update(
        failures=F("failures") + 1,
        last_error=reason[:2000],
        last_attempt_at=timezone.now(),
        status=Case(
            When(status=SourceMonthStatus.HELD, then=Value(SourceMonthStatus.HELD)),
            default=Value(SourceMonthStatus.FAILED),
        ),
    )
    return MonthOutcome(source_month.force.police_uk_id, source_month.month, FAILED, error=reason)


# --- a run ----------------------------------------------------------------------------------------------------


def _claim(run: SyncRun) -> str:
    """Why the run may not go ahead ("" if it may): one sync at a time. A run left running for longer than
    STALE_AFTER stopped without finishing and is marked failed."""
    now = timezone.now()
    SyncRun.objects.filter(status=SyncRunStatus.RUNNING, started_at__lt=now - STALE_AFTER).exclude(pk=run.pk).update(
        status=SyncRunStatus.FAILED, finished_at=now, error="did not finish: the process stopped"
    )
    other = SyncRun.objects.filter(status=SyncRunStatus.RUNNING).exclude(pk=run.pk).order_by("started_at").first()
    if other is not None and (other.started_at, other.pk) < (run.started_at, run.pk):
        return f"another sync has been running since {timezone.localtime(other.started_at):%d %b %Y %H:%M}"
    return ""


def sync_run(
    *,
    force_ids: Sequence[str] | None = None,
    base_url: str | None = None,
    limiter: RateLimiter = LIMITER,
    recent: int | None = None,
    workers: int | None = None,
) -> SyncSummary:
    """One run of the sync (see the module docstring); SyncRefused before anything is written for a force id
    that is not ours. Never raises for what data.police.uk answers: the run row says what happened."""
    forces = sync_forces(force_ids)
    recent = settings.SYNC_RECENT_MONTHS if recent is None else recent
    workers = settings.SYNC_FETCH_WORKERS if workers is None else workers
    options = _Options(
        base_url=base_url,
        limiter=limiter,
        attempts=settings.POLICE_UK_ATTEMPTS,
        timeout=settings.POLICE_UK_TIMEOUT,
    )
    run = SyncRun.objects.create(forces=sorted(f.police_uk_id for f in forces) if force_ids else [])
    summary = SyncSummary(run=run)
    try:
        busy = _claim(run)
        if busy:
            raise ImportFailed(busy)
        available = fetch_availability(
            base_url=base_url, limiter=limiter, attempts=options.attempts, timeout=options.timeout
        )
        run.latest_month = max(available, default=None)
        ours = {f.police_uk_id for f in sync_forces()}
        summary.unknown_forces = sorted(set().union(*available.values()) - ours) if available else []
        if summary.unknown_forces:
            logger.warning("the availability list names forces that are not ours: %s", summary.unknown_forces)
        source_months_record(available=available, forces=forces)
        todo = months_to_fetch(available=available, forces=forces, recent=recent)
        for sm, answer in _fetched_in_order(todo, workers=workers, options=options):
            outcome = _bring_in(sm, answer)
            summary.months.append(outcome)
            run.fetched += outcome.outcome != FAILED
            run.changed += outcome.outcome == CHANGED and bool(
                outcome.imported or outcome.withdrawn or outcome.reinstated
            )
            run.failed += outcome.outcome == FAILED
    except ImportFailed as error:
        run.status = SyncRunStatus.FAILED
        run.error = str(error)
    except Exception as error:
        logger.exception("sync run %s failed", run.pk)
        run.status = SyncRunStatus.FAILED
        run.error = f"unexpected error: {type(error).__name__}"
    else:
        run.status = SyncRunStatus.FINISHED
    run.finished_at = timezone.now()
    run.save()
    return summary


def _bring_in(sm: SourceMonth, answer: _Answer) -> MonthOutcome:
    """One force-month's answer into the database; a failure of this force-month never stops the run."""
    if answer.source is None or answer.fetched is None:
        return source_month_failed(source_month=sm, reason=answer.error)
    try:
        return source_month_import(source_month=sm, source=answer.source, fetched=answer.fetched)
    except ImportFailed as error:
        return source_month_failed(source_month=sm, reason=str(error))
    except Exception as error:
        logger.exception("importing %s %s failed", sm.force.police_uk_id, sm.month)
        return source_month_failed(source_month=sm, reason=f"unexpected error while importing: {type(error).__name__}")
    finally:
        answer.source.close()
