"""A panel's make-up beside its area's population: suppression rules, shares against the bundled Census tables,
the two Census files against each other, and the force areas the data migration loads.
"""

from __future__ import annotations

import csv
import importlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from panels import census
from panels.models import ForceArea, Membership, Panel, SelfDescription, User
from panels.representativeness import compare_make_up
from panels.selectors import panel_make_up
from tests.factories import MembershipFactory, PanelFactory

CENSUS = Path(settings.BASE_DIR) / "data" / "census"
FIVE = ["Asian", "Black", "Mixed", "White", "Other"]
CHESHIRE = "E23000006"


def five_group_rows() -> dict[str, dict[str, str]]:
    with open(CENSUS / "census2021_pfa_ethnicity_5group.csv", newline="", encoding="utf-8") as f:
        return {row["PFA22CD"]: row for row in csv.DictReader(f)}


def detailed_rows() -> list[dict[str, str]]:
    with open(CENSUS / "census2021_TS021_ltla_20cat.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def broad_group_of(label: str) -> str:
    """The five-group name from the ONS label itself, e.g. "Black, Black British, ...: Caribbean" -> "Black"."""
    prefix = label.split(":")[0]
    for name, starts in [
        ("Asian", "Asian, Asian British"),
        ("Black", "Black, Black British"),
        ("Mixed", "Mixed or Multiple"),
        ("White", "White"),
        ("Other", "Other ethnic group"),
    ]:
        if prefix.startswith(starts):
            return name
    raise AssertionError(f"unexpected Census label {label!r}")


# --- compare_make_up: pure ------------------------------------------------------------------


@pytest.mark.parametrize("answered", [0, 1, 5, 9])
def test_nothing_is_shown_under_ten_answers(answered: int) -> None:
    make_up = compare_make_up(["White"] * answered, FIVE, {"White": 100, "Black": 10})
    assert not make_up.shown
    assert make_up.rows == ()
    assert make_up.answered == answered


def test_ten_answers_are_enough() -> None:
    make_up = compare_make_up(["White"] * 7 + ["Asian"] * 3, FIVE)
    assert make_up.shown
    assert [(r.group, r.count) for r in make_up.rows] == [
        ("Asian", 3),
        ("Black", 0),
        ("Mixed", 0),
        ("White", 7),
        ("Other", 0),
    ]


def test_prefer_not_to_say_does_not_count_towards_the_ten() -> None:
    answers = ["White"] * 9 + ["prefer_not", "", "Klingon"]
    make_up = compare_make_up(answers, FIVE)
    assert make_up.answered == 9
    assert not make_up.shown


@pytest.mark.parametrize("small", [1, 2])
def test_a_group_of_one_or_two_is_suppressed(small: int) -> None:
    make_up = compare_make_up(["White"] * 10 + ["Black"] * small, FIVE)
    row = {r.group: r for r in make_up.rows}["Black"]
    assert row.count is None
    assert row.share is None


def test_a_group_of_three_and_an_empty_group_are_shown_exactly() -> None:
    rows = {r.group: r for r in compare_make_up(["White"] * 9 + ["Mixed"] * 3, FIVE).rows}
    assert (rows["Mixed"].count, rows["Mixed"].share) == (3, 3 / 12)
    assert (rows["Other"].count, rows["Other"].share) == (0, 0.0)


def test_shares_are_of_those_who_answered() -> None:
    # 16 answered (two preferred not to say): Asian 4, Black 2, Mixed 0, White 8, Other 2.
    answers = ["Asian"] * 4 + ["Black"] * 2 + ["White"] * 8 + ["Other"] * 2 + ["prefer_not"] * 2
    rows = {r.group: r for r in compare_make_up(answers, FIVE).rows}
    assert rows["Asian"].share == pytest.approx(0.25)
    assert rows["White"].share == pytest.approx(0.5)
    assert rows["Mixed"].share == 0
    assert rows["Black"].share is None  # 2: suppressed
    assert rows["Other"].share is None


def test_population_shares_match_the_census_table_for_the_area() -> None:
    row = five_group_rows()[CHESHIRE]
    total = int(row["Total"])
    expected = {g: int(row[g]) / total for g in FIVE}

    make_up = compare_make_up(["White"] * 10, FIVE, census.population_by_five_group(CHESHIRE))

    got = {r.group: r.population_share for r in make_up.rows}
    assert got == pytest.approx(expected, rel=1e-12)
    assert sum(v for v in got.values() if v is not None) == pytest.approx(1.0)


def test_population_shares_are_absent_without_a_population() -> None:
    make_up = compare_make_up(["White"] * 10, FIVE)
    assert all(r.population_share is None for r in make_up.rows)


def test_a_suppressed_group_still_shows_its_population_share() -> None:
    population = {"Asian": 10, "Black": 30, "Mixed": 0, "White": 60, "Other": 0}
    rows = {r.group: r for r in compare_make_up(["White"] * 10 + ["Black"], FIVE, population).rows}
    assert rows["Black"].share is None
    assert rows["Black"].population_share == pytest.approx(0.3)


# --- The bundled Census files ---------------------------------------------------------------


def test_each_five_group_row_adds_up_to_its_total() -> None:
    for code, row in five_group_rows().items():
        assert sum(int(row[g]) for g in FIVE) == int(row["Total"]), code


def test_the_detailed_groups_are_filed_under_the_broad_group_ons_names() -> None:
    labels = {r["eth20_code"]: r["eth20_label"] for r in detailed_rows() if r["eth20_code"] != "-8"}
    assert set(labels) == set(census.GROUP_BY_CODE)
    for code, label in labels.items():
        assert census.GROUP_BY_CODE[code].five_group == broad_group_of(label), label


def test_the_detailed_population_adds_up_to_the_five_group_table_in_every_area() -> None:
    # Independent of panels.census: regroup the local-authority file by the ONS labels and compare.
    regrouped: dict[str, dict[str, int]] = {}
    for r in detailed_rows():
        if r["eth20_code"] == "-8":
            assert int(r["observation"]) == 0
            continue
        area = regrouped.setdefault(r["PFA22CD"], dict.fromkeys(FIVE, 0))
        area[broad_group_of(r["eth20_label"])] += int(r["observation"])
    table = five_group_rows()

    assert set(regrouped) == set(table) - {census.ENGLAND_AND_WALES}
    for code, counts in regrouped.items():
        assert counts == {g: int(table[code][g]) for g in FIVE}, code


@pytest.mark.parametrize("code", [CHESHIRE, "E23000001", "W15000001", census.ENGLAND_AND_WALES])
def test_population_by_detailed_group_sums_to_the_five_group_total(code: str) -> None:
    detailed = census.population_by_detailed_group(code)
    row = five_group_rows()[code]

    assert set(detailed) == set(census.GROUP_BY_CODE)
    assert sum(detailed.values()) == int(row["Total"])
    for group in FIVE:
        in_group = sum(n for c, n in detailed.items() if census.GROUP_BY_CODE[c].five_group == group)
        assert in_group == int(row[group]), group


def test_population_of_an_unknown_area_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="No Census 2021 population for area 'E99999999'"):
        census.population_by_five_group("E99999999")
    with pytest.raises(KeyError, match="No Census 2021 population"):
        census.population_by_detailed_group("E99999999")


def test_every_force_area_has_a_data_police_uk_id() -> None:
    codes = {code for code, _ in census.force_areas()}
    assert set(census.POLICE_UK_IDS) == codes
    assert len(set(census.POLICE_UK_IDS.values())) == len(codes)


# --- The data migration ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_data_migration_loaded_the_43_police_force_areas() -> None:
    expected = {code: row["PFA22NM"] for code, row in five_group_rows().items() if code != census.ENGLAND_AND_WALES}
    assert len(expected) == 43
    assert dict(ForceArea.objects.values_list("code", "name")) == expected


@pytest.mark.django_db
def test_the_data_migration_can_run_again_without_duplicates() -> None:
    migration = importlib.import_module("panels.migrations.0002_load_force_areas")
    ForceArea.objects.filter(code=CHESHIRE).update(name="Renamed by hand")

    migration.load(apps, None)

    assert ForceArea.objects.count() == 43
    assert ForceArea.objects.get(code=CHESHIRE).name == "Cheshire"


# --- The panel's make-up from the database --------------------------------------------------


def describe(user: User, ethnic_group: str, **answers: str) -> None:
    SelfDescription.objects.create(user=user, ethnic_group=ethnic_group, consented_at=timezone.now(), **answers)


@pytest.mark.django_db
def test_a_panels_make_up_counts_its_current_members_only() -> None:
    panel = PanelFactory.create()
    # 11 current members describe themselves: 6 White British, 3 Caribbean (Black), 2 Indian (Asian).
    for group in ["13"] * 6 + ["7"] * 3 + ["3"] * 2:
        describe(MembershipFactory.create(panel=panel).user, group, sex="female")
    # Neither a former member nor someone on another panel is counted.
    former = MembershipFactory.create(panel=panel, start_date=timezone.localdate() - timedelta(days=60))
    former.end_date = timezone.localdate() - timedelta(days=1)
    former.save()
    describe(former.user, "18")
    describe(MembershipFactory.create(panel=PanelFactory.create()).user, "18")
    describe(MembershipFactory.create(panel=panel, role=Membership.Role.OBSERVER).user, "prefer_not")

    make_up = panel_make_up(panel)

    assert make_up.ethnicity.answered == 11
    rows = {r.group: r for r in make_up.ethnicity.rows}
    assert (rows["White"].count, rows["Black"].count, rows["Asian"].count, rows["Other"].count) == (6, 3, None, 0)
    cheshire = five_group_rows()[panel.force_area.code]
    assert rows["Black"].population_share == pytest.approx(int(cheshire["Black"]) / int(cheshire["Total"]))
    # Sex was answered by the same 11 only: the observer's "prefer not" is not an answer.
    assert make_up.sex.answered == 11
    assert {r.group: r.count for r in make_up.sex.rows} == {"Female": 11, "Male": 0}
    assert make_up.age_band.answered == 0
    assert not make_up.age_band.shown


@pytest.mark.django_db
def test_withdrawing_consent_takes_an_answer_out_of_the_make_up(panel: Panel) -> None:
    users = [MembershipFactory.create(panel=panel).user for _ in range(10)]
    for user in users:
        describe(user, "13")
    assert panel_make_up(panel).ethnicity.shown

    SelfDescription.objects.filter(user=users[0]).delete()

    assert panel_make_up(panel).ethnicity.answered == 9
    assert not panel_make_up(panel).ethnicity.shown
