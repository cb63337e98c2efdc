"""The statistics reproduce the published 2022/23 figures (data/published/, data/README.md).

Home Office search counts (self-defined ethnicity, vehicle-only searches excluded) divided by Census 2021 usual
residents give every rate per 1,000 in Ethnicity facts and figures to one decimal: England and Wales by the five
groups and by the 19 detailed groups, and the force areas by group for the ten forces whose counts are published
here; and Black people were searched "4.1 times" as often as White people.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.conf import settings

from panels.census import ENGLAND_AND_WALES, population_by_detailed_group, population_by_five_group
from scrutiny import stats

PUBLISHED = Path(settings.BASE_DIR) / "data" / "published"

# The published detailed-group names, the Census 2021 TS021 category each one is, and its broad group: spelled out
# here from ONS's table, so the test does not lean on panels/census.py's own list.
DETAILED: dict[str, tuple[str, str]] = {
    "Bangladeshi": ("1", "Asian"),
    "Chinese": ("2", "Asian"),
    "Indian": ("3", "Asian"),
    "Pakistani": ("4", "Asian"),
    "Asian other": ("5", "Asian"),
    "Black African": ("6", "Black"),
    "Black Caribbean": ("7", "Black"),
    "Black other": ("8", "Black"),
    "Mixed White And Asian": ("9", "Mixed"),
    "Mixed White And Black African": ("10", "Mixed"),
    "Mixed White And Black Caribbean": ("11", "Mixed"),
    "Mixed other": ("12", "Mixed"),
    "White British": ("13", "White"),
    "White Irish": ("14", "White"),
    "Gypsy Or Irish Traveller": ("15", "White"),
    "Roma": ("16", "White"),
    "White other": ("17", "White"),
    "Arab": ("18", "Other"),
    "Any Other Ethnic Background": ("19", "Other"),
}


def one_decimal(value: float | None) -> str:
    assert value is not None
    # The published tables round halves up; Python's round() would round them to even.
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def national_rows() -> dict[str, tuple[str, int]]:
    with open(PUBLISHED / "eff-2022-23-rate-by-ethnicity.csv", newline="", encoding="utf-8") as f:
        return {
            row["Ethnicity"]: (row["Rate of stop and search"], int(row["Number of stop and searches"].replace(",", "")))
            for row in csv.DictReader(f)
        }


def census_areas() -> dict[str, str]:
    """Census area name, normalised, to its PFA code."""
    with open(Path(settings.BASE_DIR) / "data/census/census2021_pfa_ethnicity_5group.csv", encoding="utf-8") as f:
        return {normalise(row["PFA22NM"]): row["PFA22CD"] for row in csv.DictReader(f)}


def normalise(name: str) -> str:
    # The publications write "Avon & Somerset" where the Census table writes "Avon and Somerset".
    return name.replace("&", "and").lower().strip()


def force_counts() -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    with open(PUBLISHED / "ho-open-data-2022-23-searches-by-force-subset.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            assert row["financial_year"] == "2022/23"
            counts.setdefault(row["police_force"], {})[row["ethnicity"]] = int(row["total_searches"])
    return counts


def force_area_rates() -> dict[str, dict[str, str]]:
    with open(PUBLISHED / "eff-2022-23-rate-by-force-area.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    assert rows[1][0] == "Police force area"  # the second header row
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows[2:]}


def national_statistics() -> stats.Disproportionality:
    rows = national_rows()
    population = population_by_five_group(ENGLAND_AND_WALES)
    groups = {g: stats.GroupCounts(rows[g][1], population[g]) for g in stats.GROUPS}
    return stats.disproportionality(groups, not_stated=rows["Unknown"][1])


def test_national_rates_by_group_and_in_all() -> None:
    rows = national_rows()
    result = national_statistics()
    for group in stats.GROUPS:
        assert one_decimal(result.groups[group].rate_per_1000) == rows[group][0], group
    # "All" counts every search, not stated included, over every resident.
    assert result.total == rows["All"][1]
    everyone = sum(population_by_five_group(ENGLAND_AND_WALES).values())
    assert one_decimal(stats.rate_per_1000(result.total, everyone)) == rows["All"][0]


def test_black_people_were_searched_4_point_1_times_as_often_as_white_people() -> None:
    black = national_statistics().groups["Black"]
    assert one_decimal(black.rate_ratio_vs_reference) == "4.1"
    assert black.rate_ratio_ci95 is not None
    assert black.rate_ratio_ci95.low > 4.0
    assert black.rate_ratio_ci95.high < 4.2


@pytest.mark.parametrize("name", sorted(DETAILED))
def test_national_rates_by_detailed_group(name: str) -> None:
    published_rate, searches = national_rows()[name]
    population = population_by_detailed_group(ENGLAND_AND_WALES)[DETAILED[name][0]]
    assert one_decimal(stats.rate_per_1000(searches, population)) == published_rate


def test_the_detailed_groups_add_up_to_the_five() -> None:
    rows = national_rows()
    five = dict.fromkeys(stats.GROUPS, 0)
    for name, (_, broad) in DETAILED.items():
        five[broad] += rows[name][1]
    assert five == {g: rows[g][1] for g in stats.GROUPS}


FORCES = sorted(force_counts())


def test_ten_forces_have_published_counts() -> None:
    assert len(FORCES) == 10


@pytest.mark.parametrize("force", FORCES)
def test_force_area_rates_by_group(force: str) -> None:
    counts = force_counts()[force]
    published = force_area_rates()[force]
    area = census_areas()[normalise(force)]
    population = population_by_five_group(area)
    groups = {g: stats.GroupCounts(n, population[g]) for g, n in counts.items()}
    result = stats.disproportionality(groups, not_stated=0)
    checked = 0
    for group in counts:
        assert one_decimal(result.groups[group].rate_per_1000) == published[group], (force, group)
        checked += 1
    assert checked == len(counts) >= 2
