"""The reporting page (frontend/views/reporting.py): who may read it, its numbers against the report, its charts'
SVG and CSV, the breakdowns, bad parameters, and the dashboard link."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from frontend.charts import Table
from panels.models import Organisation, Panel, StaffRole, User
from scrutiny import choices
from scrutiny.disproportionality import report as reporting
from scrutiny.models import AuditEvent
from scrutiny.records import versions
from tests.factories import OrganisationFactory, StaffRoleFactory, enrol_totp
from tests.frontend.helpers import error_summary, page_text, visible
from tests.scrutiny.factories import make_batch, make_force, make_record

PAGE = "/reports/"
PARAMS = {"force": "cheshire", "from": "2025-04", "to": "2025-06", "ethnicity": "self", "by": "none"}
# (group code, searches, of which arrests, of which outcome linked) in each of the three months
GROUPS = [
    (choices.EthnicGroup.WHITE, 30, 3, 6),
    (choices.EthnicGroup.BLACK, 12, 2, 1),
    (choices.EthnicGroup.ASIAN, 4, 1, 0),
    (choices.EthnicGroup.MIXED, 2, 0, 1),
]


@pytest.fixture
def force(panel: Panel) -> Organisation:
    force = make_force(code=panel.force_area.code)
    batch = make_batch(force)
    for month in (4, 5, 6):
        for code, n, arrests, linked in GROUPS:
            for i in range(n):
                make_record(
                    batch,
                    occurred_at=datetime(2025, month, 10, 12, tzinfo=UTC),
                    ethnic_group=code,
                    officer_defined_ethnicity=code,
                    outcome=choices.Outcome.ARREST if i < arrests else choices.Outcome.NO_FURTHER_ACTION,
                    outcome_linked_to_object=(i < linked) if i < 2 * linked + 1 else None,
                    legislation=choices.Legislation.PACE_S1 if i % 2 else choices.Legislation.MISUSE_OF_DRUGS_S23,
                )
        make_record(batch, occurred_at=datetime(2025, month, 11, tzinfo=UTC), ethnic_group="", vehicle_only=False)
        make_record(batch, occurred_at=datetime(2025, month, 12, tzinfo=UTC), vehicle_only=True)
    versions.records_changed(force.pk)
    return force


@pytest.fixture
def elsewhere(db: None) -> Organisation:
    return make_force(code="E23000034", police_uk_id="west-midlands", name="West Midlands Police")


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def opcc_officer(panel: Panel) -> User:
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=panel.force_area)
    user = StaffRoleFactory.create(organisation=office, role=StaffRole.Role.OPCC_OFFICER).user
    enrol_totp(user)
    return user


def cells(content: str, group: str) -> dict[str, str]:
    row = re.search(rf'<tr class="govuk-table__row" data-group="{group}">(.*?)</tr>', content, re.DOTALL)
    assert row, f"no row for {group}"
    return {k: visible(v) for k, v in re.findall(r'data-field="([a-z_0-9]+)">(.*?)</td>', row.group(1), re.DOTALL)}


def interval(pair: list[float] | None, places: int = 2) -> str:
    return "–" if pair is None else f"{pair[0]:,.{places}f} to {pair[1]:,.{places}f}"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.0f}%"


# --- who may read it -------------------------------------------------------------------------------------------------


CHART_URLS = [reverse("report-chart", kwargs={"kind": "rates"}), reverse("report-chart-csv", kwargs={"kind": "trend"})]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [PAGE, *CHART_URLS])
def test_it_refuses_members_and_outsiders_and_sends_anonymous_to_sign_in(
    client: Client, force: Organisation, member: User, outsider: User, url: str
) -> None:
    anonymous = client.get(url, PARAMS)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    for user in (member, outsider):
        assert signed_in(client, user).get(url, PARAMS).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("url", [PAGE, *CHART_URLS])
def test_it_refuses_a_force_outside_the_users_forces(
    client: Client, force: Organisation, elsewhere: Organisation, coordinator: User, url: str
) -> None:
    response = signed_in(client, coordinator).get(url, {**PARAMS, "force": ["cheshire", "west-midlands"]})
    assert response.status_code == 403


@pytest.mark.django_db
def test_an_opcc_officer_of_the_area_reads_it_and_one_of_another_area_does_not(
    client: Client, panel: Panel, force: Organisation, elsewhere: Organisation
) -> None:
    assert signed_in(client, opcc_officer(panel)).get(PAGE, PARAMS).status_code == 200
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=elsewhere.force_area)
    other = StaffRoleFactory.create(organisation=office, role=StaffRole.Role.OPCC_OFFICER).user
    enrol_totp(other)
    assert signed_in(Client(), other).get(PAGE, PARAMS).status_code == 403


@pytest.mark.django_db
def test_the_form_offers_only_the_users_forces(
    client: Client, force: Organisation, elsewhere: Organisation, coordinator: User
) -> None:
    content = signed_in(client, coordinator).get(PAGE, PARAMS).content.decode()
    assert 'value="cheshire"' in content
    assert "west-midlands" not in content


@pytest.mark.django_db
def test_the_dashboard_links_the_page_for_readers_only(
    client: Client, panel: Panel, coordinator: User, member: User, outsider: User
) -> None:
    dashboard = reverse("dashboard")
    # Every force area has its force from the first migrate, so a coordinator always has one to read.
    force = make_force(code=panel.force_area.code)
    liaison = StaffRoleFactory.create(organisation=force, role=StaffRole.Role.FORCE_LIAISON).user
    enrol_totp(liaison)
    for user in (coordinator, opcc_officer(panel), liaison):
        assert f'href="{PAGE}"' in signed_in(Client(), user).get(dashboard).content.decode()
    for user in (member, outsider):
        assert f'href="{PAGE}"' not in signed_in(Client(), user).get(dashboard).content.decode()


# --- the numbers -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("ethnicity", ["self", "officer"])
def test_the_headline_table_holds_the_reports_numbers(
    client: Client, force: Organisation, coordinator: User, ethnicity: str
) -> None:
    response = signed_in(client, coordinator).get(PAGE, {**PARAMS, "ethnicity": ethnicity})
    assert response.status_code == 200
    report = reporting.disproportionality_report(["cheshire"], "2025-04", "2025-06", ethnicity)
    content = response.content.decode()
    assert report["total"] == 3 * (30 + 12 + 4 + 2 + 1)
    assert f'data-field="total">{report["total"]:,}<' in content
    assert f'data-field="vehicle_only_excluded">{report["vehicle_only_excluded"]}<' in content
    for group, g in report["groups"].items():
        shown = cells(content, group)
        assert shown["searches"] == f"{g['searches']:,}"
        assert shown["population"] == f"{g['population']:,}"
        assert shown["rate_per_1000"] == f"{g['rate_per_1000']:,.2f}"
        assert shown["rate_ratio_vs_white"] == f"{g['rate_ratio_vs_white']:,.2f}"
        assert shown["rate_ratio_ci95"] == interval(g["rate_ratio_ci95"])
        assert shown["arrest_rate"].startswith(percent(g["arrest_rate"]))
        assert shown["find_rate"].startswith(percent(g["find_rate"]))


@pytest.mark.django_db
def test_it_shows_the_not_stated_share_and_the_ratios_bounds(
    client: Client, force: Organisation, coordinator: User
) -> None:
    response = signed_in(client, coordinator).get(PAGE, PARAMS)
    details = reporting.report_details(["cheshire"], "2025-04", "2025-06")
    content = response.content.decode()
    assert f"({100 * details['not_stated_share']:.1f}%)" in page_text(response)
    for group, bounds in details["rate_ratio_bounds_not_stated"].items():
        assert cells(content, group)["bounds"] == interval(bounds)


@pytest.mark.django_db
def test_the_staff_view_shows_small_counts_and_says_it_is_not_for_publication(
    client: Client, force: Organisation, coordinator: User
) -> None:
    response = signed_in(client, coordinator).get(PAGE, PARAMS)
    text = page_text(response)
    assert "Not for publication: counts under 10 are shown" in text
    assert cells(response.content.decode(), "Mixed")["searches"] == "6"


@pytest.mark.django_db
def test_a_first_visit_shows_the_users_forces_over_the_latest_12_months_with_data(
    client: Client, force: Organisation, coordinator: User
) -> None:
    response = signed_in(client, coordinator).get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="2024-07"' in content
    assert 'value="2025-06"' in content
    assert "2024-07 to 2025-06" in page_text(response)


@pytest.mark.django_db
def test_each_chart_has_its_text_alternative_table_and_links(
    client: Client, force: Organisation, coordinator: User
) -> None:
    content = signed_in(client, coordinator).get(PAGE, PARAMS).content.decode()
    for kind in ("rates", "ratios", "find-rates", "trend"):
        svg = reverse("report-chart", kwargs={"kind": kind})
        csv = reverse("report-chart-csv", kwargs={"kind": kind})
        assert re.search(rf'<img src="{re.escape(svg)}\?[^"]*force=cheshire[^"]*" alt="[^"]{{30,}}"', content)
        assert f'href="{csv}?' in content
        assert f'data-chart="{kind}"' in content


@pytest.mark.django_db
def test_the_chart_csv_holds_the_reports_numbers_exactly_and_is_audited(
    client: Client, force: Organisation, coordinator: User
) -> None:
    response = signed_in(client, coordinator).get(reverse("report-chart-csv", kwargs={"kind": "rates"}), PARAMS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = Table.from_csv(response.content.decode())
    report = reporting.disproportionality_report(["cheshire"], "2025-04", "2025-06")
    by_group = {row[0]: row for row in table.rows}
    for group, g in report["groups"].items():
        assert by_group[group][1:4] == (g["searches"], g["population"], g["rate_per_1000"])
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, actor=coordinator).count() == 1


@pytest.mark.django_db
def test_the_trend_csv_has_a_row_a_month_with_the_months_totals(
    client: Client, force: Organisation, coordinator: User
) -> None:
    response = signed_in(client, coordinator).get(reverse("report-chart-csv", kwargs={"kind": "trend"}), PARAMS)
    table = Table.from_csv(response.content.decode())
    assert [(r[0], r[1]) for r in table.rows] == [("2025-04", 49), ("2025-05", 49), ("2025-06", 49)]


@pytest.mark.django_db
def test_the_chart_svg_is_an_svg_with_the_text_alternative(
    client: Client, force: Organisation, coordinator: User
) -> None:
    response = signed_in(client, coordinator).get(reverse("report-chart", kwargs={"kind": "ratios"}), PARAMS)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert "<svg " in body
    assert "<desc " in body
    assert "Black" in body


@pytest.mark.django_db
def test_an_unknown_chart_is_404(client: Client, force: Organisation, coordinator: User) -> None:
    response = signed_in(client, coordinator).get(reverse("report-chart", kwargs={"kind": "pie"}), PARAMS)
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("by", "label"), [("legislation", "Police and Criminal Evidence Act 1984 (section 1)"), ("month", "2025-05")]
)
def test_a_breakdown_shows_each_category(
    client: Client, force: Organisation, coordinator: User, by: str, label: str
) -> None:
    response = signed_in(client, coordinator).get(PAGE, {**PARAMS, "by": by})
    assert response.status_code == 200
    breakdown = reporting.disproportionality_breakdown(["cheshire"], "2025-04", "2025-06", by=by)
    content = response.content.decode()
    table = re.search(r'<table[^>]*id="breakdown-searches".*?</table>', content, re.DOTALL)
    assert table
    rows = re.findall(r"<tr class=\"govuk-table__row\"><th scope=\"row\"[^>]*>(.*?)</th>", table.group(0))
    assert [visible(r) for r in rows] == [c["label"] for c in breakdown["categories"]]
    assert label in [c["label"] for c in breakdown["categories"]]


# --- bad parameters --------------------------------------------------------------------------------------------------


def expected_messages(**changes: Any) -> list[str]:
    values = {**PARAMS, **changes}
    try:
        reporting.report_query(
            [values["force"]] if values["force"] else [], values["from"], values["to"], values["ethnicity"]
        )
    except reporting.ReportQueryError as exc:
        return [m for messages in exc.errors.values() for m in messages]
    return []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"from": "2025-13"},
        {"to": "June"},
        {"from": "2025-07"},
        {"force": "atlantis"},
        {"force": ""},
        {"ethnicity": "both"},
    ],
)
def test_bad_parameters_are_a_400_with_the_reports_messages(
    client: Client, force: Organisation, coordinator: User, changes: dict[str, str]
) -> None:
    response = signed_in(client, coordinator).get(PAGE, {**PARAMS, **changes})
    assert response.status_code == 400
    summary = error_summary(response)
    messages = expected_messages(**changes)
    assert messages
    for message in messages:
        assert visible(message) in summary
    assert "govuk-form-group--error" in response.content.decode()


@pytest.mark.django_db
def test_a_bad_breakdown_is_a_400(client: Client, force: Organisation, coordinator: User) -> None:
    response = signed_in(client, coordinator).get(PAGE, {**PARAMS, "by": "postcode"})
    assert response.status_code == 400
    assert 'not "postcode"' in error_summary(response)


@pytest.mark.django_db
def test_a_chart_with_bad_parameters_is_a_400_saying_why(
    client: Client, force: Organisation, coordinator: User
) -> None:
    response = signed_in(client, coordinator).get(
        reverse("report-chart-csv", kwargs={"kind": "rates"}), {**PARAMS, "from": "2025-7"}
    )
    assert response.status_code == 400
    assert "is not a month" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


# --- queries ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_counts_in_the_database_one_grouped_query_per_table(
    client: Client, force: Organisation, coordinator: User, django_assert_num_queries: Any
) -> None:
    """Cold: the session, the user, the menu's role checks and the second factor (5); the forces the user may read
    (3: their staff roles twice, then the forces); the forces asked for (1); and one grouped query over the records
    per table (the period in each view of ethnicity, the months, the breakdown: 5). Cached: none over the records."""
    signed_in(client, coordinator)
    cache.clear()
    with django_assert_num_queries(14) as cold:
        assert client.get(PAGE, {**PARAMS, "by": "legislation"}).status_code == 200
    records = [q for q in cold.captured_queries if "scrutiny_encounterrecord" in q["sql"]]
    assert len(records) == 5
    assert all("GROUP BY" in q["sql"] for q in records)
    with django_assert_num_queries(9) as warm:
        assert client.get(PAGE, {**PARAMS, "by": "legislation"}).status_code == 200
    assert not [q for q in warm.captured_queries if "scrutiny_encounterrecord" in q["sql"]]
