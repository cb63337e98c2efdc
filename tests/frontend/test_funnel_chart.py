"""The funnel chart (frontend/charts/funnel.py): its table, text alternative, labels, formats, and refusals."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from frontend.charts import DEFAULT_SIZE, FunnelDot, Table, funnel_chart
from frontend.charts.base import render
from frontend.charts.funnel import SELECTED, chart_from_report
from scrutiny.stats import funnel as fn

REFERENCE = 3.2


def dots(selected: str = "") -> list[FunnelDot]:
    out = []
    for name, observed, expected in (
        ("Big Force", 5200, 4000.0),  # 1.3 × England and Wales at a large volume: an outlier
        ("Mid Force", 124, 100.0),  # 1.24: an alert
        ("Low Force", 60, 100.0),  # 0.6: an outlier below
        ("Small Force", 4, 3.0),  # 1.33 from four searches: within
    ):
        point = fn.funnel_point(name, observed, expected, REFERENCE)
        out.append(FunnelDot(name, observed, expected, point.ratio, point.position, selected=name == selected))
    return out


def test_the_positions_of_the_example_forces() -> None:
    assert [d.position for d in dots()] == ["high_outlier", "high_alert", "low_outlier", "within"]


def test_the_table_starts_with_england_and_wales_and_holds_each_forces_limits() -> None:
    chart = funnel_chart(dots("Small Force"), group="Black", reference_ratio=REFERENCE, reference_searches=9000)
    assert chart.table.header[3] == "Black/White rate ratio"
    first, *rows = chart.table.rows
    assert first[:4] == ("England and Wales", 9000, None, REFERENCE)
    assert [r[0] for r in rows] == ["Small Force", "Mid Force", "Low Force", "Big Force"]  # by volume
    for row in rows:
        limits = fn.funnel_limits(float(row[2]))  # type: ignore[arg-type]
        assert row[4:8] == (
            limits.lower_998 * REFERENCE,
            limits.lower_95 * REFERENCE,
            limits.upper_95 * REFERENCE,
            limits.upper_998 * REFERENCE,
        )
    notes = {r[0]: r[9] for r in rows}
    assert notes == {"Small Force": SELECTED, "Mid Force": None, "Low Force": None, "Big Force": None}
    assert Table.from_csv(chart.csv()) == chart.table


def test_the_text_alternative_names_the_outliers_and_the_selected_force_and_counts_the_rest() -> None:
    alt = funnel_chart(dots("Small Force"), group="Black", reference_ratio=REFERENCE).alt_text
    assert "England and Wales ratio of 3.20" in alt
    assert "1 above the 99.8% limits (outliers, higher): Big Force 4.16." in alt
    assert "1 below the 99.8% limits (outliers, lower): Low Force 1.92." in alt
    assert "1 between the 95% and 99.8% limits (alerts) and 1 within the limits." in alt
    assert "The selected force, Small Force, has a ratio of 4.27: within the limits" in alt
    assert "Mid Force" not in alt  # alerts are counted, not named


def test_the_outliers_and_the_selected_force_are_named_on_the_chart_and_no_one_else() -> None:
    chart = funnel_chart(dots("Small Force"), group="Black", reference_ratio=REFERENCE)
    figure = Figure(figsize=(8, 4.5))
    chart.draw(figure, chart)
    named = {t.get_text() for t in figure.axes[0].texts}
    assert {"Big Force", "Low Force", "Small Force"} <= named
    assert "Mid Force" not in named


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_it_renders_in_each_format(fmt: str) -> None:
    data = funnel_chart(dots(), group="Asian", reference_ratio=0.7).image(fmt, DEFAULT_SIZE)
    assert len(data) > 3000
    if fmt == "svg":
        assert b'role="img"' in data
        assert b"<desc" in data


def test_no_dots_still_draws_a_funnel_and_says_so() -> None:
    chart = funnel_chart([], group="Other", reference_ratio=1.4)
    assert "no force can be shown" in chart.alt_text
    assert chart.image("png", (400, 300))


def test_bad_input_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        funnel_chart(dots(), group="Black", reference_ratio=0)
    with pytest.raises(ValueError, match="unknown position"):
        funnel_chart([FunnelDot("X", 3, 2.0, 1.0, "middling")], group="Black", reference_ratio=1.0)
    with pytest.raises(ValueError, match="positive expected count"):
        funnel_chart([FunnelDot("X", 3, 0.0, 1.0, "within")], group="Black", reference_ratio=1.0)


def test_from_a_report_without_an_england_and_wales_ratio_there_is_no_chart() -> None:
    report = {
        "label": "April 2024 to March 2025",
        "public": True,
        "comparison": {"Black": {"reference_ratio": None}},
        "england_and_wales": {"groups": {"Black": {"searches": None}}},
        "forces": [],
    }
    assert chart_from_report(report, "Black") is None


def test_the_same_chart_drawn_twice_gives_the_same_svg_bytes() -> None:
    """matplotlib salts an SVG's ids at random unless told otherwise; the charts fix the salt, so a chart drawn
    again (after the cache lost it, or in another worker) is byte for byte the one drawn before."""
    chart = funnel_chart(dots("Small Force"), group="Black", reference_ratio=REFERENCE)
    assert render(chart, "svg", DEFAULT_SIZE) == render(chart, "svg", DEFAULT_SIZE)
