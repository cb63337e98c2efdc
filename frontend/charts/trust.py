"""Charts of trust and confidence (docs/trust.md): (e) measures over time, one line per measure or group across the
waves, and a measure by group in one wave (the proportion chart of `disproportionality.share_chart`)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, PercentFormatter

from frontend.charts.base import INK, Chart, Table, check_interval, fit, fmt_percent, plain_axes, style_of, whiskers
from frontend.charts.disproportionality import GroupShare, share_chart

# Trust shares are hidden by cell suppression, which also hides some cells that are not small (docs/trust.md), so
# one word for every hidden one: "fewer than 10" would be untrue of those.
SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class SharePoint:
    share: float
    low: float | None = None
    high: float | None = None
    base: int | None = None


@dataclass(frozen=True)
class TrustSeries:
    """One line across the waves: a measure, or a group's answers to one measure. None: no share in that wave
    (suppressed, or nobody answered)."""

    label: str
    points: Sequence[SharePoint | None]


def trust_time_chart(
    waves: Sequence[str], series: Sequence[TrustSeries], *, title: str = "Trust and confidence over time"
) -> Chart:
    if any(len(s.points) != len(waves) for s in series):
        raise ValueError("each series needs one point (or None) per wave")
    for s in series:
        for wave, p in zip(waves, s.points, strict=True):
            if p is not None:
                check_interval(f"{s.label}, {wave}", p.share, p.low, p.high)
    rows = tuple(
        (wave, s.label, p.base, p.share, p.low, p.high, None)
        if p is not None
        else (wave, s.label, None, None, None, None, SUPPRESSED)
        for s in series
        for wave, p in zip(waves, s.points, strict=True)
    )
    table = Table(("Wave", "Series", "Answered", "Share positive", "Lower 95%", "Upper 95%", "Note"), rows)
    said = []
    for s in series:
        shown = [(w, p) for w, p in zip(waves, s.points, strict=True) if p is not None]
        if not shown:
            said.append(f"{s.label}: no wave shown")
        elif len(shown) == 1:
            said.append(f"{s.label} {fmt_percent(shown[0][1].share)} in {shown[0][0]}")
        else:
            said.append(
                f"{s.label} from {fmt_percent(shown[0][1].share)} in {shown[0][0]} "
                f"to {fmt_percent(shown[-1][1].share)} in {shown[-1][0]}"
            )
    hidden = sum(1 for s in series for p in s.points if p is None)
    tail = f" {hidden} value{'s are' if hidden != 1 else ' is'} suppressed (not shown)." if hidden else ""
    alt = f"Line chart of the share answering positively in each survey wave, with 95% intervals: {'; '.join(said)}."
    return Chart("trust_time", title, alt + tail, table, _draw_time)


def _draw_time(figure: Figure, chart: Chart) -> None:
    fit(figure, left=0.85, bottom=0.75)  # wave labels wrap onto up to three lines
    ax = figure.add_subplot()
    plain_axes(ax)
    rows = chart.table.rows
    waves = list(dict.fromkeys(str(r[0]) for r in rows))
    labels = list(dict.fromkeys(str(r[1]) for r in rows))
    position = {w: i for i, w in enumerate(waves)}
    spread = 0.08 * (len(labels) - 1)
    for n, label in enumerate(labels):
        colour, _, marker = style_of(label, n)
        offset = (n * 0.08 - spread / 2) if len(labels) > 1 else 0.0  # side by side, so whiskers do not overlap
        mine = [r for r in rows if r[1] == label]
        xs = [position[str(r[0])] + offset for r in mine]
        ys = [float(r[3]) if isinstance(r[3], int | float) else math.nan for r in mine]
        ax.plot(xs, ys, color=colour, marker=marker, markersize=7, linewidth=2)
        number = [[float(v) if isinstance(v, int | float) else math.nan for v in r[4:6]] for r in mine]
        whiskers(ax, xs, ys, [n[0] for n in number], [n[1] for n in number], colour)
        for x, r in zip(xs, mine, strict=True):
            if not isinstance(r[3], int | float):
                ax.text(x, 0.03 + 0.05 * n, f"{label}: {r[6]}", rotation=90, fontsize=8, color=INK, va="bottom")
        last = next((i for i in reversed(range(len(ys))) if not math.isnan(ys[i])), None)
        if last is not None:
            ax.annotate(
                f"{label} {fmt_percent(ys[last])}",
                (xs[last], ys[last]),
                textcoords="offset points",
                xytext=(10, 0),
                va="center",
                fontsize=9,
                color=INK,
            )
    ax.set_xticks(range(len(waves)), [textwrap.fill(w, 22) for w in waves], fontsize=9)
    ax.set_xlim(-0.4, len(waves) - 0.4 + 0.9)  # room on the right for the direct labels
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1]))
    ax.set_ylabel("Share positive (whiskers: 95% interval)", color=INK)
    ax.set_title(chart.title, loc="left", color=INK, fontsize=12)


def trust_group_chart(measure: str, wave: str, groups: Sequence[GroupShare], *, dimension: str = "group") -> Chart:
    return share_chart(
        groups,
        kind="trust_groups",
        title=f"{measure}: {wave}, by {dimension}",
        value_label="Share positive",
        base_label="Answered",
        describe=f"share answering positively to “{measure}” in {wave}",
        suppressed_label=SUPPRESSED,
    )


__all__ = ["SUPPRESSED", "SharePoint", "TrustSeries", "trust_group_chart", "trust_time_chart"]
