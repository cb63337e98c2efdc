"""Charts of stop and search by ethnic group: (a) rates per 1,000 with the White rate as reference, (b) rate ratios
against White on a log scale, (c) find rates with Wilson whiskers (also used for trust by group), (d) the monthly
trend of searches and of the Black/White ratio. Each function takes plain numbers and returns a `Chart`."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator, PercentFormatter

from common.months import MONTH
from frontend.charts.base import (
    FEWER_THAN_10,
    INK,
    SECONDARY_INK,
    UNSTABLE_MARK,
    Cell,
    Chart,
    Table,
    check_interval,
    finite,
    fit,
    fmt_number,
    fmt_percent,
    note_of,
    plain_axes,
    say_list,
    style_of,
    whiskers,
)


@dataclass(frozen=True)
class GroupRate:
    """A group's searches per 1,000 residents. `rate` None: suppressed (nothing of the group is shown)."""

    group: str
    rate: float | None
    searches: int | None = None
    population: int | None = None
    unstable: bool = False


@dataclass(frozen=True)
class GroupRatio:
    """A group's rate ratio against White with its 95% interval. `ratio` None: suppressed."""

    group: str
    ratio: float | None
    low: float | None = None
    high: float | None = None
    unstable: bool = False


@dataclass(frozen=True)
class GroupShare:
    """A proportion for a group (find rate, trust share) with its Wilson interval. `share` None: suppressed."""

    group: str
    share: float | None
    low: float | None = None
    high: float | None = None
    base: int | None = None
    unstable: bool = False


@dataclass(frozen=True)
class MonthPoint:
    """One month: searches (None: suppressed) and the Black/White rate ratio with its interval (None: suppressed or
    not computable)."""

    month: str  # "YYYY-MM"
    searches: int | None
    ratio: float | None = None
    low: float | None = None
    high: float | None = None


def _unstable_notes(rows: Sequence[Sequence[Cell]], note_column: int, what: str) -> tuple[str, ...]:
    if any(row[note_column] and str(row[note_column]).startswith("fewer than 20") for row in rows):
        return (f"{UNSTABLE_MARK} Based on fewer than 20 {what}: unstable, read with care.",)
    return ()


def _mark(note: Cell) -> str:
    return UNSTABLE_MARK if note and str(note).startswith("fewer than 20") else ""


# --- (a) Rates per 1,000 -----------------------------------------------------------------------------------------


def rates_chart(
    groups: Sequence[GroupRate],
    *,
    title: str = "Stop and search rate per 1,000 people, by ethnic group",
    suppressed_label: str = FEWER_THAN_10,
) -> Chart:
    rows = tuple(
        (
            g.group,
            g.searches if g.rate is not None else None,
            g.population,
            g.rate,
            note_of(suppressed=g.rate is None, unstable=g.unstable, suppressed_label=suppressed_label),
        )
        for g in groups
    )
    table = Table(("Group", "Searches", "Population", "Rate per 1,000", "Note"), rows)
    said = []
    for group, _, _, rate, note in rows:
        if rate is None:
            said.append(f"{group} not shown ({note} searches)" if note == FEWER_THAN_10 else f"{group} {note}")
        else:
            said.append(f"{group} {fmt_number(float(rate))}{' (unstable)' if _mark(note) else ''}")
    white = next((r[3] for r in rows if r[0] == "White" and r[3] is not None), None)
    reference = (
        f" The dashed line is the White rate, {fmt_number(float(white))}."
        if white is not None
        else " There is no White reference line: the White rate is not shown."
    )
    alt = f"Bar chart of searches per 1,000 residents by ethnic group: {say_list(said)}.{reference}"
    return Chart("rates", title, alt, table, _draw_rates, _unstable_notes(rows, 4, "searches"))


def _draw_rates(figure: Figure, chart: Chart) -> None:
    fit(figure, left=0.8, bottom=0.45)
    ax = figure.add_subplot()
    plain_axes(ax)
    rows = chart.table.rows
    rates = [float(r[3]) for r in rows if isinstance(r[3], int | float)]
    top = max(rates, default=1.0) or 1.0
    for i, (group, _, _, rate, note) in enumerate(rows):
        colour, hatch, _ = style_of(str(group), i)
        if not isinstance(rate, int | float):
            ax.text(i, top * 0.02, str(note), ha="center", va="bottom", fontsize=9, color=INK, style="italic")
            continue
        ax.bar(i, rate, width=0.6, color=colour, hatch=hatch, hatchcolor="white", edgecolor=colour, linewidth=0)
        ax.text(i, rate + top * 0.02, fmt_number(rate) + _mark(note), ha="center", va="bottom", fontsize=10, color=INK)
    white = next((r[3] for r in rows if r[0] == "White" and isinstance(r[3], int | float)), None)
    if white is not None:
        ax.axhline(white, color=INK, linestyle="--", linewidth=1.2, zorder=3)
        ax.text(
            len(rows) - 0.45,
            white,
            f"White rate {fmt_number(white)}",
            ha="right",
            va="bottom",
            fontsize=9,
            color=INK,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            zorder=4,
        )
    ax.set_xticks(range(len(rows)), [str(r[0]) for r in rows])
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.set_ylim(0, top * 1.15)
    ax.set_ylabel("Searches per 1,000 residents", color=INK)
    ax.set_title(chart.title, loc="left", color=INK, fontsize=12)


# --- (b) Rate ratios against White ---------------------------------------------------------------------------------


def ratio_chart(
    groups: Sequence[GroupRatio],
    *,
    title: str = "How many times as likely to be searched as White people",
    suppressed_label: str = FEWER_THAN_10,
) -> Chart:
    for g in groups:
        check_interval(g.group, g.ratio, g.low, g.high)
    rows = tuple(
        (
            g.group,
            g.ratio,
            g.low if g.ratio is not None else None,
            g.high if g.ratio is not None else None,
            note_of(suppressed=g.ratio is None, unstable=g.unstable, suppressed_label=suppressed_label),
        )
        for g in groups
        if g.group != "White"
    )
    table = Table(("Group", "Rate ratio vs White", "Lower 95%", "Upper 95%", "Note"), rows)
    said = []
    for group, ratio, low, high, note in rows:
        if ratio is None:
            said.append(f"{group} not shown ({note})")
            continue
        interval = (
            f" (95% interval {fmt_number(float(low))} to {fmt_number(float(high))})"
            if low is not None and high is not None
            else ""
        )
        said.append(f"{group} {fmt_number(float(ratio))} times{interval}")
    alt = (
        "Chart of each group's search rate as a multiple of the White rate, on a log scale where 1 means the same "
        f"rate as White: {say_list(said)}."
    )
    return Chart("ratios", title, alt, table, _draw_ratios, _unstable_notes(rows, 4, "searches"))


NICE_TICKS = [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 3, 4, 5, 10, 20, 50, 100]


def _draw_ratios(figure: Figure, chart: Chart) -> None:
    fit(figure, left=0.75, bottom=0.6)
    ax = figure.add_subplot()
    plain_axes(ax)
    rows = chart.table.rows
    values = [float(v) for r in rows for v in r[1:4] if isinstance(v, int | float) and v > 0]
    low_limit = min([*values, 1.0]) / 1.6
    high_limit = max([*values, 1.0]) * 2.6  # room for the labels to the right of each whisker
    ax.set_xscale("log")
    ax.set_xlim(low_limit, high_limit)
    ax.axvline(1, color=INK, linestyle="--", linewidth=1.2)
    ax.text(1, len(rows) - 0.45, " 1 = same rate as White", fontsize=9, color=INK, va="bottom")
    for i, (group, ratio, low, high, note) in enumerate(rows):
        y = len(rows) - 1 - i
        colour, _, marker = style_of(str(group), i)
        if not isinstance(ratio, int | float):
            ax.text(1.05, y, str(note), fontsize=9, color=INK, va="center", style="italic")
            continue
        bounds = (float(low), float(high)) if isinstance(low, int | float) and isinstance(high, int | float) else None
        xerr = [[ratio - bounds[0]], [bounds[1] - ratio]] if bounds else None
        ax.errorbar(ratio, y, xerr=xerr, fmt=marker, color=colour, ecolor=colour, markersize=9, capsize=5, elinewidth=2)
        label = fmt_number(ratio) + _mark(note)
        if bounds:
            label += f" ({fmt_number(bounds[0])} to {fmt_number(bounds[1])})"
        right = bounds[1] if bounds else ratio
        ax.text(right * 1.08, y, label, fontsize=10, color=INK, va="center")
    ticks = [t for t in NICE_TICKS if low_limit <= t <= high_limit]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_yticks(range(len(rows)), [str(r[0]) for r in reversed(rows)])
    ax.set_ylim(-0.6, len(rows) - 0.2)
    ax.set_xlabel("Rate ratio against White (log scale), with 95% interval", color=INK)
    ax.set_title(chart.title, loc="left", color=INK, fontsize=12)


# --- (c) Proportions by group: find rate, trust -----------------------------------------------------------------------


def share_chart(
    groups: Sequence[GroupShare],
    *,
    kind: str = "find_rates",
    title: str = "Searches that found what they were looking for, by ethnic group",
    value_label: str = "Find rate",
    base_label: str = "Searches with an outcome recorded",
    describe: str = "find rate (share of searches whose outcome was linked to their object)",
    suppressed_label: str = FEWER_THAN_10,
) -> Chart:
    """A bar per group with its Wilson whiskers. The table has a column of bases (`base_label`) only when a base is
    given: a column must never hold a number that is not the share's denominator."""
    for g in groups:
        check_interval(g.group, g.share, g.low, g.high)
    with_base = any(g.base is not None for g in groups)
    rows = tuple(
        (
            g.group,
            *((g.base if g.share is not None else None,) if with_base else ()),
            g.share,
            g.low if g.share is not None else None,
            g.high if g.share is not None else None,
            note_of(suppressed=g.share is None, unstable=g.unstable, suppressed_label=suppressed_label),
        )
        for g in groups
    )
    header = ("Group", *((base_label,) if with_base else ()), value_label, "Lower 95%", "Upper 95%", "Note")
    table = Table(header, rows)
    said = []
    for row in rows:
        group, share, low, high, note = row[0], *row[-4:]
        if share is None:
            said.append(f"{group} not shown ({note})")
            continue
        interval = (
            f" (95% interval {fmt_percent(float(low))} to {fmt_percent(float(high))})"
            if low is not None and high is not None
            else ""
        )
        said.append(f"{group} {fmt_percent(float(share))}{interval}")
    alt = f"Bar chart of the {describe} by group, with Wilson 95% intervals: {say_list(said)}."
    return Chart(kind, title, alt, table, _draw_shares, _unstable_notes(rows, -1, "cases"))


def find_rate_chart(groups: Sequence[GroupShare], **options: str) -> Chart:
    return share_chart(groups, **options)


def _draw_shares(figure: Figure, chart: Chart) -> None:
    fit(figure, left=0.85, bottom=0.45)
    ax = figure.add_subplot()
    plain_axes(ax)
    rows = chart.table.rows
    for i, row in enumerate(rows):  # (group, [base,] share, low, high, note)
        group, share, low, high, note = row[0], *row[-4:]
        colour, hatch, _ = style_of(str(group), i)
        if not isinstance(share, int | float):
            ax.text(i, 0.02, str(note), ha="center", va="bottom", fontsize=9, color=INK, style="italic")
            continue
        ax.bar(i, share, width=0.6, color=colour, hatch=hatch, hatchcolor="white", edgecolor=colour, linewidth=0)
        top = float(high) if isinstance(low, int | float) and isinstance(high, int | float) else share
        ax.text(i, top + 0.02, fmt_percent(share) + _mark(note), ha="center", va="bottom", fontsize=10, color=INK)
    whiskers(
        ax,
        list(range(len(rows))),
        [_number(r[-4]) for r in rows],
        [_number(r[-3]) for r in rows],
        [_number(r[-2]) for r in rows],
        INK,
        capsize=6,
    )
    ax.set_xticks(range(len(rows)), [str(r[0]) for r in rows])
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.set_ylim(0, 1.1)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1]))
    ax.set_ylabel(f"{chart.table.header[-4]} (whiskers: 95% interval)", color=INK)
    ax.set_title(chart.title, loc="left", color=INK, fontsize=12)


# --- (d) Monthly trend --------------------------------------------------------------------------------------------


def month_label(month: str) -> str:
    return dt.date(int(month[:4]), int(month[5:7]), 1).strftime("%b %Y")


def trend_chart(
    months: Sequence[MonthPoint],
    *,
    title: str = "Searches each month, and the Black/White rate ratio",
    # A month's total is hidden when it is under 10 or would give a small group (or a small hidden month) away,
    # so its label cannot claim "fewer than 10".
    suppressed_label: str = "small numbers",
) -> Chart:
    for point in months:
        if not MONTH.fullmatch(point.month):
            raise ValueError(f"a month is written YYYY-MM, not {point.month!r}")
        check_interval(point.month, point.ratio, point.low, point.high)
    rows = tuple(
        (
            p.month,
            p.searches,
            p.ratio,
            p.low if p.ratio is not None else None,
            p.high if p.ratio is not None else None,
            suppressed_label if p.searches is None else ("ratio not shown" if p.ratio is None else None),
        )
        for p in months
    )
    table = Table(("Month", "Searches", "Black/White rate ratio", "Lower 95%", "Upper 95%", "Note"), rows)
    shown = [(str(r[0]), int(r[1])) for r in rows if isinstance(r[1], int)]
    ratios = [(str(r[0]), float(r[2])) for r in rows if isinstance(r[2], int | float)]
    parts = []
    if rows:
        parts.append(f"Searches each month from {month_label(str(rows[0][0]))} to {month_label(str(rows[-1][0]))}")
    if shown:
        low = min(shown, key=lambda m: m[1])
        high = max(shown, key=lambda m: m[1])
        parts.append(
            f"lowest {low[1]:,} ({month_label(low[0])}), highest {high[1]:,} ({month_label(high[0])}), "
            f"latest shown {shown[-1][1]:,} ({month_label(shown[-1][0])})"
        )
    hidden = [month_label(str(r[0])) for r in rows if r[1] is None]
    if hidden:
        parts.append(f"not shown ({suppressed_label}): {say_list(hidden)}")
    sentence = ": ".join(parts[:2]) + ("; " + parts[2] if len(parts) > 2 else "") + "."
    if ratios:
        ratio_sentence = (
            f" Black people were {fmt_number(ratios[0][1])} times as likely as White people to be searched in "
            f"{month_label(ratios[0][0])} and {fmt_number(ratios[-1][1])} times in {month_label(ratios[-1][0])}."
        )
    else:
        ratio_sentence = " No month has a Black/White ratio to show."
    alt = "Two line charts. " + sentence + ratio_sentence
    return Chart("trend", title, alt, table, _draw_trend)


def _draw_trend(figure: Figure, chart: Chart) -> None:
    rows = chart.table.rows
    rotate = math.ceil(len(rows) / max(1, math.ceil(len(rows) / 12))) > 6
    fit(figure, left=0.95, bottom=0.85 if rotate else 0.45, hspace=0.12)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[1, 1])
    xs = list(range(len(rows)))
    searches = [_number(r[1]) for r in rows]
    biggest = max((s for s in searches if finite(s)), default=1.0)
    _line(top, xs, searches, "#1D70B8", "o")
    for x, row, value in zip(xs, rows, searches, strict=True):
        if not finite(value):
            top.text(x, biggest * 0.05, str(row[5]), rotation=90, ha="center", va="bottom", fontsize=8, color=INK)
    last = next((i for i in reversed(xs) if finite(searches[i])), None)
    if last is not None:
        top.annotate(
            f"{int(searches[last]):,}", (last, searches[last]), textcoords="offset points", xytext=(6, 6), fontsize=9
        )
    top.set_ylim(0, biggest * 1.2)
    top.set_ylabel("Searches", color=INK)
    top.set_title(chart.title, loc="left", color=INK, fontsize=12)

    ratios = [_number(r[2]) for r in rows]
    lows = [_number(r[3]) for r in rows]
    highs = [_number(r[4]) for r in rows]
    _line(bottom, xs, ratios, "#AD4F09", "s")
    whiskers(bottom, xs, ratios, lows, highs, "#AD4F09")
    bottom.set_yscale("log")
    positive = [v for v in [*ratios, *lows, *highs, 1.0] if finite(v) and v > 0]
    bottom.set_ylim(min(positive) / 1.5, max(positive) * 1.5)
    ticks = [t for t in NICE_TICKS if min(positive) / 1.5 <= t <= max(positive) * 1.5]
    bottom.yaxis.set_major_locator(FixedLocator(ticks))
    bottom.yaxis.set_minor_locator(NullLocator())
    bottom.set_yticks(ticks, [f"{t:g}" for t in ticks])
    bottom.axhline(1, color=INK, linestyle="--", linewidth=1)
    for x, value in zip(xs, ratios, strict=True):
        if not finite(value):
            bottom.text(x, 1, "not shown", rotation=90, ha="center", va="bottom", fontsize=8, color=INK)
    last = next((i for i in reversed(xs) if finite(ratios[i])), None)
    if last is not None:
        bottom.annotate(
            f"{fmt_number(ratios[last])} times", (last, ratios[last]), textcoords="offset points", xytext=(6, 6)
        )
    bottom.set_ylabel("Black/White ratio\n(log scale; whiskers: 95%)", color=INK)
    step = max(1, math.ceil(len(rows) / 12))
    bottom.set_xticks(xs[::step], [month_label(str(r[0])) for r in rows][::step])
    for ax in (top, bottom):
        plain_axes(ax)
    bottom.tick_params(axis="x", labelrotation=45 if rotate else 0)
    bottom.set_xlim(-0.5, max(len(rows) - 0.5, 0.5))


def _number(value: Cell) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


def _line(ax: Axes, xs: list[int], ys: list[float], colour: str, marker: str) -> None:
    ax.plot(xs, ys, color=colour, marker=marker, markersize=6, linewidth=2)
    ax.grid(axis="y", color=SECONDARY_INK, alpha=0.2)
