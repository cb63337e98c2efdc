"""The national report (scrutiny/national.py): the period, which force-months are missing, every force's figures
beside England and Wales's, British Transport Police, the funnel and ranks, the cache, and the public version's
suppression.

The picture over the financial year 2024 (April 2024 to March 2025), unless a test says otherwise: the Metropolitan
Police, West Midlands and Merseyside hold every month (the sync's SourceMonth rows) with searches in two of them;
Cheshire and Dorset have small counts; Gwent's March 2025 was not published by data.police.uk; British Transport
Police has searches; every other force holds nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from scipy.stats import poisson

from panels.census import ENGLAND_AND_WALES, population_by_five_group
from panels.forces import FORCES
from scrutiny import stats as st
from scrutiny.disproportionality import national
from scrutiny.disproportionality import report as reporting
from scrutiny.disproportionality.national import counts as national_counts
from scrutiny.models import EncounterRecord
from scrutiny.records import versions
from scrutiny.sync.models import SourceMonthStatus
from tests.scrutiny.national_support import add_searches, force, months, source_months

YEAR = national.national_query(year=2024)
APRIL, MAY, MARCH = date(2024, 4, 1), date(2024, 5, 1), date(2025, 3, 1)
FY = months(APRIL, 12)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def picture(db: None) -> dict[str, Any]:
    met, wm, mersey = force("metropolitan"), force("west-midlands"), force("merseyside")
    for org in (met, wm, mersey):
        source_months(org, FY)
    add_searches(
        met,
        APRIL,
        {"White": 400, "Black": 300, "Asian": 120, "Mixed": 60, "Other": 30, "not stated": 40},
        arrests={"White": 60, "Black": 50, "Asian": 15, "Mixed": 10, "Other": 10},
        linked={"White": 100, "Black": 70, "Asian": 30, "Mixed": 12, "Other": 11},
        vehicle_only=12,
        withdrawn=5,
    )
    add_searches(met, MAY, {"White": 380, "Black": 310, "Asian": 110, "Mixed": 50, "Other": 25, "not stated": 35})
    add_searches(wm, APRIL, {"White": 150, "Black": 60, "Asian": 90, "Mixed": 20, "Other": 12, "not stated": 10})
    add_searches(mersey, MAY, {"White": 300, "Black": 30, "Asian": 15, "Mixed": 14, "Other": 11, "not stated": 20})
    # Two small forces with records every month (no source months) and small counts that mirror each other:
    # Cheshire Black 7, Asian 3; Dorset Black 3, Asian 7 over the year.
    cheshire, dorset = force("cheshire"), force("dorset")
    for i, month in enumerate(FY):
        add_searches(cheshire, month, {"White": 12, "Black": int(i < 7), "Asian": int(7 <= i < 10)})
        add_searches(dorset, month, {"White": 12, "Black": int(i < 3), "Asian": int(3 <= i < 10)})
    gwent = force("gwent")
    for month in FY[:-1]:
        add_searches(gwent, month, {"White": 15, "Black": 2})
    source_months(gwent, [MARCH], status=SourceMonthStatus.NOT_PUBLISHED, published=False)
    add_searches(gwent, MARCH, {"White": 9})  # held from before: left out with the month
    btp = force("btp")
    add_searches(btp, APRIL, {"White": 70, "Black": 40, "not stated": 5}, arrests={"White": 10, "Black": 12})
    return {
        "met": met,
        "wm": wm,
        "mersey": mersey,
        "cheshire": cheshire,
        "dorset": dorset,
        "gwent": gwent,
        "btp": btp,
    }


def row(report: dict[str, Any], police_uk_id: str) -> dict[str, Any]:
    found = national.force_comparison(report, police_uk_id)
    assert found is not None
    return found


# --- the period ------------------------------------------------------------------------------------------------


def test_a_financial_year_runs_from_april_to_march() -> None:
    q = national.national_query(year="2024")
    assert (q.from_month, q.to_month, q.year) == (APRIL, MARCH, 2024)
    assert q.label == "April 2024 to March 2025"
    assert q.header()["months"] == 12


def test_a_period_of_months_is_read_from_and_to() -> None:
    q = national.national_query(from_month="2024-07", to_month="2025-06")
    assert (q.from_month, q.to_month, q.year) == (date(2024, 7, 1), date(2025, 6, 1), None)
    assert q.label == "July 2024 to June 2025"


@pytest.mark.parametrize(
    ("kwargs", "key", "message"),
    [
        ({}, "from", "Give a financial year"),
        ({"year": "2024", "from_month": "2024-04"}, "year", "not both"),
        ({"year": "24-25"}, "year", "is not a financial year"),
        ({"year": "1850"}, "year", "is not a financial year"),
        ({"from_month": "2024-13", "to_month": "2025-01"}, "from", "is not a month"),
        ({"from_month": "2024-04"}, "to", "Give the last month"),
        ({"from_month": "2025-04", "to_month": "2024-04"}, "from", "starts (2025-04) after it ends"),
        ({"from_month": "2024-01", "to_month": "2025-01"}, "to", "at most 12 months"),
    ],
)
def test_a_bad_period_is_refused_saying_what_is_wrong(kwargs: dict[str, str], key: str, message: str) -> None:
    with pytest.raises(reporting.ReportQueryError) as caught:
        national.national_query(**kwargs)
    assert message in " ".join(caught.value.errors[key])


# --- missing months ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_force_month_is_covered_when_held_or_when_records_stand_in_for_a_missing_source_month() -> None:
    a, b, c = force("kent"), force("essex"), force("surrey")
    span = months(date(2025, 1, 1), 4)  # January to April 2025
    source_months(a, span[:2])  # held
    source_months(a, [span[2]], status=SourceMonthStatus.FAILED)  # published, failed: not held yet
    source_months(a, [span[3]], status=SourceMonthStatus.NOT_PUBLISHED, published=False)
    add_searches(a, span[2], {"White": 3})  # records do not override a source month that is not held
    add_searches(b, span[0], {"White": 1})  # no source months: a record is enough
    add_searches(b, span[1], {"White": 0}, withdrawn=1)  # a withdrawn record is not
    source_months(c, span[:1], status=SourceMonthStatus.HELD)  # held and empty: covered
    missing = national.missing_months([a, b, c], span[0], span[-1])
    got = {(m.force, m.month.month, m.reason) for m in missing}
    assert got == {
        ("kent", 3, national.NOT_HELD),
        ("kent", 4, national.NOT_PUBLISHED),
        ("essex", 2, national.NOT_HELD),
        ("essex", 3, national.NOT_HELD),
        ("essex", 4, national.NOT_HELD),
        ("surrey", 2, national.NOT_HELD),
        ("surrey", 3, national.NOT_HELD),
        ("surrey", 4, national.NOT_HELD),
    }
    kent_april = next(m for m in missing if m.force == "kent" and m.month.month == 4)
    assert kent_april.reason_text == "not published by data.police.uk"
    # Given the months held (as the report passes them), the answer is the same without reading the records.
    held = {b.pk: {span[0]}, a.pk: {span[2]}}
    assert national.missing_months([a, b, c], span[0], span[-1], held=held) == missing


def test_missing_months_are_described_in_runs() -> None:
    m = national.MissingMonth
    words = national.describe_missing(
        [
            m("gwent", "Gwent Police", date(2025, 3, 1), national.NOT_PUBLISHED),
            m("kent", "Kent Police", date(2024, 11, 1), national.NOT_HELD),
            m("kent", "Kent Police", date(2024, 12, 1), national.NOT_HELD),
            m("kent", "Kent Police", date(2025, 1, 1), national.NOT_HELD),
            m("kent", "Kent Police", date(2025, 3, 1), national.NOT_HELD),
        ]
    )
    assert words == [
        "Gwent Police: March 2025 (not published by data.police.uk)",
        "Kent Police: November 2024 to January 2025 (not held yet); March 2025 (not held yet)",
    ]


# --- the figures -------------------------------------------------------------------------------------------------


def test_each_force_has_the_figures_of_its_own_report_over_the_same_period(picture: dict[str, Any]) -> None:
    report = national.national_report(YEAR)
    for key in ("met", "wm", "mersey"):
        org = picture[key]
        own = reporting.disproportionality_report([org.police_uk_id], "2024-04", "2025-03")
        mine = row(report, org.police_uk_id)
        assert mine["months_covered"] == 12
        assert mine["missing"] == []
        assert mine["groups"] == own["groups"]
        for field in ("total", "not_stated", "vehicle_only_excluded"):
            assert mine[field] == own[field], field
    met = row(report, "metropolitan")
    assert met["groups"]["Black"]["searches"] == 610
    assert met["vehicle_only_excluded"] == 12  # and the 5 withdrawn searches count nowhere
    assert met["total"] == 400 + 380 + 610 + 230 + 110 + 55 + 75


def test_england_and_wales_adds_up_the_territorial_forces_months_covered(picture: dict[str, Any]) -> None:
    report = national.national_report(YEAR)
    ew = report["england_and_wales"]
    forces = report["forces"]
    assert len(forces) == 43
    assert all(f["territorial"] for f in forces)
    for group in st.GROUPS:
        assert ew["groups"][group]["searches"] == sum(f["groups"][group]["searches"] for f in forces)
        assert ew["groups"][group]["population"] == sum(f["groups"][group]["population"] or 0 for f in forces)
    assert ew["total"] == sum(f["total"] for f in forces)
    assert ew["not_stated"] == sum(f["not_stated"] for f in forces)
    # Only the forces with months covered count in the denominators: 6 forces, Gwent for 11 months.
    gwent = population_by_five_group(picture["gwent"].force_area.code)
    assert row(report, "gwent")["groups"]["White"]["population"] == round(gwent["White"] * 11 / 12)
    white = ew["groups"]["White"]
    assert white["rate_per_1000"] == pytest.approx(white["searches"] / white["population"] * 1000)
    black = ew["groups"]["Black"]
    assert black["rate_ratio_vs_white"] == pytest.approx(
        st.rate_ratio(black["searches"], black["population"], white["searches"], white["population"])
    )


def test_with_every_force_month_held_the_denominator_is_england_and_wales(db: None) -> None:
    for info in FORCES:
        source_months(force(info.police_uk_id), FY)
    add_searches(force("kent"), APRIL, {"White": 30, "Black": 20})
    report = national.national_report(YEAR)
    ew = report["england_and_wales"]
    whole = population_by_five_group(ENGLAND_AND_WALES)
    assert {g: ew["groups"][g]["population"] for g in st.GROUPS} == whole
    assert ew["force_months_missing"] == 0
    assert ew["label"] == "England and Wales: all 43 territorial forces, every month of the period"
    assert report["missing"] == []


def test_a_missing_month_is_left_out_with_its_population_and_named_in_the_label(picture: dict[str, Any]) -> None:
    report = national.national_report(YEAR)
    gwent = row(report, "gwent")
    assert gwent["missing"] == ["2025-03"]
    assert gwent["months_covered"] == 11
    assert gwent["groups"]["White"]["searches"] == 15 * 11  # March's 9 records are not counted
    label = report["england_and_wales"]["label"]
    assert label.startswith("England and Wales: 6 of 43 forces; ")
    assert "37 forces hold no month of the period and 1 force has gaps" in label
    entry = next(m for m in report["missing"] if m["force"] == "gwent")
    assert entry == {
        "force": "gwent",
        "name": picture["gwent"].name,
        "month": "2025-03",
        "reason": "not_published",
        "reason_text": "not published by data.police.uk",
    }
    assert report["england_and_wales"]["force_months_missing"] == 37 * 12 + 1


def test_the_label_names_the_gaps_when_there_are_few(db: None) -> None:
    for info in FORCES:
        source_months(force(info.police_uk_id), FY)
    source_months(force("gwent"), [MARCH], status=SourceMonthStatus.NOT_PUBLISHED, published=False)
    source_months(force("kent"), FY[1:3], status=SourceMonthStatus.PENDING)
    add_searches(force("kent"), APRIL, {"White": 30})
    label = national.national_report(YEAR)["england_and_wales"]["label"]
    assert label == (
        "England and Wales: 43 of 43 forces; 3 of 516 force-months missing: Gwent Police: March 2025 "
        "(not published by data.police.uk); Kent Police: May to June 2024 (not held yet)"
    )


def test_british_transport_police_has_searches_find_and_arrest_rates_but_no_rate_per_1000(
    picture: dict[str, Any],
) -> None:
    report = national.national_report(YEAR)
    assert [f["force"] for f in report["other_forces"]] == ["btp"]
    btp = row(report, "btp")
    assert btp["territorial"] is False
    assert btp["area"] is None
    black = btp["groups"]["Black"]
    assert black["searches"] == 40
    assert black["arrest_rate"] == pytest.approx(12 / 40)
    assert black["find_rate"] == 0.0
    assert black["population"] is None
    assert black["rate_per_1000"] is None
    assert black["rate_ratio_vs_white"] is None
    assert black["rate_ratio_ci95"] is None
    assert btp["compare"] == {}
    # Not in England and Wales.
    ew = report["england_and_wales"]["groups"]["Black"]["searches"]
    assert ew == sum(f["groups"]["Black"]["searches"] for f in report["forces"])
    assert all(f["force"] != "btp" for f in report["forces"])


# --- the funnel and the ranks --------------------------------------------------------------------------------------


def test_each_forces_funnel_limits_are_the_national_ratio_times_the_poisson_limits_worked_with_scipy(
    picture: dict[str, Any],
) -> None:
    report = national.national_report(YEAR)
    ew = report["england_and_wales"]["groups"]
    for group in national.COMPARED:
        reference = report["comparison"][group]["reference_ratio"]
        assert reference == pytest.approx(ew[group]["rate_ratio_vs_white"])
        compared = [f for f in report["forces"] if group in f["compare"]]
        assert len(compared) == report["comparison"][group]["forces_compared"] == 6
        for f in compared:
            c = f["compare"][group]
            g, w = f["groups"][group], f["groups"]["White"]
            expected = reference * w["searches"] * g["population"] / w["population"]
            assert c["expected"] == pytest.approx(expected)
            assert c["observed"] == g["searches"]
            assert c["ratio"] == pytest.approx(g["rate_ratio_vs_white"])
            for name, p in (("lower_998", 0.001), ("lower_95", 0.025), ("upper_95", 0.975), ("upper_998", 0.999)):
                r = poisson.ppf(p, expected)
                alpha = (poisson.cdf(r, expected) - p) / (poisson.cdf(r, expected) - poisson.cdf(r - 1, expected))
                assert c["limits"][name] == pytest.approx(reference * max(0.0, (r - alpha) / expected), rel=1e-9)
            inside = c["limits"]["lower_998"] <= c["ratio"] <= c["limits"]["upper_998"]
            assert ("outlier" in c["position"]) == (not inside), (f["force"], group, c)


def test_the_comparison_gives_overdispersion_and_ranks_with_intervals(picture: dict[str, Any]) -> None:
    report = national.national_report(YEAR)
    black = report["comparison"]["Black"]
    assert black["overdispersion"]["forces"] == 6
    # The Metropolitan Police's 610 Black searches against 780 White, West Midlands' 60 against 150, Merseyside's
    # 30 against 300: far more spread than chance gives.
    assert black["overdispersion"]["overdispersed"] is True
    assert black["overdispersion"]["phi"] > 2
    assert sum(black["positions"].values()) == 6
    ranks = [f["compare"]["Black"]["rank"] for f in report["forces"] if "Black" in f["compare"]]
    assert sorted(r["rank"] for r in ranks) == [1, 2, 3, 4, 5, 6]
    for r in ranks:
        assert 1 <= r["low"] <= r["rank"] <= r["high"] <= r["of"] == 6
    dorset = row(report, "dorset")["compare"]["Black"]
    # Three Black searches over a year: its rank could be almost anything.
    assert dorset["rank"]["high"] - dorset["rank"]["low"] >= 3
    assert "highest of" not in dorset["rank_text"]
    assert "lowest of" not in dorset["rank_text"]
    cache.clear()
    assert national.national_report(YEAR) == report  # the same figures give the same ranks


# --- queries and the cache ------------------------------------------------------------------------------------------


def records_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "scrutiny_encounterrecord" in q["sql"]]


def test_one_grouped_query_over_the_records_whatever_the_number_of_forces(picture: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as cold:
        national.national_report(YEAR)
    assert len(records_queries(cold)) == 1
    assert "GROUP BY" in records_queries(cold)[0]
    few = len(cold.captured_queries)
    for code in ("kent", "essex", "sussex", "surrey", "dorset"):
        add_searches(force(code), APRIL, {"White": 20, "Black": 10})
    with CaptureQueriesContext(connection) as more:
        national.national_report(YEAR)
    assert len(more.captured_queries) == few == 3  # the forces, the records, the source months


def test_the_per_force_query_counts_what_one_group_by_over_every_force_counts(picture: dict[str, Any]) -> None:
    """The records are read one force's range of months at a time (UNION ALL, for the index): the counts are
    those of a plain GROUP BY over all of them."""
    forces = national.national_forces()
    counted = national_counts._counts(forces, YEAR)
    plain: dict[str, list[int]] = {}
    rows: Any = (
        EncounterRecord.objects.current()
        .filter(kind="stop_search", month__gte=APRIL, month__lte=MARCH)
        .values("force_id", "month", "ethnic_group", "vehicle_only")
        .annotate(**reporting._outcome_counts())
        .order_by()
    )
    for r in rows:
        cell = plain.setdefault(f"{r['force_id']}:{r['month']:%Y-%m}", [0] * national.WIDTH)
        if r["vehicle_only"]:
            cell[-1] += r["searches"]
        else:
            base = national_counts._slot(r["ethnic_group"]) * len(national_counts.KEYS)
            for i, key in enumerate(national.KEYS):
                cell[base + i] += r[key]
    assert counted == plain
    assert len(counted) > 20


def test_on_postgresql_the_records_query_runs_without_just_in_time_compilation(picture: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as captured:
        national.national_report(YEAR)
    [sql] = records_queries(captured)
    assert sql.count("UNION ALL") == len(FORCES) - 1
    assert sql.startswith("SET LOCAL jit = off; ") == (connection.vendor == "postgresql")


def test_a_cached_report_reads_no_records_and_a_change_in_one_force_is_seen(
    picture: dict[str, Any], django_assert_num_queries: Any
) -> None:
    first = national.national_report(YEAR)
    with django_assert_num_queries(2):  # the forces and the source months: coverage is read afresh
        assert national.national_report(YEAR) == first
    add_searches(picture["wm"], MAY, {"Black": 10})
    again = national.national_report(YEAR)
    assert row(again, "west-midlands")["groups"]["Black"]["searches"] == 70


def test_a_change_in_coverage_alone_is_seen_at_once(picture: dict[str, Any]) -> None:
    before = national.national_report(YEAR)
    assert row(before, "gwent")["months_covered"] == 11
    source_months(picture["gwent"], [MARCH], status=SourceMonthStatus.HELD)
    after = national.national_report(YEAR)
    gwent = row(after, "gwent")
    assert gwent["months_covered"] == 12
    assert gwent["groups"]["White"]["searches"] == 15 * 11 + 9


def test_the_period_chooser_finds_the_first_and_latest_whole_months_with_data(picture: dict[str, Any]) -> None:
    forces = national.national_forces()
    assert national.data_months(forces) == (APRIL, MARCH)
    latest = national.latest_period(forces)
    assert latest is not None
    assert (latest.from_month, latest.to_month) == (APRIL, MARCH)
    # British Transport Police's months do not move the period: it is not part of England and Wales.
    add_searches(picture["btp"], date(2025, 5, 1), {"White": 10})
    assert national.data_months(national.national_forces()) == (APRIL, MARCH)


# --- the public version ----------------------------------------------------------------------------------------------


def counts_in(report: dict[str, Any]) -> Iterator[tuple[str, int]]:
    for f in [report["england_and_wales"], *report["forces"], *report["other_forces"]]:
        name = f.get("force", "england-and-wales")
        for field in ("total", "not_stated", "vehicle_only_excluded"):
            if f[field] is not None:
                yield f"{name} {field}", f[field]
        for group, g in f["groups"].items():
            if g["searches"] is not None:
                yield f"{name} {group}", g["searches"]
        for group, c in f.get("compare", {}).items():
            yield f"{name} {group} observed", c["observed"]


def test_the_public_report_shows_no_count_under_ten(picture: dict[str, Any]) -> None:
    public = national.national_report(YEAR, public=True)
    assert public["public"] is True
    small = [(k, v) for k, v in counts_in(public) if st.is_suppressed(v)]
    assert not small
    cheshire = row(public, "cheshire")
    assert cheshire["groups"]["Black"]["searches"] is None
    assert cheshire["groups"]["Black"]["rate_ratio_vs_white"] is None
    assert "Black" not in cheshire["compare"]
    assert cheshire["groups"]["White"]["searches"] == 144
    assert cheshire["total"] == 154  # its hidden cells add up to 10


def test_no_published_sum_gives_a_hidden_count_away(picture: dict[str, Any]) -> None:
    """England and Wales less the forces shown, in every column: 0 or at least 10. The same for arrests, which an
    arrest rate and a count of searches give back."""
    public = national.national_report(YEAR, public=True)
    ew, forces = public["england_and_wales"], public["forces"]

    def rest(total: int | None, parts: list[int | None]) -> None:
        if total is None:
            return
        left = total - sum(p for p in parts if p is not None)
        assert left == 0 or left >= 10, (total, parts)

    for group in st.GROUPS:
        rest(ew["groups"][group]["searches"], [f["groups"][group]["searches"] for f in forces])

        def arrests(g: dict[str, Any]) -> int | None:
            if g["arrest_rate"] is None or g["searches"] is None:
                return None
            return round(g["arrest_rate"] * g["searches"])

        rest(arrests(ew["groups"][group]), [arrests(f["groups"][group]) for f in forces])
    for field in ("total", "not_stated", "vehicle_only_excluded"):
        rest(ew[field], [f[field] for f in forces])


def test_a_lone_small_count_in_a_column_hides_the_smallest_other_one_too(db: None) -> None:
    """England and Wales's Black searches less the forces shown would be Cheshire's 7: so the smallest Black
    count still shown (Merseyside's 30) is hidden as well, with its ratio, rank and place on the funnel."""
    for code, n in (("metropolitan", 600), ("west-midlands", 90), ("merseyside", 30), ("cheshire", 7)):
        add_searches(force(code), APRIL, {"White": 300, "Black": n, "Asian": 20})
    period = national.national_query(from_month="2024-04", to_month="2024-04")
    public = national.national_report(period, public=True)
    black = {f["force"]: f["groups"]["Black"]["searches"] for f in public["forces"] if f["months_covered"]}
    assert black == {"metropolitan": 600, "west-midlands": 90, "merseyside": None, "cheshire": None}
    assert public["england_and_wales"]["groups"]["Black"]["searches"] == 727
    mersey = row(public, "merseyside")
    assert mersey["groups"]["Black"]["rate_ratio_vs_white"] is None
    assert "Black" not in mersey["compare"]
    assert "Asian" in mersey["compare"]
    # Merseyside's total is still shown: its hidden cells add up to 30. Cheshire's would give its 7 away.
    assert mersey["total"] == 350
    assert row(public, "cheshire")["total"] is None


def swap(org: Any, source: str, target: str, n: int) -> None:
    moved = list(EncounterRecord.objects.filter(force=org, ethnic_group=source).values_list("pk", flat=True)[:n])
    EncounterRecord.objects.filter(pk__in=moved).update(ethnic_group=target)
    versions.records_changed(org.pk)


def test_the_public_report_does_not_change_when_hidden_counts_change_places(picture: dict[str, Any]) -> None:
    """Cheshire has Black 7 and Asian 3, Dorset Black 3 and Asian 7, all hidden. Move four of Cheshire's Black
    searches to Asian and four of Dorset's Asian to Black: every force's total and every England and Wales figure
    stay, so if anything public showed a hidden count (or something worked from one) it would change."""
    before = json.dumps(national.national_report(YEAR, public=True), sort_keys=True)
    swap(picture["cheshire"], "black", "asian", 4)
    swap(picture["dorset"], "asian", "black", 4)
    staff = national.national_report(YEAR)
    assert row(staff, "cheshire")["groups"]["Black"]["searches"] == 3
    assert row(staff, "dorset")["groups"]["Black"]["searches"] == 7
    after = json.dumps(national.national_report(YEAR, public=True), sort_keys=True)
    assert before == after


def test_the_public_funnel_uses_only_the_forces_it_shows(picture: dict[str, Any]) -> None:
    public = national.national_report(YEAR, public=True)
    staff = national.national_report(YEAR)
    shown = [f["force"] for f in public["forces"] if "Black" in f["compare"]]
    assert "cheshire" not in shown
    assert (
        public["comparison"]["Black"]["forces_compared"] == len(shown) < staff["comparison"]["Black"]["forces_compared"]
    )
    for f in public["forces"]:
        for c in f["compare"].values():
            assert c["rank"]["of"] <= len(shown)
            assert not math.isnan(c["ratio"])
