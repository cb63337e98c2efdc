"""What every chart is made of: its table of numbers, its text alternative, and its image in SVG, PNG or PDF, drawn on
a `matplotlib.figure.Figure` (never pyplot: no global figure state in a web process) and cached by its data.

docs/charts.md says why each choice was made; the palette's contrast is checked in tests/frontend/test_charts.py.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from django.core.cache import cache
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure

# Bump when the drawing code changes, so that images drawn by the old code are not served from the cache.
RENDER_VERSION = 1
CACHE_SECONDS = 7 * 24 * 3600
DPI = 100
DEFAULT_SIZE = (800, 450)  # pixels for PNG; SVG and PDF are the same figure at 72 points an inch (576 × 324 pt)
MIN_SIDE, MAX_SIDE = 200, 3000
FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}

# DESIGN.md §4: counts under 10 are not published; rates from fewer than 20 are flagged unstable.
FEWER_THAN_10 = "fewer than 10"
UNSTABLE_NOTE = "fewer than 20: unstable"
UNSTABLE_MARK = "*"

Cell = str | int | float | None

# Text and lines: GOV.UK's black. Every colour below has a contrast ratio of at least 3:1 against white (WCAG 2.2,
# 1.4.11 non-text contrast), and none carries meaning alone: each group also has its own hatching, its own marker and
# its name written beside what is drawn.
INK = "#0B0C0C"
SECONDARY_INK = "#505A5F"
GROUP_STYLE: dict[str, tuple[str, str, str]] = {
    # group: (colour, hatching, marker)
    "Asian": ("#1D70B8", "//", "o"),
    "Black": ("#AD4F09", "xx", "s"),
    "Mixed": ("#00703C", "..", "^"),
    "White": ("#505A5F", "\\\\", "D"),
    "Other": ("#912B88", "--", "v"),
}
SERIES_COLOURS = ["#1D70B8", "#AD4F09", "#00703C", "#912B88", "#505A5F", "#4C2C92", "#C2185B", "#006B6B"]
SERIES_MARKERS = ["o", "s", "^", "v", "D", "P", "X", "h"]
SERIES_HATCHES = ["//", "xx", "..", "--", "\\\\", "++", "oo", "||"]


def style_of(group: str, index: int) -> tuple[str, str, str]:
    """Colour, hatching and marker of a group: the five ethnic groups keep theirs on every chart."""
    if group in GROUP_STYLE:
        return GROUP_STYLE[group]
    i = index % len(SERIES_COLOURS)
    return SERIES_COLOURS[i], SERIES_HATCHES[i], SERIES_MARKERS[i]


def contrast_ratio(colour: str, background: str = "#FFFFFF") -> float:
    """WCAG 2.x contrast ratio between two sRGB colours given as #RRGGBB."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# --- The table beside every chart --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """The numbers a chart draws, exactly as given (not rounded): None where a value is suppressed or missing, with
    the reason in the row's note."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.header)
        for row in self.rows:
            writer.writerow("" if v is None else repr(v) if isinstance(v, float) else v for v in row)
        return out.getvalue()

    @classmethod
    def from_csv(cls, text: str) -> Table:
        """Read back a table written by `csv()`: empty cells are None, numbers are numbers."""
        reader = csv.reader(io.StringIO(text))
        header = tuple(next(reader))
        return cls(header=header, rows=tuple(tuple(_parse(v) for v in row) for row in reader))

    def digest(self) -> str:
        return hashlib.sha256(json.dumps([self.header, self.rows], default=str).encode()).hexdigest()


def _parse(value: str) -> Cell:
    if value == "":
        return None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def check_interval(what: str, value: float | None, low: float | None, high: float | None) -> None:
    """A clear error for an interval that does not hold its value (a whisker cannot point backwards)."""
    if value is None or low is None or high is None:
        return
    if not low <= value <= high:
        raise ValueError(f"{what}: {value} is not within its interval {low} to {high}")


def note_of(*, suppressed: bool, unstable: bool = False, suppressed_label: str = FEWER_THAN_10) -> str | None:
    """The row's note: why a value is missing, or that it is unstable; None when there is nothing to say (an empty
    cell in the CSV)."""
    if suppressed:
        return suppressed_label
    return UNSTABLE_NOTE if unstable else None


def fmt_number(value: float, places: int = 1) -> str:
    return f"{value:,.{places}f}"


def fmt_percent(share: float) -> str:
    return f"{100 * share:.0f}%"


# --- Rendering and caching ---------------------------------------------------------------------------------------

Draw = Callable[[Figure, "Chart"], None]


@dataclass(frozen=True)
class Chart:
    """A chart ready to render: `image(fmt)` gives its bytes, `alt_text` says what it shows in a sentence or two,
    `table` holds the numbers drawn and `csv()` the same as a download.

    The drawing reads only `title`, `table` and `notes`, which are also the cache key: the same data gives the same
    bytes, and changed data a new key, so nothing needs invalidating (docs/charts.md).
    """

    kind: str
    title: str
    alt_text: str
    table: Table
    draw: Draw = field(repr=False, compare=False)
    notes: tuple[str, ...] = ()  # footnotes drawn under the chart (what * means, what is left out)

    def csv(self) -> str:
        return self.table.csv()

    def cache_key(self, fmt: str, size: tuple[int, int]) -> str:
        data = json.dumps(
            [RENDER_VERSION, self.kind, self.title, self.notes, self.table.digest(), fmt, list(size)]
        ).encode()
        return "chart:" + hashlib.sha256(data).hexdigest()

    def image(self, fmt: str = "svg", size: tuple[int, int] = DEFAULT_SIZE) -> bytes:
        check_request(fmt, size)
        key = self.cache_key(fmt, size)
        cached = cache.get(key)
        if isinstance(cached, bytes):
            return cached
        data = render(self, fmt, size)
        cache.set(key, data, CACHE_SECONDS)
        return data


def check_request(fmt: str, size: tuple[int, int]) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    width, height = size
    if not all(isinstance(v, int) and MIN_SIDE <= v <= MAX_SIDE for v in (width, height)):
        raise ValueError(f"width and height must be whole numbers of pixels from {MIN_SIDE} to {MAX_SIDE}")


def new_figure(size: tuple[int, int]) -> Figure:
    # No layout engine: constrained layout measures every text again and cost about a third of a chart's drawing
    # time; each chart sets its margins in inches instead (`fit`), which hold at any size.
    width, height = size
    return Figure(figsize=(width / DPI, height / DPI), dpi=DPI)


NOTE_INCHES = 0.22  # the height of one footnote line under the chart


def fit(
    figure: Figure, *, left: float, bottom: float, right: float = 0.25, top: float = 0.45, **spacing: float
) -> None:
    """Margins around the axes in inches (room for tick labels, axis labels, the title above)."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(
        left=min(left / width, 0.45),
        right=max(1 - right / width, 0.55),
        bottom=min(bottom / height, 0.45),
        top=max(1 - top / height, 0.55),
        **spacing,
    )


def render(chart: Chart, fmt: str, size: tuple[int, int]) -> bytes:
    """Draw the chart and save it: the uncached path (tests count calls to it)."""
    figure = new_figure(size)
    chart.draw(figure, chart)
    if chart.notes:
        height = figure.get_size_inches()[1]
        room = NOTE_INCHES * len(chart.notes) / height
        figure.subplots_adjust(bottom=min(figure.subplotpars.bottom + room, 0.5))
        figure.text(0.01, 0.02, "\n".join(chart.notes), fontsize=8, color=SECONDARY_INK, ha="left", va="bottom")
    return save(figure, fmt, title=chart.title, description=chart.alt_text, ident="c" + chart.table.digest()[:10])


def save(figure: Figure, fmt: str, *, title: str = "", description: str = "", ident: str = "chart") -> bytes:
    metadata: dict[str, str | None] = {
        "svg": {"Date": None, "Title": title},
        "pdf": {"CreationDate": None, "Title": title},
        "png": {"Software": None, "Title": title},
    }[fmt]
    buffer = io.BytesIO()
    # A fixed salt for the ids matplotlib gives an SVG's clip paths and glyphs (random by default): the same chart
    # gives the same bytes however often it is drawn, so a chart drawn again after the cache lost it is unchanged.
    with rc_context({"svg.hashsalt": "community-scrutiny"}):
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    data = buffer.getvalue()
    if fmt == "svg":
        data = _accessible_svg(data, title, description, ident)
    return data


def _accessible_svg(data: bytes, title: str, description: str, ident: str) -> bytes:
    """An SVG placed inline is announced by its role and title; the <desc> carries the text alternative. The ids
    carry the data's digest so that two charts on one page do not share them."""
    text = data.decode()
    start = text.index("<svg ")
    end = text.index(">", start)
    labelled = f'<svg role="img" aria-labelledby="{ident}-title {ident}-desc" '
    opening = text[start:end].replace("<svg ", labelled, 1)
    extra = f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>'
    return (text[:start] + opening + ">" + extra + text[end + 1 :]).encode()


# --- Drawing helpers shared by the charts ------------------------------------------------------------------------


def plain_axes(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=INK, labelsize=10)
    ax.spines["left"].set_color(SECONDARY_INK)
    ax.spines["bottom"].set_color(SECONDARY_INK)


def whiskers(
    ax: Axes,
    xs: Sequence[float],
    ys: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    colour: str,
    capsize: float = 4,
) -> None:
    """Vertical 95% whiskers for the points that have an interval, in one call rather than one per point."""
    keep = [i for i in range(len(xs)) if finite(ys[i]) and finite(lows[i]) and finite(highs[i])]
    if not keep:
        return
    ax.errorbar(
        [xs[i] for i in keep],
        [ys[i] for i in keep],
        yerr=[[ys[i] - lows[i] for i in keep], [highs[i] - ys[i] for i in keep]],
        fmt="none",
        ecolor=colour,
        capsize=capsize,
    )


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def say_list(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
