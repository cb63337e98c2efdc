"""The public transparency page of a force area (frontend/views/public_area.py): suppressed figures, the period,
published findings, "you said, we did", trust in shared form; and, over every public route, no count under 10.

The small force: over 2025, White 10 searches a month but 3 in March (so March's total is under 10), Black 14,
Asian 7, Mixed 3, Other 1, not stated 4, vehicle-only 2; the scenario of tests/permissions adds two White searches
in June 2025.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from frontend.charts import Table
from frontend.views.public_area import protect_month_totals
from panels.models import Organisation, Panel, User
from scrutiny import choices
from scrutiny.disproportionality import report as reporting
from scrutiny.models import EncounterRecord
from scrutiny.records import versions
from scrutiny.reviews.services import finding_publish
from surveys.loop.services import (
    recommendation_create,
    recommendation_publish,
    recommendation_respond,
    recommendation_send,
)
from tests.frontend.helpers import error_summary, page_text, visible
from tests.permissions.routes import ALLOW, project_routes
from tests.permissions.test_routes import RULES, Scenario, scenario  # noqa: F401  (the fixture, reused)
from tests.scrutiny.factories import make_batch, make_force, make_record
from tests.surveys.test_trust import respond, trust_survey

AREA = reverse("area-public", kwargs={"area": "cheshire"})
KINDS = ("rates", "ratios", "find-rates", "trend")
SMALL = {"Asian": 7, "Mixed": 3, "Other": 1}
# A single digit standing alone: not part of a longer number, a decimal or a date like 2025-03.
LONE_DIGIT = re.compile(r"(?<![\d.,\-])[1-9](?![\d.,%\-])")


def add_small_force(force: Organisation) -> None:
    batch = make_batch(force)

    def add(month: int, n: int, group: str, **extra: Any) -> None:
        for _ in range(n):
            make_record(batch, occurred_at=datetime(2025, month, 15, 12, tzinfo=UTC), ethnic_group=group, **extra)

    for month in range(1, 13):
        white = 3 if month == 3 else 10
        add(month, white, choices.EthnicGroup.WHITE, outcome=choices.Outcome.ARREST if month % 2 else "")
    add(5, 7, choices.EthnicGroup.BLACK)
    add(9, 7, choices.EthnicGroup.BLACK)
    # The small groups: alike in everything but their group, so that swapping groups changes nothing else.
    for month, group in [(4, "asian")] * 4 + [(7, "asian")] * 3 + [(8, "mixed")] * 3 + [(10, "other")]:
        add(month, 1, group)
    add(11, 4, choices.EthnicGroup.NOT_STATED)
    add(6, 2, choices.EthnicGroup.WHITE, vehicle_only=True)
    versions.records_changed(force.pk)


@pytest.fixture
def small(scenario: Scenario) -> Scenario:  # noqa: F811
    add_small_force(scenario.force)
    return scenario


@pytest.fixture
def area_force(panel: Panel) -> Organisation:
    force = make_force(code=panel.force_area.code)
    add_small_force(force)
    return force


def public_urls(s: Scenario) -> list[str]:
    """Every route a signed-out visitor may GET (by the permission rules), with the area's charts in every kind and
    for every period on offer."""
    urls = []
    for name, _ in project_routes():
        rule = RULES[name]
        if not any(c.method == "GET" and c.expected["anonymous"] == ALLOW for c in rule.checks):
            continue
        kwargs = rule.kwargs(s)
        if name in ("area-public-chart", "area-public-chart-csv"):
            urls += [reverse(name, kwargs={**kwargs, "kind": kind}) + q for kind in KINDS for q in ("", "?year=2024")]
        else:
            urls.append(reverse(name, kwargs=kwargs))
    urls += [AREA + "?year=2024", AREA + "?year=2025"]
    return urls


# What differs on every request: CSRF tokens (64 letters and digits) and a survey form's signed one-use token.
CSRF = re.compile(r"\b[A-Za-z0-9]{64}\b|(?<=\"form_token\":\")[^\"]+|(?<=name=\"form_token\" value=\")[^\"]+")


def fetch_all(urls: list[str]) -> dict[str, bytes]:
    client = Client()
    out = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302), f"{url}: {response.status_code}"
        out[url] = CSRF.sub("-", response.content.decode()).encode()
    return out


def first_difference(before: dict[str, bytes], after: dict[str, bytes], changed: list[str]) -> str:
    url = changed[0]
    a, b = before[url].decode(), after[url].decode()
    start = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y) if a[: len(b)] != b[: len(a)] else 0
    return f"{url}: ...{a[max(0, start - 80) : start + 80]!r} became ...{b[max(0, start - 80) : start + 80]!r}"


def lone_digits_in_words(text: str) -> list[str]:
    """In a text alternative: the ratio chart's "1 means the same rate as White" is not a count."""
    return LONE_DIGIT.findall(visible(text).replace("where 1 means", ""))


def lone_digits_in_tables(content: str) -> list[str]:
    found = []
    for table in re.findall(r"<table\b.*?</table>", content, re.DOTALL):
        for cell in re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", table, re.DOTALL):
            found += LONE_DIGIT.findall(visible(cell))
    return found


# --- no count under 10, anywhere public ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_public_route_changes_when_the_small_counts_change(small: Scenario) -> None:
    """Swap the counts of two suppressed groups (Asian 7, Mixed 3 -> Asian 3, Mixed 7): the year's total, each
    month's total and every shown figure stay, so if any public page, chart, table or CSV carried a small count (or
    anything worked from one) it would differ."""
    urls = public_urls(small)
    assert any("/public/areas/" in u for u in urls)
    before = fetch_all(urls)
    moved = EncounterRecord.objects.filter(ethnic_group="asian", month=dt.date(2025, 4, 1)).values_list("pk", flat=True)
    assert len(moved) == 4
    EncounterRecord.objects.filter(pk__in=list(moved)).update(ethnic_group="mixed")
    versions.records_changed(small.force.pk)
    assert reporting.disproportionality_report(["cheshire"], "2025-01", "2025-12")["groups"]["Mixed"]["searches"] == 7
    after = fetch_all(urls)
    changed = [u for u in urls if before[u] != after[u]]
    assert not changed, (
        f"public responses that depend on a count under 10: {changed}\n{first_difference(before, after, changed)}"
    )


@pytest.mark.django_db
def test_no_public_table_csv_or_chart_text_shows_a_count_under_10(small: Scenario) -> None:
    client = Client()
    checked = 0
    for url in public_urls(small):
        if "/public/areas/" not in url:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if url.split("?")[0].endswith(".csv"):
            table = Table.from_csv(body)
            small_cells = [v for row in table.rows for v in row if isinstance(v, int) and 0 < v < 10]
            assert not small_cells, f"{url}: {small_cells}"
        elif url.split("?")[0].endswith(".svg"):
            desc = re.search(r"<desc[^>]*>(.*?)</desc>", body, re.DOTALL)
            assert desc, url
            assert not lone_digits_in_words(desc.group(1)), f"{url}: {desc.group(1)}"
            assert "<text" not in body  # the words are paths: the numbers drawn are those of the table
        else:
            assert not lone_digits_in_tables(body), f"{url}: {lone_digits_in_tables(body)}"
            for alt in re.findall(r'<img [^>]*alt="([^"]*)"', body):
                assert not lone_digits_in_words(alt), f"{url}: {alt}"
        checked += 1
    assert checked == 2 * len(KINDS) * 2 + 3


@pytest.mark.django_db
def test_the_area_page_shows_the_larger_groups_and_hides_the_small_ones(
    client: Client, area_force: Organisation
) -> None:
    response = client.get(AREA)
    assert response.status_code == 200
    report = reporting.public_disproportionality_report(["cheshire"], "2025-01", "2025-12")
    content = response.content.decode()
    rows = {
        g: visible(row)
        for g, row in re.findall(r'<tr class="govuk-table__row" data-group="(\w+)">(.*?)</tr>', content, re.DOTALL)
    }
    assert report["groups"]["White"]["searches"] == 113
    assert rows["White"].startswith("White 113 ")
    assert rows["Black"].startswith("Black 14 ")
    assert "Unstable" in rows["Black"]
    for group in SMALL:
        assert report["groups"][group]["searches"] is None
        assert rows[group].startswith(f"{group} fewer than 10 ")
        assert "Not shown: fewer than 10 searches" in rows[group]
    # Four cells hidden (three groups and not stated), so the total is shown.
    assert report["total"] == 113 + 14 + 7 + 3 + 1 + 4
    assert "142 searches" in page_text(response)
    assert "the 12 months from January 2025 to December 2025" in page_text(response)


@pytest.mark.django_db
def test_a_months_total_is_hidden_when_it_would_give_a_small_number_away(
    client: Client, area_force: Organisation
) -> None:
    response = client.get(reverse("area-public-chart-csv", kwargs={"area": "cheshire", "kind": "trend"}))
    table = Table.from_csv(response.content.decode())
    searches = {row[0]: row[1] for row in table.rows}
    # March has 3 searches. April to November each have a group of 1 to 9 (Asian 4, Black 7, Asian 3, Mixed 3,
    # Black 7, Other 1, not stated 4): each month's total less its White 10 would give that group away, so those
    # totals are hidden too. January, February, June and December hold only White's 10 (the hidden groups add up
    # to 0, which identifies nobody); the hidden months add up to 102, so no further month need be hidden.
    shown = {month: n for month, n in searches.items() if n is not None}
    assert shown == {"2025-01": 10, "2025-02": 10, "2025-06": 10, "2025-12": 10}


def test_protect_month_totals_hides_months_until_the_hidden_ones_add_up_to_10_or_more() -> None:
    def totals(values: list[int | None], year: int | None) -> list[int | None]:
        months = [{"month": f"2025-{i + 1:02d}", "total": v} for i, v in enumerate(values)]
        return [m["total"] for m in protect_month_totals(months, year)]

    # One hidden month (3): the smallest shown (12) goes too; 15 hidden is enough.
    assert totals([30, None, 12, 40], 85) == [30, None, None, 40]
    # Two hidden months adding up to 4: still a count under 10, so one more; then 16.
    assert totals([None, None, 12, 40], 56) == [None, None, None, 40]
    # Hidden months adding up to nothing (0) are a count under 10 too.
    assert totals([None, None, 58], 58) == [None, None, None]
    # Hidden months adding up to 10 or more stay as they are; so does everything when the total is hidden.
    assert totals([None, None, 12, 40], 66) == [None, None, 12, 40]
    assert totals([30, None, 12, 40], None) == [30, None, 12, 40]
    assert totals([30, 12, 40], 82) == [30, 12, 40]


# --- the page --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_financial_year_can_be_chosen(client: Client, area_force: Organisation) -> None:
    response = client.get(AREA, {"year": "2025"})
    assert response.status_code == 200
    assert "April 2025 to March 2026" in page_text(response)
    assert '<option value="2024"' in response.content.decode()
    csv = client.get(reverse("area-public-chart-csv", kwargs={"area": "cheshire", "kind": "trend"}), {"year": "2025"})
    assert Table.from_csv(csv.content.decode()).rows[0][0] == "2025-04"


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["2019", "twenty", "2025-26"])
def test_a_year_without_figures_is_a_400_saying_which_years_there_are(
    client: Client, area_force: Organisation, year: str
) -> None:
    response = client.get(AREA, {"year": year})
    assert response.status_code == 400
    assert f'"{year}" is not a financial year with figures here. Years on offer: 2025, 2024.' in error_summary(response)
    chart = client.get(reverse("area-public-chart", kwargs={"area": "cheshire", "kind": "rates"}), {"year": year})
    assert chart.status_code == 400


@pytest.mark.django_db
def test_an_unknown_area_is_404_and_every_force_area_has_a_page(client: Client, area_force: Organisation) -> None:
    assert client.get(reverse("area-public", kwargs={"area": "atlantis"})).status_code == 404
    # Every force exists from the first migrate, so every force area has a public page, figures or not.
    response = client.get(reverse("area-public", kwargs={"area": "west-midlands"}))
    assert response.status_code == 200
    assert "No stop and search figures for this area yet." in page_text(response)
    assert client.get(reverse("area-public-chart", kwargs={"area": "cheshire", "kind": "pie"})).status_code == 404


@pytest.mark.django_db
def test_the_area_is_found_by_its_code_too(client: Client, area_force: Organisation) -> None:
    assert client.get(reverse("area-public", kwargs={"area": "E23000006"})).status_code == 200


@pytest.mark.django_db
def test_an_area_with_a_public_panel_but_no_records_says_so(client: Client, panel: Panel) -> None:
    response = client.get(AREA)
    assert response.status_code == 200
    assert "No stop and search figures for this area yet." in page_text(response)


@pytest.mark.django_db
def test_it_shows_published_findings_and_you_said_we_did_and_nothing_unpublished(
    client: Client, small: Scenario, coordinator: User
) -> None:
    text = page_text(client.get(AREA))
    assert small.finding.title not in text
    finding_publish(finding=small.finding, by=coordinator)
    draft = recommendation_create(panel=small.panel, title="Record the grounds", body="Every time.", by=coordinator)
    hidden = recommendation_create(panel=small.panel, title="Not yet sent", body="Later.", by=coordinator)
    recommendation_send(recommendation=draft)
    recommendation_respond(
        recommendation=draft,
        decision="accepted",
        response="Officers will be briefed.",
        due_by=dt.date.today() + dt.timedelta(days=30),
        by=coordinator,
    )
    recommendation_publish(recommendation=draft)
    text = page_text(client.get(AREA))
    assert small.finding.title in text
    assert "Record the grounds" in text
    assert "Officers will be briefed." in text
    assert hidden.title not in text


@pytest.mark.django_db
def test_trust_is_shown_in_shared_form(
    client: Client, area_force: Organisation, panel: Panel, coordinator: User
) -> None:
    spring = trust_survey(panel, coordinator, "Spring listening")
    respond(spring, coordinator, dt.date(2026, 3, 10), 30, good_job="good", ethnic="13")
    respond(spring, coordinator, dt.date(2026, 3, 10), 20, good_job="poor", ethnic="13")
    autumn = trust_survey(panel, coordinator, "Autumn listening")
    respond(autumn, coordinator, dt.date(2026, 9, 10), 30, good_job="good", ethnic="13")
    respond(autumn, coordinator, dt.date(2026, 9, 10), 4, good_job="poor", ethnic="13")  # 4: hidden
    response = client.get(AREA)
    text = page_text(response)
    assert "Trust and confidence" in text
    assert "60% (46% to 72%)" in text  # 30 of 50, Wilson
    assert "not shown" in text
    assert "88%" not in text  # 30 of 34, hidden
    assert not lone_digits_in_tables(response.content.decode())


@pytest.mark.django_db
def test_the_public_panel_pages_link_the_area_page(client: Client, panel: Panel) -> None:
    assert f'href="{AREA}"' in client.get(reverse("public-panels")).content.decode()
    assert f'href="{AREA}"' in client.get(panel.get_public_url()).content.decode()


@pytest.mark.django_db
def test_the_methods_page_states_the_denominators_and_rules(client: Client) -> None:
    text = page_text(client.get(reverse("public-methods")))
    assert "Census 2021" in text
    assert "Searches of a vehicle only, with no person searched, are left out." in text
    assert "count in the total but in no group" in text
    assert "No count under 10 is shown." in text


@pytest.mark.django_db
def test_the_area_page_counts_in_the_database(
    client: Client, area_force: Organisation, django_assert_num_queries: Any
) -> None:
    """The area, its forces, its public panels, the months with data, the forces of the query (5); a grouped query
    over the records for the year and one for the months (2, none once cached); per panel its findings,
    recommendations, surveys and trust questions (4); how the force compares: the national report's forces and
    coverage (2) and its one grouped query over every force's records (1, none once cached)."""
    cache.clear()
    with django_assert_num_queries(14) as cold:
        assert client.get(AREA).status_code == 200
    assert sum("GROUP BY" in q["sql"] for q in cold.captured_queries) == 3
    with django_assert_num_queries(11):
        assert client.get(AREA).status_code == 200
