"""Charts: each renders to an image of the size asked for in SVG, PNG and PDF; its table holds the numbers it was given
and its CSV reads back the same; its text alternative names every group; suppressed values never appear as numbers;
the palette passes WCAG contrast; the cache gives the same bytes without drawing again (docs/charts.md)."""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache

from frontend.charts import (
    GROUP_STYLE,
    Chart,
    GroupRatio,
    GroupShare,
    MonthPoint,
    SharePoint,
    Table,
    TrustSeries,
    contrast_ratio,
    find_rate_chart,
    rates_chart,
    ratio_chart,
    trend_chart,
    trust_group_chart,
    trust_time_chart,
)
from frontend.charts import base as chart_base
from frontend.charts.base import INK, SECONDARY_INK, SERIES_COLOURS, SERIES_HATCHES, SERIES_MARKERS
from frontend.charts.sources import (
    find_rates_from_report,
    rates_from_report,
    ratios_from_report,
    trend_from_months,
    trust_by_group,
    trust_groups_over_time,
    trust_measures_over_time,
)
from panels.models import Panel, User
from surveys.results.trust import trust_report
from tests.surveys.test_trust import respond, trust_survey

GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


# --- Inputs in the shapes the statistics give ------------------------------------------------------------------------


def contract_group(searches: int | None, population: int, **extra: Any) -> dict[str, Any]:
    rate = None if searches is None else 1000 * searches / population
    return {
        "searches": searches,
        "population": population,
        "rate_per_1000": rate,
        "rate_ratio_vs_white": extra.get("ratio"),
        "rate_ratio_ci95": extra.get("ratio_ci"),
        "find_rate": extra.get("find"),
        "find_rate_ci95": extra.get("find_ci"),
        "arrest_rate": 0.1,
        "unstable": searches is not None and searches < 20,
    }


def report(mixed_searches: int | None = 7, white_searches: int | None = 9000) -> dict[str, Any]:
    """A disproportionality report in the issue's JSON contract (made up here, not read from scrutiny)."""
    return {
        "forces": ["cheshire"],
        "from": "2025-06",
        "to": "2025-09",
        "ethnicity": "self",
        "total": 11229,
        "vehicle_only_excluded": 31,
        "not_stated": 404,
        "groups": {
            "Asian": contract_group(1200, 147_000, ratio=1.37, ratio_ci=[1.29, 1.45], find=0.28, find_ci=[0.25, 0.31]),
            "Black": contract_group(800, 32_600, ratio=4.13, ratio_ci=[3.85, 4.43], find=0.21, find_ci=[0.18, 0.24]),
            "Mixed": contract_group(
                mixed_searches, 40_123, ratio=2.9, ratio_ci=[1.3, 6.1], find=0.43, find_ci=[0.16, 0.75]
            ),
            "White": contract_group(
                white_searches, 1_517_000, ratio=1.0, ratio_ci=[1.0, 1.0], find=0.33, find_ci=[0.32, 0.34]
            ),
            "Other": contract_group(15, 2083, ratio=1.21, ratio_ci=[0.73, 2.01], find=0.4, find_ci=[0.2, 0.63]),
        },
    }


def months() -> list[MonthPoint]:
    return [
        MonthPoint("2025-06", 410, 3.9, 3.1, 4.8),
        MonthPoint("2025-07", None, None),
        MonthPoint("2025-08", 380, 4.2, 3.4, 5.2),
        MonthPoint("2025-09", 455, None),
    ]


WAVES = ["Spring 2025", "Autumn 2025", "Spring 2026"]


def series() -> list[TrustSeries]:
    return [
        TrustSeries("Black", [SharePoint(0.41, 0.33, 0.5, 120), None, SharePoint(0.55, 0.47, 0.62, 150)]),
        TrustSeries("White", [SharePoint(0.66, 0.61, 0.7, 400), SharePoint(0.63, 0.58, 0.68, 380), None]),
    ]


def shares() -> list[GroupShare]:
    return [
        GroupShare("Asian", 0.28, 0.25, 0.31, 1100),
        GroupShare("Black", 0.21, 0.18, 0.24, 700),
        GroupShare("Mixed", None),
        GroupShare("White", 0.33, 0.32, 0.34, 8700),
        GroupShare("Other", 0.4, 0.2, 0.63, 15, unstable=True),
    ]


CHARTS: dict[str, Callable[[], Chart]] = {
    "rates": lambda: rates_chart(rates_from_report(report())),
    "ratios": lambda: ratio_chart(ratios_from_report(report())),
    "find_rates": lambda: find_rate_chart(find_rates_from_report(report())),
    "trend": lambda: trend_chart(months()),
    "trust_time": lambda: trust_time_chart(WAVES, series()),
    "trust_groups": lambda: trust_group_chart("Confidence in local police", "Spring 2026", shares()),
}


# --- Images ----------------------------------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def svg_size(data: bytes) -> tuple[str, str]:
    opening = re.search(rb"<svg [^>]*>", data)
    assert opening is not None
    width = re.search(rb'width="([^"]+)"', opening.group())
    height = re.search(rb'height="([^"]+)"', opening.group())
    assert width is not None and height is not None  # noqa: PT018
    return width.group(1).decode(), height.group(1).decode()


def pdf_pages(data: bytes) -> list[tuple[float, ...]]:
    assert data.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", data)
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", data)
    assert len(pages) == len(boxes)
    return [tuple(float(v) for v in box.split()) for box in boxes]


@pytest.mark.parametrize("kind", list(CHARTS))
@pytest.mark.parametrize("size", [(800, 450), (640, 400)])
def test_every_chart_renders_at_the_size_asked_for_in_each_format(kind: str, size: tuple[int, int]):
    chart = CHARTS[kind]()
    assert chart.kind == kind
    width, height = size
    png = chart.image("png", size)
    assert png_size(png) == size
    assert len(png) > 5000  # something drawn, not an empty canvas
    svg = chart.image("svg", size)
    assert svg_size(svg) == (f"{width * 0.72:g}pt", f"{height * 0.72:g}pt")
    assert b"<path" in svg
    assert pdf_pages(chart.image("pdf", size)) == [pytest.approx((0.0, 0.0, width * 0.72, height * 0.72))]


def test_an_svg_carries_its_title_and_text_alternative():
    chart = CHARTS["rates"]()
    svg = chart.image("svg").decode()
    assert 'role="img"' in svg
    assert f">{chart.title}</title>" in svg
    assert "Black 24.5" in svg  # the text alternative, in <desc>


def test_an_unknown_format_or_size_is_refused():
    chart = CHARTS["rates"]()
    with pytest.raises(ValueError, match="format"):
        chart.image("gif")
    with pytest.raises(ValueError, match="pixels"):
        chart.image("png", (10, 10000))


# --- Tables, CSV and text ------------------------------------------------------------------------------------------


def test_the_rates_table_holds_the_numbers_given():
    given = report()
    table = CHARTS["rates"]().table
    assert table.header == ("Group", "Searches", "Population", "Rate per 1,000", "Note")
    assert [r[0] for r in table.rows] == GROUPS
    for row in table.rows:
        group = given["groups"][row[0]]
        if row[0] == "Mixed":
            assert row[1:4] == (None, group["population"], None)
            assert row[4] == "fewer than 10"
            continue
        assert row[1:4] == (group["searches"], group["population"], group["rate_per_1000"])
    assert table.rows[-1][4] == "fewer than 20: unstable"


def test_the_ratio_table_leaves_out_white_and_holds_the_intervals():
    table = CHARTS["ratios"]().table
    assert [r[0] for r in table.rows] == ["Asian", "Black", "Mixed", "Other"]
    assert table.rows[1][1:4] == (4.13, 3.85, 4.43)
    assert table.rows[2][1:4] == (None, None, None)


def test_the_find_rate_and_trend_tables_hold_the_numbers_given():
    finds = CHARTS["find_rates"]().table
    # No base column: the report does not give the find rate's denominator (searches with the outcome link
    # recorded), and the group's searches would be the wrong one.
    assert finds.header == ("Group", "Find rate", "Lower 95%", "Upper 95%", "Note")
    assert finds.rows[1][1:4] == (0.21, 0.18, 0.24)
    trend = CHARTS["trend"]().table
    assert [r[:5] for r in trend.rows] == [
        ("2025-06", 410, 3.9, 3.1, 4.8),
        ("2025-07", None, None, None, None),
        ("2025-08", 380, 4.2, 3.4, 5.2),
        ("2025-09", 455, None, None, None),
    ]


def test_the_trust_table_has_a_row_per_series_and_wave():
    table = CHARTS["trust_time"]().table
    assert len(table.rows) == 6
    assert table.rows[0] == ("Spring 2025", "Black", 120, 0.41, 0.33, 0.5, None)
    assert table.rows[1] == ("Autumn 2025", "Black", None, None, None, None, "suppressed")


@pytest.mark.parametrize("kind", list(CHARTS))
def test_csv_reads_back_as_the_same_table(kind: str):
    chart = CHARTS[kind]()
    assert Table.from_csv(chart.csv()) == chart.table
    assert chart.csv().splitlines()[0].split(",")[0] == chart.table.header[0]


@pytest.mark.parametrize("kind", ["rates", "ratios", "find_rates", "trust_groups"])
def test_the_text_alternative_names_every_group(kind: str):
    chart = CHARTS[kind]()
    for group in GROUPS:
        if kind == "ratios" and group == "White":
            assert "White rate" in chart.alt_text
            continue
        assert group in chart.alt_text


def test_the_text_alternative_gives_the_key_numbers():
    assert "Black 24.5" in CHARTS["rates"]().alt_text
    assert "White rate, 5.9" in CHARTS["rates"]().alt_text
    assert "Black 4.1 times (95% interval 3.9 to 4.4)" in CHARTS["ratios"]().alt_text
    trend = CHARTS["trend"]().alt_text
    assert "highest 455 (Sep 2025)" in trend
    assert "not shown (small numbers): Jul 2025" in trend
    trust = CHARTS["trust_time"]().alt_text
    assert "Black from 41% in Spring 2025 to 55% in Spring 2026" in trust


# --- Suppression -----------------------------------------------------------------------------------------------------


def test_a_group_under_10_never_appears_as_a_number():
    # Mixed has 7 searches of 40,123 people: neither the 7 nor its rate (0.17…) may be shown anywhere.
    hidden = 1000 * 7 / 40_123
    charts = [
        rates_chart(rates_from_report(report())),
        ratio_chart(ratios_from_report(report())),
        find_rate_chart(find_rates_from_report(report())),
    ]
    for chart in charts:
        mixed = next(r for r in chart.table.rows if r[0] == "Mixed")
        assert [v for v in mixed[1:] if isinstance(v, int | float) and v != 40_123] == []
        text = chart.alt_text + chart.csv()
        assert "Mixed" in text
        assert f"{hidden:.1f}" not in chart.alt_text
        assert "2.9" not in text  # Mixed's ratio
        assert "43%" not in chart.alt_text  # Mixed's find rate
        assert ",7," not in chart.csv()


def test_every_ratio_is_hidden_when_the_white_count_is():
    ratios = ratios_from_report(report(white_searches=8))
    assert [r.ratio for r in ratios] == [None, None, None, None]
    rates = {r.group: r for r in rates_from_report(report(white_searches=8))}
    assert rates["White"].rate is None
    assert rates["Black"].rate == pytest.approx(1000 * 800 / 32_600)
    assert "There is no White reference line" in rates_chart(list(rates.values())).alt_text


def test_an_already_suppressed_report_is_drawn_with_gaps():
    given = report(mixed_searches=None)
    table = rates_chart(rates_from_report(given)).table
    assert next(r for r in table.rows if r[0] == "Mixed")[1:4] == (None, 40_123, None)


def test_the_panels_own_view_shows_small_counts():
    rates = {r.group: r for r in rates_from_report(report(), public=False)}
    assert rates["Mixed"].searches == 7


def test_monthly_trend_from_the_reports_months():
    month = {"month": "2025-06", "total": 410, "groups": report()["groups"]}
    small = {"month": "2025-07", "total": 6, "groups": report(mixed_searches=1, white_searches=3)["groups"]}
    points = trend_from_months([month, small])
    assert points[0] == MonthPoint("2025-06", 410, 4.13, 3.85, 4.43)
    assert points[1] == MonthPoint("2025-07", None, None, None, None)


def test_a_month_that_is_not_a_month_is_refused():
    with pytest.raises(ValueError, match="YYYY-MM"):
        trend_chart([MonthPoint("2025-13", 10)])


def test_an_interval_that_does_not_hold_its_value_is_refused():
    with pytest.raises(ValueError, match="not within its interval"):
        ratio_chart([GroupRatio("Black", 4.1, 4.5, 5.0)])
    with pytest.raises(ValueError, match="not within its interval"):
        find_rate_chart([GroupShare("Black", 0.6, 0.1, 0.5)])
    with pytest.raises(ValueError, match="not within its interval"):
        trust_time_chart(["Spring"], [TrustSeries("Black", [SharePoint(0.9, 0.1, 0.2)])])


def test_a_trust_series_needs_a_point_per_wave():
    with pytest.raises(ValueError, match="one point"):
        trust_time_chart(WAVES, [TrustSeries("Black", [None])])


# --- Colour --------------------------------------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF") == pytest.approx(1.0)
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)  # the lightest grey passing 4.5:1 for text


def test_every_colour_passes_3_to_1_against_white():
    colours = [c for c, _, _ in GROUP_STYLE.values()] + SERIES_COLOURS + [INK, SECONDARY_INK]
    failing = {c: round(contrast_ratio(c), 2) for c in colours if contrast_ratio(c) < 3}
    assert failing == {}


def test_colour_never_carries_meaning_alone():
    hatches = [h for _, h, _ in GROUP_STYLE.values()]
    markers = [m for _, _, m in GROUP_STYLE.values()]
    assert len(set(hatches)) == len(hatches) == 5
    assert len(set(markers)) == len(markers) == 5
    assert len(set(SERIES_HATCHES)) == len(SERIES_COLOURS) == len(set(SERIES_MARKERS))


# --- Caching -------------------------------------------------------------------------------------------------------


def test_a_second_request_is_served_from_the_cache_without_drawing():
    chart = CHARTS["rates"]()
    with mock.patch.object(chart_base, "render", wraps=chart_base.render) as render:
        first = chart.image("png")
        second = CHARTS["rates"]().image("png")  # a new Chart object from the same data
        assert second == first
        assert render.call_count == 1
        chart.image("svg")
        chart.image("png", (640, 400))
        assert render.call_count == 3


def test_changed_data_is_drawn_again():
    with mock.patch.object(chart_base, "render", wraps=chart_base.render) as render:
        before = rates_chart(rates_from_report(report())).image("png")
        changed = report()
        changed["groups"]["Black"]["rate_per_1000"] = 30.0
        after = rates_chart(rates_from_report(changed)).image("png")
        assert render.call_count == 2
        assert after != before


def test_the_key_is_the_data():
    a, b = CHARTS["rates"](), CHARTS["rates"]()
    assert a.cache_key("png", (800, 450)) == b.cache_key("png", (800, 450))
    assert a.cache_key("png", (800, 450)) != a.cache_key("svg", (800, 450))
    other = rates_chart(rates_from_report(report(mixed_searches=50)))
    assert other.cache_key("png", (800, 450)) != a.cache_key("png", (800, 450))


# --- Trust charts from a real trust report ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_trust_charts_hold_the_shares_of_the_trust_report(panel: Panel, coordinator: User):
    spring = trust_survey(panel, coordinator, "Spring")
    autumn = trust_survey(panel, coordinator, "Autumn")
    respond(spring, coordinator, dt.date(2026, 3, 1), 20, good_job="good", ethnic="13")
    respond(spring, coordinator, dt.date(2026, 3, 1), 15, good_job="poor", ethnic="13")
    respond(spring, coordinator, dt.date(2026, 3, 1), 3, good_job="poor", ethnic="6")
    respond(autumn, coordinator, dt.date(2026, 9, 1), 30, good_job="good", ethnic="13")
    respond(autumn, coordinator, dt.date(2026, 9, 1), 12, good_job="poor", ethnic="13")
    trust = trust_report(panel)
    good_job = next(m for m in trust.measures if m.measure.code == "trust.good_job")

    waves, lines = trust_measures_over_time(trust, ["trust.good_job"])
    chart = trust_time_chart(waves, lines)
    assert waves == ["Spring (March 2026)", "Autumn (September 2026)"]
    for row, wave in zip(chart.table.rows, trust.waves, strict=True):
        share = good_job.overall[wave.key]
        assert row[2:6] == (share.base, share.share, share.low, share.high)
    assert png_size(chart.image("png")) == (800, 450)

    waves, lines = trust_groups_over_time(trust, "trust.good_job", "ethnic_group")
    by_group = {s.label: s.points for s in lines}
    assert by_group["Black"] == [None, None]  # 3 people: suppressed in both (none answered in autumn)
    assert by_group["White"][1] is not None
    assert by_group["White"][1].share == pytest.approx(30 / 42)

    groups = trust_by_group(trust, "trust.good_job", "ethnic_group", trust.waves[1].key)
    chart = trust_group_chart("Police do a good job", waves[1], groups, dimension="ethnic group")
    white = next(r for r in chart.table.rows if r[0] == "White")
    assert white[1:3] == (42, pytest.approx(30 / 42))
    assert "3" not in [str(v) for r in chart.table.rows for v in r]
    assert svg_size(chart.image("svg")) == ("576pt", "324pt")
