"""From the statistics to the charts' plain inputs: the disproportionality report (the JSON contract of issue 6,
`scrutiny.disproportionality.report`), its monthly trend, and a panel's trust report (`surveys.results.trust`).

These read plain dicts and dataclasses and never query anything. With `public=True` a group whose searches are
under 10 (or already null) is drawn as a gap, and so is every ratio when the White count is: the same rule as the
public report, applied again here so that a chart for a public page is safe whichever report it is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from frontend.charts.disproportionality import GroupRate, GroupRatio, GroupShare, MonthPoint
from frontend.charts.trust import SharePoint, TrustSeries
from surveys.results.trust import TrustReport
from surveys.stats import SUPPRESSION_THRESHOLD, TrustShare

GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]


def _shown(entry: Mapping[str, Any], public: bool) -> bool:
    searches = entry.get("searches")
    return not public or (searches is not None and searches >= SUPPRESSION_THRESHOLD)


def _groups(report: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    groups = report.get("groups") or {}
    return [(g, groups[g]) for g in GROUPS if g in groups]


def rates_from_report(report: Mapping[str, Any], *, public: bool = True) -> list[GroupRate]:
    out = []
    for group, entry in _groups(report):
        shown = _shown(entry, public) and entry.get("rate_per_1000") is not None
        out.append(
            GroupRate(
                group=group,
                rate=entry["rate_per_1000"] if shown else None,
                searches=entry.get("searches") if shown else None,
                population=entry.get("population"),
                unstable=bool(entry.get("unstable")),
            )
        )
    return out


def ratios_from_report(report: Mapping[str, Any], *, public: bool = True) -> list[GroupRatio]:
    white = dict(_groups(report)).get("White", {})
    reference_shown = _shown(white, public)
    out = []
    for group, entry in _groups(report):
        if group == "White":
            continue
        ratio = entry.get("rate_ratio_vs_white")
        shown = reference_shown and _shown(entry, public) and ratio is not None
        interval = entry.get("rate_ratio_ci95") or [None, None]
        out.append(
            GroupRatio(
                group=group,
                ratio=ratio if shown else None,
                low=interval[0] if shown else None,
                high=interval[1] if shown else None,
                unstable=bool(entry.get("unstable")),
            )
        )
    return out


def find_rates_from_report(report: Mapping[str, Any], *, public: bool = True) -> list[GroupShare]:
    out = []
    for group, entry in _groups(report):
        share = entry.get("find_rate")
        shown = _shown(entry, public) and share is not None
        interval = entry.get("find_rate_ci95") or [None, None]
        out.append(
            GroupShare(
                group=group,
                share=share if shown else None,
                low=interval[0] if shown else None,
                high=interval[1] if shown else None,
                # The report gives no count of searches with the outcome link recorded (the find rate's
                # denominator), so no base: the group's searches would be the wrong one.
                base=None,
                unstable=bool(entry.get("unstable")),
            )
        )
    return out


def trend_from_months(months: Sequence[Mapping[str, Any]], *, public: bool = True) -> list[MonthPoint]:
    """From `scrutiny.disproportionality.report.monthly_trend(...)["months"]`: each {"month", "total", "groups"}."""
    out = []
    for entry in months:
        total = entry.get("total")
        searches = total if total is not None and (not public or total >= SUPPRESSION_THRESHOLD) else None
        ratios = ratios_from_report(entry, public=public)
        black = next((r for r in ratios if r.group == "Black"), None)
        out.append(
            MonthPoint(
                month=entry["month"],
                searches=searches,
                ratio=black.ratio if black else None,
                low=black.low if black else None,
                high=black.high if black else None,
            )
        )
    return out


# --- Trust ------------------------------------------------------------------------------------------------------


def _point(share: TrustShare | None) -> SharePoint | None:
    if share is None or share.suppressed or share.share is None:
        return None
    return SharePoint(share=share.share, low=share.low, high=share.high, base=share.base)


def _measure(report: TrustReport, code: str) -> Any:
    for m in report.measures:
        if m.measure.code == code:
            return m
    raise ValueError(f"the report has no measure {code!r}")


def trust_measures_over_time(report: TrustReport, codes: Sequence[str]) -> tuple[list[str], list[TrustSeries]]:
    """Wave labels, and one series per measure: suppressed shares become gaps, whatever the audience, because a
    chart is something people copy."""
    waves = report.waves
    series = []
    for code in codes:
        m = _measure(report, code)
        series.append(TrustSeries(m.measure.label, [_point(m.overall.get(w.key)) for w in waves]))
    return [w.label for w in waves], series


def trust_groups_over_time(report: TrustReport, code: str, dimension: str) -> tuple[list[str], list[TrustSeries]]:
    waves = report.waves
    m = _measure(report, code)
    groups = next(d for d in report.dimensions if d.key == dimension).groups
    by_wave = m.by_group[dimension]
    series = [
        TrustSeries(label, [_point(by_wave[w.key].groups.get(g) if w.key in by_wave else None) for w in waves])
        for g, label in groups
    ]
    return [w.label for w in waves], series


def trust_by_group(report: TrustReport, code: str, dimension: str, wave_key: str) -> list[GroupShare]:
    m = _measure(report, code)
    groups = next(d for d in report.dimensions if d.key == dimension).groups
    breakdown = m.by_group[dimension].get(wave_key)
    out = []
    for g, label in groups:
        point = _point(breakdown.groups.get(g)) if breakdown else None
        out.append(
            GroupShare(
                group=label,
                share=point.share if point else None,
                low=point.low if point else None,
                high=point.high if point else None,
                base=point.base if point else None,
            )
        )
    return out
