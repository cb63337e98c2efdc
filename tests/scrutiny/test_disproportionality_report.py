"""The disproportionality report over records in the database: the contract's definitions, one grouped query per
report, the cache and its invalidation, breakdowns, the monthly trend, suppression, parameters, and the command."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from panels.census import population_by_five_group
from panels.models import Organisation
from scrutiny import choices, stats
from scrutiny.disproportionality import report as reporting
from scrutiny.models import EncounterRecord, ImportBatch, RejectedRow
from scrutiny.records import versions
from scrutiny.records.services import rejected_row_correct
from tests.scrutiny.conftest import POLICE_UK_HEADER, ImportBytes
from tests.scrutiny.factories import EncounterRecordFactory, ForceFactory, ImportBatchFactory

CHESHIRE = "E23000006"
MERSEYSIDE = "E23000004"
GROUP_KEYS = {
    "searches",
    "population",
    "rate_per_1000",
    "rate_ratio_vs_white",
    "rate_ratio_ci95",
    "find_rate",
    "find_rate_ci95",
    "arrest_rate",
    "unstable",
}
E = choices.EthnicGroup

pytestmark = pytest.mark.django_db

AddRecords = Callable[..., list[EncounterRecord]]


@pytest.fixture
def add(force: Organisation) -> AddRecords:
    """add(n, force=..., **fields): n stop-and-search records (June 2025, White, a person search by default),
    then the force's data version changes as an import would change it."""
    batches: dict[int, ImportBatch] = {}

    def run(n: int, *, force: Organisation = force, **fields: Any) -> list[EncounterRecord]:
        batch = batches.get(force.pk) or batches.setdefault(force.pk, ImportBatchFactory.create(force=force))
        if "occurred_at" in fields:
            fields.setdefault("month", fields["occurred_at"].date().replace(day=1))
        records = EncounterRecordFactory.create_batch(n, batch=batch, **fields)
        versions.records_changed(force.pk)
        return records

    return run


@pytest.fixture
def june(add: AddRecords) -> None:
    """Cheshire in June 2025, with every case the definitions speak of."""
    add(5, outcome_linked_to_object=True, outcome=choices.Outcome.ARREST)
    add(15, outcome_linked_to_object=False)
    add(5)  # outcome link not recorded
    add(12, ethnic_group=E.BLACK, officer_defined_ethnicity=choices.OfficerDefinedEthnicity.BLACK)
    add(2, ethnic_group=E.BLACK, outcome=choices.Outcome.ARREST, officer_defined_ethnicity="")
    add(3, ethnic_group=E.NOT_STATED)
    add(2, ethnic_group="")  # blank counts as not stated
    add(4, vehicle_only=True, search_type=choices.SearchType.VEHICLE)
    add(1, kind=choices.Kind.USE_OF_FORCE)  # not a search
    add(6, occurred_at=datetime(2025, 7, 2, 12, 0, tzinfo=UTC))  # after the period


def report(*forces: str, start: str = "2025-06", end: str = "2025-06", ethnicity: str = "self") -> dict[str, Any]:
    return reporting.disproportionality_report(list(forces or ("cheshire",)), start, end, ethnicity)


def test_the_report_holds_to_the_contracts_definitions(june: None) -> None:
    r = report()
    population = population_by_five_group(CHESHIRE)
    assert set(r) == {"forces", "from", "to", "ethnicity", "total", "vehicle_only_excluded", "not_stated", "groups"}
    assert (r["forces"], r["from"], r["to"], r["ethnicity"]) == (["cheshire"], "2025-06", "2025-06", "self")
    # Every search but the vehicle-only ones, not stated included; no use of force, nothing from July.
    assert r["total"] == 25 + 14 + 5
    assert r["vehicle_only_excluded"] == 4
    assert r["not_stated"] == 5
    assert list(r["groups"]) == ["Asian", "Black", "Mixed", "White", "Other"]
    for group in r["groups"].values():
        assert set(group) == GROUP_KEYS
    white, black, asian = r["groups"]["White"], r["groups"]["Black"], r["groups"]["Asian"]
    assert white["searches"] == 25
    assert white["population"] == population["White"]
    assert white["rate_per_1000"] == pytest.approx(25 / population["White"] * 1000)
    assert white["rate_ratio_vs_white"] == 1.0
    assert white["rate_ratio_ci95"] is None
    # Of the searches with the outcome link recorded (20), the share true (5); the 5 unrecorded are left out.
    assert white["find_rate"] == pytest.approx(5 / 20)
    assert white["find_rate_ci95"] == pytest.approx(list(stats.wilson_interval(5, 20) or ()))
    assert white["arrest_rate"] == pytest.approx(5 / 25)
    assert white["unstable"] is False
    assert black["searches"] == 14
    assert black["rate_ratio_vs_white"] == pytest.approx((14 / population["Black"]) / (25 / population["White"]))
    exact = stats.rate_ratio_ci_exact(14, population["Black"], 25, population["White"])
    assert black["rate_ratio_ci95"] == pytest.approx(list(exact or ()))
    assert black["find_rate"] is None  # none recorded
    assert black["find_rate_ci95"] is None
    assert black["arrest_rate"] == pytest.approx(2 / 14)
    assert black["unstable"] is True
    assert asian["searches"] == 0
    assert asian["rate_per_1000"] == 0.0
    assert asian["rate_ratio_vs_white"] == 0.0
    assert asian["rate_ratio_ci95"][0] == 0.0
    assert asian["arrest_rate"] is None
    json.dumps(r)  # plain JSON


def test_the_officer_defined_view_groups_by_the_officers_record(june: None) -> None:
    r = report(ethnicity="officer")
    assert r["ethnicity"] == "officer"
    # The 12 the officer recorded as Black; the 2 with no officer-defined ethnicity and the 5 self-defined
    # not stated whom the factory records as White by the officer.
    assert r["groups"]["Black"]["searches"] == 12
    assert r["not_stated"] == 2
    assert r["groups"]["White"]["searches"] == 25 + 5
    assert r["total"] == 44


def test_months_are_calendar_months_in_uk_time_and_old_arrest_names_count(import_bytes: ImportBytes) -> None:
    rows = [
        # 23:30 UTC on 31 May is 00:30 on 1 June in London (BST): June.
        "Person search,2025-05-31T23:30:00+00:00,,,,,Male,18-24,White - English/Welsh/Scottish/Northern Irish/British"
        ",White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Suspect arrested,True,",
        # 23:30 UTC on 30 June is July in London.
        "Person search,2025-06-30T23:30:00+00:00,,,,,Male,18-24,White - English/Welsh/Scottish/Northern Irish/British"
        ",White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,True,",
        "Person search,2025-06-10T10:00:00+00:00,,,,,Male,18-24,Black/African/Caribbean/Black British - African"
        ",Black,Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action disposal,False,",
        "Vehicle search,2025-06-10T11:00:00+00:00,,,,,,,,,Misuse of Drugs Act 1971 (section 23),Controlled drugs,"
        "A no further action disposal,False,",
    ]
    before = report()
    assert before["total"] == 0
    result = import_bytes("\n".join([POLICE_UK_HEADER, *rows]) + "\n", name="2025-06-cheshire-stop-and-search.csv")
    assert result.imported == 4
    # The import changed the force's data version: the cached empty report is not served again.
    june_report = report()
    assert june_report["total"] == 2
    assert june_report["vehicle_only_excluded"] == 1
    assert june_report["groups"]["White"]["searches"] == 1
    assert june_report["groups"]["White"]["arrest_rate"] == 1.0  # "Suspect arrested", the old vocabulary
    assert report(start="2025-07", end="2025-07")["groups"]["White"]["searches"] == 1


def test_a_corrected_row_changes_the_report(import_bytes: ImportBytes) -> None:
    good = (
        "Person search,2025-06-10T10:00:00+00:00,,,,,Male,18-24,Black/African/Caribbean/Black British - African"
        ",Black,Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action disposal,False,"
    )
    bad = good.replace("2025-06-10T10:00:00+00:00", "not a date")
    result = import_bytes(f"{POLICE_UK_HEADER}\n{good}\n{bad}\n", name="2025-06-cheshire-stop-and-search.csv")
    assert (result.imported, result.rejected) == (1, 1)
    assert report()["groups"]["Black"]["searches"] == 1
    row = RejectedRow.objects.get()
    assert rejected_row_correct(row=row, values={"Date": "2025-06-11T10:00:00+00:00"}, by=None)["status"] == "imported"
    assert report()["groups"]["Black"]["searches"] == 2


def test_several_forces_add_their_searches_and_their_areas_populations(add: AddRecords) -> None:
    merseyside = ForceFactory.create(police_uk_id="merseyside")
    add(30)
    add(20, force=merseyside)
    add(7, force=merseyside, ethnic_group=E.BLACK)
    r = report("cheshire", "merseyside")
    assert r["forces"] == ["cheshire", "merseyside"]
    assert r["groups"]["White"]["searches"] == 50
    both = {g: population_by_five_group(CHESHIRE)[g] + population_by_five_group(MERSEYSIDE)[g] for g in stats.GROUPS}
    assert {g: r["groups"][g]["population"] for g in stats.GROUPS} == both
    # A force named twice counts once.
    assert (
        report("cheshire", "cheshire")["groups"]["White"]["population"] == population_by_five_group(CHESHIRE)["White"]
    )


def test_each_report_is_one_grouped_query_and_then_served_from_the_cache(
    june: None, django_assert_num_queries: Any
) -> None:
    query = reporting.report_query(["cheshire"], "2025-06", "2025-06")
    with django_assert_num_queries(1):
        cold = reporting.disproportionality_report(query=query)
    with django_assert_num_queries(0):
        assert reporting.disproportionality_report(query=query) == cold
    for by in reporting.BREAKDOWNS:
        with django_assert_num_queries(1):
            reporting.disproportionality_breakdown(query=query, by=by)
    with django_assert_num_queries(0):  # the trend is the month breakdown, already cached
        reporting.monthly_trend(query=query)
    with django_assert_num_queries(1):
        reporting.public_disproportionality_report(query=query)
    with django_assert_num_queries(2):  # both views of ethnicity
        reporting.report_details(query=query)
    # Given force ids rather than a checked query, one more query finds the forces.
    with django_assert_num_queries(1):
        report()


def test_a_cached_report_is_served_within_50_ms(june: None) -> None:
    report()
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        report()
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[2] < 0.050


def test_the_cache_is_kept_until_the_forces_records_change(add: AddRecords, june: None) -> None:
    assert report()["groups"]["Mixed"]["searches"] == 0
    # Written behind the import service's back: the cached report stands...
    batch = ImportBatchFactory.create(force=ForceFactory.create(police_uk_id="cheshire"))
    EncounterRecordFactory.create(batch=batch, ethnic_group=E.MIXED)
    assert report()["groups"]["Mixed"]["searches"] == 0
    # ...until the force's records are said to have changed (as every import and correction says).
    versions.records_changed(batch.force_id)
    assert report()["groups"]["Mixed"]["searches"] == 1


def test_breakdown_by_legislation_gives_each_legislation_its_own_figures(add: AddRecords) -> None:
    add(22, legislation=choices.Legislation.CJPOA_S60, ethnic_group=E.BLACK)
    add(30, legislation=choices.Legislation.CJPOA_S60)
    add(40, legislation=choices.Legislation.PACE_S1)
    add(2, legislation=choices.Legislation.PACE_S1, ethnic_group=E.NOT_STATED)
    add(3, legislation=choices.Legislation.PACE_S1, vehicle_only=True)
    b = reporting.disproportionality_breakdown(["cheshire"], "2025-06", "2025-06", by="legislation")
    assert b["by"] == "legislation"
    assert [c["value"] for c in b["categories"]] == ["pace_s1", "cjpoa_s60"]  # the vocabulary's order
    pace, s60 = b["categories"]
    assert pace["label"] == "Police and Criminal Evidence Act 1984 (section 1)"
    assert (pace["total"], pace["not_stated"], pace["groups"]["White"]["searches"]) == (42, 2, 40)
    assert s60["groups"]["Black"]["searches"] == 22
    population = population_by_five_group(CHESHIRE)
    assert s60["groups"]["Black"]["rate_ratio_vs_white"] == pytest.approx(
        (22 / population["Black"]) / (30 / population["White"])
    )
    with pytest.raises(reporting.ReportQueryError, match="Break down by one of"):
        reporting.disproportionality_breakdown(["cheshire"], "2025-06", "2025-06", by="officer")


@pytest.mark.parametrize(
    ("by", "field", "value", "label"),
    [
        ("object_of_search", "object_of_search", choices.ObjectOfSearch.OFFENSIVE_WEAPONS, "Offensive weapons"),
        ("age_range", "age_range", choices.AgeRange.A10_17, "10 to 17"),
        ("gender", "gender", choices.Gender.FEMALE, "Female"),
    ],
)
def test_breakdowns_by_object_age_and_gender(add: AddRecords, by: str, field: str, value: str, label: str) -> None:
    add(11, **{field: value})
    add(4)
    b = reporting.disproportionality_breakdown(["cheshire"], "2025-06", "2025-06", by=by)
    [category] = [c for c in b["categories"] if c["value"] == value]
    assert category["label"] == label
    assert category["groups"]["White"]["searches"] == 11
    assert sum(c["total"] for c in b["categories"]) == 15


def test_the_monthly_trend_has_every_month_of_the_period(add: AddRecords) -> None:
    add(25, occurred_at=datetime(2025, 6, 10, 12, 0, tzinfo=UTC))
    add(21, occurred_at=datetime(2025, 6, 11, 12, 0, tzinfo=UTC), ethnic_group=E.BLACK)
    add(3, occurred_at=datetime(2025, 8, 11, 12, 0, tzinfo=UTC))
    trend = reporting.monthly_trend(["cheshire"], "2025-05", "2025-08")
    assert [m["month"] for m in trend["months"]] == ["2025-05", "2025-06", "2025-07", "2025-08"]
    assert [m["total"] for m in trend["months"]] == [0, 46, 0, 3]
    june = trend["months"][1]["groups"]["Black"]
    population = population_by_five_group(CHESHIRE)
    assert june["rate_ratio_vs_white"] == pytest.approx((21 / population["Black"]) / (25 / population["White"]))
    assert trend["months"][0]["groups"]["White"]["searches"] == 0


def test_the_public_report_suppresses_small_numbers_and_what_would_reveal_them(add: AddRecords) -> None:
    add(40, outcome_linked_to_object=True)
    add(12, ethnic_group=E.BLACK, outcome=choices.Outcome.ARREST, outcome_linked_to_object=False)
    add(3, ethnic_group=E.ASIAN)
    add(25, ethnic_group=E.NOT_STATED)
    add(2, vehicle_only=True)
    r = reporting.public_disproportionality_report(["cheshire"], "2025-06", "2025-06")
    asian, black, white = r["groups"]["Asian"], r["groups"]["Black"], r["groups"]["White"]
    assert asian["searches"] is None
    assert asian["rate_per_1000"] is None
    assert asian["rate_ratio_vs_white"] is None
    assert asian["rate_ratio_ci95"] is None
    assert asian["population"] > 0  # the Census is public
    assert black["searches"] == 12
    assert black["arrest_rate"] == 1.0  # 12 of 12
    assert black["find_rate"] is None  # 0 of 12 found: a count under 10
    assert white["find_rate"] == 1.0  # 40 of 40
    # Zero Mixed and zero Other are hidden too. The hidden cells add up to 3, which the total minus the shown
    # cells would give away, so the total is hidden as well.
    assert r["groups"]["Mixed"]["searches"] is None
    assert r["total"] is None
    assert r["vehicle_only_excluded"] is None
    assert r["not_stated"] == 25


def test_the_public_report_hides_the_total_when_it_would_give_one_hidden_cell_away(add: AddRecords) -> None:
    for group in (E.ASIAN, E.BLACK, E.MIXED, E.OTHER, E.WHITE):
        add(10, ethnic_group=group)
    add(4, ethnic_group=E.NOT_STATED)
    r = reporting.public_disproportionality_report(["cheshire"], "2025-06", "2025-06")
    assert r["not_stated"] is None
    assert r["total"] is None


@pytest.mark.parametrize(("black", "mixed", "total_shown"), [(6, 4, True), (5, 4, False), (1, 0, False), (0, 0, True)])
def test_the_public_report_hides_the_total_when_the_hidden_cells_add_up_to_1_to_9(
    add: AddRecords, black: int, mixed: int, total_shown: bool
) -> None:
    for group in (E.ASIAN, E.WHITE, E.NOT_STATED):
        add(20, ethnic_group=group)
    add(black, ethnic_group=E.BLACK)
    add(mixed, ethnic_group=E.MIXED)  # hidden: Black, Mixed and Other (0)
    r = reporting.public_disproportionality_report(["cheshire"], "2025-06", "2025-06")
    assert (r["groups"]["Black"]["searches"], r["groups"]["Mixed"]["searches"]) == (None, None)
    assert r["total"] == (60 + black + mixed if total_shown else None)


def test_ratios_are_hidden_when_the_white_count_is(add: AddRecords) -> None:
    add(5)
    add(30, ethnic_group=E.BLACK)
    r = reporting.public_disproportionality_report(["cheshire"], "2025-06", "2025-06")
    assert r["groups"]["Black"]["searches"] == 30
    assert r["groups"]["Black"]["rate_ratio_vs_white"] is None


def test_report_details_give_both_views_the_not_stated_bounds_and_the_relative_rate_index(june: None) -> None:
    d = reporting.report_details(["cheshire"], "2025-06", "2025-06")
    assert d["self"] == report()
    assert d["officer"] == report(ethnicity="officer")
    assert d["not_stated_share"] == pytest.approx(5 / 44)
    population = population_by_five_group(CHESHIRE)
    low, high = d["rate_ratio_bounds_not_stated"]["Black"]
    assert low == pytest.approx((14 / population["Black"]) / (30 / population["White"]))
    assert high == pytest.approx((19 / population["Black"]) / (25 / population["White"]))
    assert d["relative_rate_index"]["search"]["Black"] == pytest.approx(
        report()["groups"]["Black"]["rate_ratio_vs_white"]
    )
    assert d["relative_rate_index"]["arrest"]["Black"] == pytest.approx((2 / 14) / (5 / 25))
    assert d["arrest_rate_ci95"]["White"] == pytest.approx(list(stats.wilson_interval(5, 25) or ()))


@pytest.mark.parametrize(
    ("forces", "start", "end", "ethnicity", "errors"),
    [
        (["atlantis"], "2025-06", "2025-06", "self", {"force": ['Unknown force "atlantis".']}),
        ([], "2025-06", "2025-06", "self", {"force": ["Give at least one force"]}),
        (["cheshire"], "2025-13", "2025-06", "self", {"from": ['"2025-13" is not a month']}),
        (["cheshire"], "2025-06", "June", "self", {"to": ['"June" is not a month']}),
        (["cheshire"], "", "2025-06", "self", {"from": ["Give the first month of the period: write YYYY-MM"]}),
        (
            ["cheshire"],
            "2025-09",
            "2025-06",
            "self",
            {"from": ["The period starts (2025-09) after it ends (2025-06)."]},
        ),
        (
            ["cheshire"],
            "2025-06",
            "2025-06",
            "both",
            {"ethnicity": ['Ethnicity must be "self" or "officer", not "both".']},
        ),
    ],
)
def test_bad_parameters_are_refused_saying_what_is_wrong(
    force: Organisation, forces: list[str], start: str, end: str, ethnicity: str, errors: dict[str, list[str]]
) -> None:
    with pytest.raises(reporting.ReportQueryError) as refused:
        reporting.report_query(forces, start, end, ethnicity)
    assert set(refused.value.errors) == set(errors)
    for key, expected in errors.items():
        assert refused.value.errors[key][0].startswith(expected[0])


# --- the command ----------------------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("disproportionality", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_reports_json(june: None) -> None:
    printed = json.loads(run("--force", "cheshire", "--from", "2025-06", "--to", "2025-06", "--json"))
    assert printed == report()
    officer = json.loads(
        run("--force", "cheshire", "--from", "2025-06", "--to", "2025-06", "--ethnicity", "officer", "--json")
    )
    assert officer == report(ethnicity="officer")
    public = json.loads(run("--force", "cheshire", "--from", "2025-06", "--to", "2025-06", "--json", "--public"))
    assert public == reporting.public_disproportionality_report(["cheshire"], "2025-06", "2025-06")


def test_the_command_prints_a_table_by_default(june: None) -> None:
    table = run("--force", "cheshire", "--from", "2025-06", "--to", "2025-06")
    assert "Searches: 44 (ethnicity not stated: 5); vehicle-only searches left out: 4" in table
    black = next(line for line in table.splitlines() if line.startswith("Black"))
    assert "14" in black
    assert "unstable" in black


def test_the_command_refuses_bad_parameters_naming_each(force: Organisation) -> None:
    with pytest.raises(CommandError) as refused:
        run("--force", "atlantis", "--from", "2025-6", "--to", "2025-06", "--ethnicity", "x")
    message = str(refused.value)
    assert '--force: Unknown force "atlantis".' in message
    assert '--from: "2025-6" is not a month' in message
    assert '--ethnicity: Ethnicity must be "self" or "officer", not "x".' in message
