"""What the coverage page and its API show: per force, what data.police.uk publishes and what the platform holds.

Read from `SourceMonth` and `SyncRun` only, never by counting records: a force's record count is the sum of the rows
of its held months (which the sync keeps equal to the current records, tests/scrutiny/sync/test_sync.py), so the page
costs the same for a force with ten searches as for one with a million. A handful of queries whatever the size:
the forces, their months, the last runs, and when each force was last checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.http import Http404

from panels.models import Organisation
from scrutiny.sync.models import SourceMonth, SourceMonthStatus, SyncRun, SyncRunStatus

RECENT_RUNS = 10


@dataclass(frozen=True)
class MonthFailure:
    month: date
    failures: int  # in a row
    reason: str
    held: bool  # the month is held from an earlier fetch: only its refresh failed


@dataclass(frozen=True)
class MonthRevision:
    month: date
    revisions: int
    withdrawn: int  # records withdrawn as of the last revision


@dataclass
class ForceCoverage:
    force: Organisation
    listed: int = 0  # months the availability list covers that have been recorded for the force
    held: int = 0
    records: int = 0  # rows of the held months, as the source had them
    first_held: date | None = None
    last_held: date | None = None
    gaps: list[date] = field(default_factory=list)  # months the list covers but does not name the force for
    pending: list[date] = field(default_factory=list)  # published, not fetched yet
    failed: list[MonthFailure] = field(default_factory=list)
    revised: list[MonthRevision] = field(default_factory=list)
    no_longer_listed: list[date] = field(default_factory=list)  # held, but the list no longer names the force
    withdrawn: int = 0
    last_checked: datetime | None = None  # the end of the last finished run that covered the force
    last_changed: datetime | None = None  # the last fetch that changed one of its months

    @property
    def published(self) -> int:
        return self.listed - len(self.gaps)

    @property
    def state(self) -> str:
        """One word for the force: "not_synced" (no run has listed it), "not_published" (the list names it for no
        month), "failing", "incomplete" (published months not held yet) or "complete"."""
        if not self.listed:
            return "not_synced"
        if not self.published and not self.held:
            return "not_published"
        if any(not f.held for f in self.failed):
            return "failing"
        if self.pending:
            return "incomplete"
        return "complete"


@dataclass(frozen=True)
class Coverage:
    forces: list[ForceCoverage]
    runs: list[SyncRun]  # the last few, newest first
    first_month: date | None  # the oldest and newest months any availability list has covered
    last_month: date | None


def _last_checked(forces: list[Organisation]) -> dict[int, datetime]:
    """When each force was last covered by a finished run: the last run for every force, or a later one for it."""
    finished = SyncRun.objects.filter(status=SyncRunStatus.FINISHED, finished_at__isnull=False)
    everyone = finished.filter(forces=[]).order_by("-finished_at").first()
    since = Q(finished_at__gt=everyone.finished_at) if everyone and everyone.finished_at else Q()
    checked: dict[int, datetime] = {}
    if everyone is not None and everyone.finished_at is not None:
        checked = {f.pk: everyone.finished_at for f in forces}
    by_id = {f.police_uk_id: f.pk for f in forces}
    for run in finished.exclude(forces=[]).filter(since).order_by("finished_at").only("forces", "finished_at"):
        for police_uk_id in run.forces:
            if police_uk_id in by_id and run.finished_at is not None:
                checked[by_id[police_uk_id]] = run.finished_at
    return checked


def _month_rows(force_ids: list[int]) -> list[SourceMonth]:
    return list(
        SourceMonth.objects.filter(force_id__in=force_ids)
        .only(
            "force_id",
            "month",
            "published",
            "status",
            "source_rows",
            "revisions",
            "withdrawn",
            "failures",
            "last_error",
            "changed_at",
        )
        .order_by("force_id", "month")
    )


def _fold(coverage: ForceCoverage, sm: SourceMonth) -> None:
    coverage.listed += 1
    is_held = sm.status == SourceMonthStatus.HELD
    if is_held:
        coverage.held += 1
        coverage.records += sm.source_rows or 0
        coverage.first_held = coverage.first_held or sm.month
        coverage.last_held = sm.month
        if not sm.published:
            coverage.no_longer_listed.append(sm.month)
    elif sm.status == SourceMonthStatus.NOT_PUBLISHED:
        coverage.gaps.append(sm.month)
    elif sm.status == SourceMonthStatus.PENDING:
        coverage.pending.append(sm.month)
    if sm.failures:
        coverage.failed.append(MonthFailure(sm.month, sm.failures, sm.last_error, is_held))
    if sm.revisions:
        coverage.revised.append(MonthRevision(sm.month, sm.revisions, sm.withdrawn))
    coverage.withdrawn += sm.withdrawn
    if sm.changed_at and (coverage.last_changed is None or sm.changed_at > coverage.last_changed):
        coverage.last_changed = sm.changed_at


def coverage_overview() -> Coverage:
    """Every force of England and Wales with its coverage, by name, and the last runs."""
    forces = list(Organisation.objects.filter(kind=Organisation.Kind.FORCE).exclude(police_uk_id="").order_by("name"))
    found = {f.pk: ForceCoverage(force=f) for f in forces}
    months: set[date] = set()
    for sm in _month_rows(list(found)):
        _fold(found[sm.force_id], sm)
        months.add(sm.month)
    for force_id, at in _last_checked(forces).items():
        found[force_id].last_checked = at
    runs = list(SyncRun.objects.order_by("-started_at", "-pk")[:RECENT_RUNS])
    return Coverage(
        forces=[found[f.pk] for f in forces],
        runs=runs,
        first_month=min(months, default=None),
        last_month=max(months, default=None),
    )


@dataclass(frozen=True)
class ForceMonths:
    coverage: ForceCoverage
    months: list[SourceMonth]  # newest first


def force_months(police_uk_id: str) -> ForceMonths:
    """One force's coverage with each month the availability list has covered; 404 for an id that is not a force's."""
    force = Organisation.objects.filter(kind=Organisation.Kind.FORCE, police_uk_id=police_uk_id).first()
    if force is None or not police_uk_id:
        raise Http404("No such force.")
    coverage = ForceCoverage(force=force)
    rows = _month_rows([force.pk])
    for sm in rows:
        _fold(coverage, sm)
    coverage.last_checked = _last_checked([force]).get(force.pk)
    return ForceMonths(coverage=coverage, months=rows[::-1])
