"""(f) The funnel plot of the national comparison (docs/national.md, docs/charts.md): each force's rate ratio for one
group against White, against its volume (the searches of that group expected at the England and Wales ratio), with
the England and Wales ratio and its 95 % and 99.8 % control limits (Spiegelhalter's method, `scrutiny.stats.funnel`).

The forces outside the 99.8 % limits are labelled with their names, and so is the force selected (a force area's
page highlights its own). Like every chart, `funnel_chart` takes plain numbers and returns a `Chart`; the drawing
reads only the chart's table (the England and Wales row carries the reference ratio, the note column marks the
selected force), so its cache key is its data. `funnel_from_report` reads the national report's JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

from frontend.charts.base import INK, SECONDARY_INK, Chart, Table, fit, fmt_number, plain_axes, say_list
from scrutiny.stats import funnel as fn

ENGLAND_AND_WALES = "England and Wales"
SELECTED = "selected force"
POSITION_WORDS = fn.POSITION_SHORT
# Marker and colour by position: never colour alone (the shape differs, and outliers carry their names).
POSITION_STYLE: dict[str, tuple[str, str]] = {
    "high_outlier": ("#AD4F09", "^"),
    "high_alert": ("#AD4F09", "D"),
    "within": ("#505A5F", "o"),
    "low_alert": ("#1D70B8", "D"),
    "low_outlier": ("#1D70B8", "v"),
}
SELECTED_COLOUR = "#0B0C0C"
LINES_NOTES = (
    "Solid lines: 99.8% control limits; dashed: 95%; the thick line: the England and Wales ratio.",
    "Filled triangles: outliers (up: higher, down: lower); hollow diamonds: alerts; hollow circles: within the "
    "limits; a star: the selected force.",
)
VOLUME_TICKS = [m * 10**k for k in range(-1, 8) for m in (1, 2, 5)]
NICE_TICKS = [0.1, 0.2, 0.25, 0.5, 1, 2, 3, 4, 5, 10, 20, 50, 100]


@dataclass(frozen=True)
class FunnelDot:
    """One force on the funnel: its searches of the group (observed), those expected at the England and Wales
    ratio, its own ratio against White and where it sits (a key of `scrutiny.stats.funnel.POSITION_LABELS`)."""

    name: str
    observed: int
    expected: float
    ratio: float
    position: str
    selected: bool = False


def funnel_chart(
    dots: Sequence[FunnelDot],
    *,
    group: str,
    reference_ratio: float,
    reference_searches: int | None = None,
    title: str | None = None,
    notes: Sequence[str] = (),
) -> Chart:
    """The funnel plot of `group`'s ratio against White, each force a dot. Refuses a position that is not one of
    the five, a negative count, an expected count that is not positive, or a reference ratio that is not."""
    if not reference_ratio > 0:
        raise ValueError(f"the England and Wales ratio must be positive, not {reference_ratio}")
    for d in dots:
        if d.position not in fn.POSITION_LABELS:
            raise ValueError(f"{d.name}: unknown position {d.position!r}")
        if d.observed < 0 or not d.expected > 0:
            raise ValueError(f"{d.name}: needs a count of 0 or more and a positive expected count")
    title = title or f"{group}/White rate ratio of each force against its volume, with control limits"
    rows: list[tuple[Any, ...]] = [
        (ENGLAND_AND_WALES, reference_searches, None, reference_ratio, None, None, None, None, "reference", None)
    ]
    for d in sorted(dots, key=lambda d: d.expected):
        limits = fn.funnel_limits(d.expected)
        rows.append(
            (
                d.name,
                d.observed,
                d.expected,
                d.ratio,
                limits.lower_998 * reference_ratio,
                limits.lower_95 * reference_ratio,
                limits.upper_95 * reference_ratio,
                limits.upper_998 * reference_ratio,
                POSITION_WORDS[d.position],
                SELECTED if d.selected else None,
            )
        )
    table = Table(
        (
            "Force",
            f"Searches of {group} people",
            "Expected at the England and Wales ratio",
            f"{group}/White rate ratio",
            "Lower 99.8% limit",
            "Lower 95% limit",
            "Upper 95% limit",
            "Upper 99.8% limit",
            "Position",
            "Note",
        ),
        tuple(rows),
    )
    notes = (*LINES_NOTES, *notes)
    return Chart("funnel", title, _alt_text(dots, group, reference_ratio), table, _draw, notes)


def _alt_text(dots: Sequence[FunnelDot], group: str, reference: float) -> str:
    if not dots:
        return (
            f"Funnel plot of the {group}/White rate ratio of each force: no force can be shown. The England and "
            f"Wales ratio is {fmt_number(reference, 2)}."
        )
    counts = {p: [d for d in dots if d.position == p] for p in fn.POSITIONS}
    parts = [
        f"Funnel plot of the {group}/White search rate ratio of {len(dots)} force{'s' if len(dots) != 1 else ''}, "
        f"each against the searches of {group} people expected at the England and Wales ratio of "
        f"{fmt_number(reference, 2)}, with 95% and 99.8% control limits that narrow as the volume grows."
    ]
    for position, words in (
        ("high_outlier", "above the 99.8% limits (outliers, higher)"),
        ("low_outlier", "below the 99.8% limits (outliers, lower)"),
    ):
        named = counts[position]
        if named:
            listed = say_list([f"{d.name} {fmt_number(d.ratio, 2)}" for d in named])
            parts.append(f"{len(named)} {words}: {listed}.")
    alerts = len(counts["high_alert"]) + len(counts["low_alert"])
    parts.append(f"{alerts} between the 95% and 99.8% limits (alerts) and {len(counts['within'])} within the limits.")
    for d in dots:
        if d.selected:
            parts.append(
                f"The selected force, {d.name}, has a ratio of {fmt_number(d.ratio, 2)}: "
                f"{_lower_first(fn.POSITION_LABELS[d.position])}."
            )
    return " ".join(parts)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _draw(figure: Figure, chart: Chart) -> None:
    fit(figure, left=0.8, bottom=0.65, right=0.3)
    ax = figure.add_subplot()
    plain_axes(ax)
    reference = float(chart.table.rows[0][3])  # type: ignore[arg-type]
    dots = chart.table.rows[1:]
    expected = [float(r[2]) for r in dots]  # type: ignore[arg-type]
    ratios = [float(r[3]) for r in dots]  # type: ignore[arg-type]
    xs = _draw_limits(ax, expected, reference)
    ax.axhline(reference, color=INK, linewidth=1.4)
    positive = [r for r in ratios if r > 0]
    floor = min([*positive, reference * 0.5]) / 1.6
    ceiling = max([*positive, reference * 1.5]) * 1.6
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(min(xs), max(xs))
    ax.set_ylim(floor, ceiling)
    for row, e, r in zip(dots, expected, ratios, strict=True):
        _draw_dot(ax, row, e, r if r > 0 else floor * 1.05, xs)  # a ratio of 0 sits on the axis
    _draw_reference_words(ax, reference, floor, ceiling, xs)
    _draw_scales(ax, chart, floor, ceiling, xs)


def _draw_limits(ax: Axes, expected: Sequence[float], reference: float) -> list[float]:
    """The 95 % and 99.8 % control limits over the volumes of the dots and a margin; the volumes they are drawn at."""
    low_e = min(expected, default=1.0) / 1.5
    high_e = max(expected, default=100.0) * 1.5
    curve = fn.funnel_curve(max(low_e, 0.05), max(high_e, low_e * 10))
    xs = [c.expected for c in curve]
    for attr, style in (("upper_998", "-"), ("lower_998", "-"), ("upper_95", "--"), ("lower_95", "--")):
        ys = [getattr(c, attr) * reference for c in curve]
        keep = [(x, y) for x, y in zip(xs, ys, strict=True) if y > 0]
        if keep:
            ax.plot([k[0] for k in keep], [k[1] for k in keep], color=SECONDARY_INK, linestyle=style, linewidth=1)
    return xs


def _draw_dot(ax: Axes, row: Sequence[Any], e: float, y: float, xs: Sequence[float]) -> None:
    """One force's dot, by its position's marker and colour (a star when selected), named when it is an outlier or
    the selected force."""
    position = next(p for p, words in POSITION_WORDS.items() if words == row[8])
    colour, marker = POSITION_STYLE[position]
    selected = row[9] == SELECTED
    ax.plot(
        e,
        y,
        marker="*" if selected else marker,
        markersize=15 if selected else 7,
        color=SELECTED_COLOUR if selected else colour,
        markerfacecolor=SELECTED_COLOUR if selected else (colour if "outlier" in position else "white"),
        markeredgewidth=1.4,
        linestyle="none",
        zorder=4 if selected else 3,
    )
    if selected or "outlier" in position:
        # Names near the right edge go to the left of their dot, so that they stay inside the chart.
        right = math.log(e / min(xs)) > 0.7 * math.log(max(xs) / min(xs))
        ax.annotate(
            str(row[0]),
            (e, y),
            textcoords="offset points",
            xytext=(-8, 5) if right else (8, 5),
            ha="right" if right else "left",
            fontsize=8 if not selected else 9,
            fontweight="bold" if selected else "normal",
            color=INK,
            zorder=5,
        )


def _draw_reference_words(ax: Axes, reference: float, floor: float, ceiling: float, xs: Sequence[float]) -> None:
    """The England and Wales line's name and ratio, and the line of a ratio of 1 when it is in view."""
    ax.text(
        min(xs),
        reference,
        f" England and Wales {fmt_number(reference, 2)}",
        ha="left",
        va="bottom",
        fontsize=9,
        color=INK,
    )
    if floor < 1 < ceiling:
        ax.axhline(1, color=SECONDARY_INK, linestyle=":", linewidth=1)
        ax.text(min(xs), 1, " 1 = same rate as White", ha="left", va="bottom", fontsize=8, color=SECONDARY_INK)


def _draw_scales(ax: Axes, chart: Chart, floor: float, ceiling: float, xs: Sequence[float]) -> None:
    """The log scales' ticks at round numbers, the axes' labels and the title."""
    volumes = [v for v in VOLUME_TICKS if min(xs) <= v <= max(xs)]
    ax.xaxis.set_major_locator(FixedLocator(volumes))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticks(volumes, [f"{v:,g}" for v in volumes])
    ticks = [t for t in NICE_TICKS if floor <= t <= ceiling]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    group = str(chart.table.header[3]).split("/")[0]
    ax.set_xlabel(f"Searches of {group} people expected at the England and Wales ratio (log scale)", color=INK)
    ax.set_ylabel("Rate ratio against White (log scale)", color=INK)
    ax.set_title(chart.title, loc="left", color=INK, fontsize=11)


def funnel_from_report(
    report: Mapping[str, Any], group: str, *, selected: str | None = None
) -> tuple[list[FunnelDot], float | None, int | None]:
    """From `scrutiny.disproportionality.national.national_report(...)`: the dots of the forces compared for
    `group` (those a public report shows, for a public one), the England and Wales ratio (None: no funnel) and
    England and Wales's searches of the group. `selected` is a force's data.police.uk id."""
    comparison = report["comparison"].get(group) or {}
    reference = comparison.get("reference_ratio")
    dots = [
        FunnelDot(
            name=f["name"],
            observed=c["observed"],
            expected=c["expected"],
            ratio=c["ratio"],
            position=c["position"],
            selected=f["force"] == selected,
        )
        for f in report["forces"]
        if (c := f["compare"].get(group)) is not None
    ]
    searches = report["england_and_wales"]["groups"][group]["searches"]
    return dots, reference, searches


def chart_from_report(report: Mapping[str, Any], group: str, *, selected: str | None = None) -> Chart | None:
    """The funnel chart of `group` from a national report, or None when there is no England and Wales ratio."""
    dots, reference, searches = funnel_from_report(report, group, selected=selected)
    if reference is None or not reference > 0:
        return None
    hidden = sum(1 for f in report["forces"] if f["months_covered"] and group not in f["compare"])
    notes = []
    if hidden:
        why = "small numbers, or no White searches" if report.get("public") else "no White searches"
        notes.append(f"Not on the chart: {hidden} force{'s' if hidden != 1 else ''} with figures ({why}).")
    title = f"{group}/White rate ratio by force, {report['label']}"
    return funnel_chart(
        dots,
        group=group,
        reference_ratio=reference,
        reference_searches=searches,
        title=title,
        notes=notes,
    )
