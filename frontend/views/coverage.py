"""The coverage pages: for every force, which months data.police.uk publishes, which the platform holds, gaps in the
source, months revised or withdrawn, and failures with their reason; and the last sync runs (docs/sync.md).

For coordinators, OPCC officers and site staff (scrutiny/sync/permissions.py); everyone else is refused before
anything is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from panels.forces import BRITISH_TRANSPORT_POLICE
from panels.typing import AuthenticatedHttpRequest
from scrutiny.models import SourceMonth, SourceMonthStatus
from scrutiny.sync.permissions import require_coverage_role
from scrutiny.sync.selectors import coverage_overview, force_months

STATES = {
    "not_synced": ("Not synced yet", "govuk-tag--grey"),
    "not_published": ("Not published by data.police.uk", "govuk-tag--grey"),
    "failing": ("Failing: retried next run", "govuk-tag--red"),
    "incomplete": ("Not fetched yet", "govuk-tag--blue"),
    "complete": ("Up to date", "govuk-tag--green"),
}


def _month(d: date) -> str:
    return d.strftime("%B %Y")


def month_ranges(months: list[date]) -> str:
    """Months as runs of consecutive months: "January 2023; June to September 2025"."""
    if not months:
        return ""
    runs: list[tuple[date, date]] = []
    for month in sorted(months):
        if runs:
            start, end = runs[-1]
            following = date(end.year + end.month // 12, end.month % 12 + 1, 1)
            if month == following:
                runs[-1] = (start, month)
                continue
        runs.append((month, month))
    return "; ".join(_month(a) if a == b else f"{_month(a)} to {_month(b)}" for a, b in runs)


@dataclass(frozen=True)
class MonthLine:
    """One month of a force as the force page shows it."""

    row: SourceMonth
    label: str
    tag: str

    @classmethod
    def of(cls, row: SourceMonth) -> MonthLine:
        if row.status == SourceMonthStatus.HELD and not row.published:
            return cls(row, "Held; no longer listed", "govuk-tag--yellow")
        return cls(
            row,
            {
                SourceMonthStatus.HELD: "Held",
                SourceMonthStatus.PENDING: "Not fetched yet",
                SourceMonthStatus.FAILED: "Failed: retried next run",
                SourceMonthStatus.NOT_PUBLISHED: "Not published",
            }[SourceMonthStatus(row.status)],
            {
                SourceMonthStatus.HELD: "govuk-tag--green",
                SourceMonthStatus.PENDING: "govuk-tag--blue",
                SourceMonthStatus.FAILED: "govuk-tag--red",
                SourceMonthStatus.NOT_PUBLISHED: "govuk-tag--grey",
            }[SourceMonthStatus(row.status)],
        )


@login_required
def coverage_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_coverage_role(request.user)
    coverage = coverage_overview()
    lines = [
        {
            "c": c,
            "state": STATES[c.state],
            "gaps": month_ranges(c.gaps),
            "pending": month_ranges(c.pending),
            "revised": month_ranges([r.month for r in c.revised]),
        }
        for c in coverage.forces
    ]
    return render(
        request,
        "frontend/coverage/overview.html",
        {
            "coverage": coverage,
            "lines": lines,
            "latest_run": coverage.runs[0] if coverage.runs else None,
            "problems": sum(1 for c in coverage.forces if c.failed),
        },
    )


@login_required
def coverage_force_page(request: AuthenticatedHttpRequest, police_uk_id: str) -> HttpResponse:
    require_coverage_role(request.user)
    found = force_months(police_uk_id)
    c = found.coverage
    return render(
        request,
        "frontend/coverage/force.html",
        {
            "c": c,
            "state": STATES[c.state],
            "months": [MonthLine.of(row) for row in found.months],
            "gaps": month_ranges(c.gaps),
            "pending": month_ranges(c.pending),
            "no_longer_listed": month_ranges(c.no_longer_listed),
            "no_population": c.force.police_uk_id == BRITISH_TRANSPORT_POLICE,
        },
    )


urlpatterns: list[URLPattern] = [
    path("coverage/", coverage_page, name="coverage"),
    path("coverage/<slug:police_uk_id>/", coverage_force_page, name="coverage-force"),
]
