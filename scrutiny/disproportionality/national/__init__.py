"""The national comparison: every force of England and Wales beside the others (docs/national.md).

For a period of whole months (the latest 12 with data, or a financial year), for England and Wales as a whole and
for each force: searches per 1,000 residents by the five Census groups, the ratio against White with its interval,
find and arrest rates, totals, not stated and vehicle-only searches excluded; which force-months are missing; and,
for each group against White, where each force sits on a funnel plot and its rank with a 95 % interval.

How it is computed:
- **One grouped query** over the records of every force (`counts._counts`: GROUP BY force, month, ethnic group,
  vehicle-only, with the same counts as `reporting._outcome_counts`), then plain Python. Grouping by month as well
  costs little and gives, in the same pass, the months each force holds records for (coverage, below) and lets a
  missing month's records be left out with its population.
- **Coverage** (`coverage.missing_months`): a force-month is covered when its `SourceMonth` is held, or, when the
  force has no `SourceMonth` for that month (records imported by hand, the sync never run), when the force holds a
  current record in that month. Otherwise it is missing: "not published by data.police.uk" when the source month
  says so, else "not held yet". Coverage is read afresh on every call (one small query), so the label is never
  stale.
- **Denominators**: a force's Census population counts for the months covered only (population × covered / months),
  so that a missing month lowers neither its rate nor England and Wales's; England and Wales is the sum of the
  territorial forces. British Transport Police has no resident population: its searches, find and arrest rates
  are given, never a rate per 1,000 or a ratio, and it is left out of England and Wales and of the funnel.
- **Cache**: the counts under a key holding the period and every force's data version
  (`records.versions.records_changed`; one cache round trip for the 44 versions), and the finished report under that
  key and the coverage, so a sync or an import makes both stale at once.
- **Public** (`public=True`): no count under 10 anywhere, nor a total that would give one away (see
  `figures.suppress`); the funnel, over-dispersion and ranks of the public report are worked from the figures it
  shows.

The parts, each in its module:
- `period`: the period asked for (`NationalQuery`, `national_query`);
- `forces`: the forces compared and the months they hold (`national_forces`, `data_months`, `latest_period`);
- `counts`: the grouped query per force and month; `caching`: the cache keys and the forces' data versions;
- `coverage`: the missing force-months and their words;
- `figures`: each force's and England and Wales's figures, and what a public report shows of them;
- `comparison`: the funnel, ranks and over-dispersion, and how one force compares in a finished report;
- `assembly`: the report as JSON (`national_report`);
- `access`: who may read the unsuppressed report.
"""

from __future__ import annotations

from scrutiny.disproportionality.national.access import NATIONAL_REFUSAL, may_read_national
from scrutiny.disproportionality.national.assembly import national_report
from scrutiny.disproportionality.national.caching import CACHE_SECONDS, data_versions
from scrutiny.disproportionality.national.comparison import (
    COMPARED,
    ForceComparison,
    GroupComparison,
    force_comparison,
    forces_compared,
    how_force_compares,
)

# The grouped query's own pieces, checked against a plain query by tests/scrutiny/test_national.py.
from scrutiny.disproportionality.national.counts import KEYS, SLOTS, WIDTH
from scrutiny.disproportionality.national.coverage import (
    NOT_HELD,
    NOT_PUBLISHED,
    REASONS,
    MissingMonth,
    describe_missing,
    missing_from_json,
    missing_months,
)
from scrutiny.disproportionality.national.forces import data_months, latest_period, national_forces
from scrutiny.disproportionality.national.period import MAX_MONTHS, NationalQuery, national_query

__all__ = [
    "CACHE_SECONDS",
    "COMPARED",
    "KEYS",
    "MAX_MONTHS",
    "NATIONAL_REFUSAL",
    "NOT_HELD",
    "NOT_PUBLISHED",
    "REASONS",
    "SLOTS",
    "WIDTH",
    "ForceComparison",
    "GroupComparison",
    "MissingMonth",
    "NationalQuery",
    "data_months",
    "data_versions",
    "describe_missing",
    "force_comparison",
    "forces_compared",
    "how_force_compares",
    "latest_period",
    "may_read_national",
    "missing_from_json",
    "missing_months",
    "national_forces",
    "national_query",
    "national_report",
]
