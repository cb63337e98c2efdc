"""The national comparison pages (frontend/views/national.py): who may read the staff page, what both pages show
against the report, the period, group and order chosen, bad choices, the funnel charts and CSVs, the queries they
make, and, over every public national route, no count under 10.

The picture (April 2024 to March 2025, the latest 12 months with data): the Metropolitan Police, West Midlands and
Merseyside with large counts; Cheshire (Black 7, Asian 3) and Dorset (Black 3, Asian 7) with small ones; British
Transport Police; the rest hold nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from frontend.charts import Table
from frontend.pack import Quarter, build_pack, pack_pdf
from frontend.views.national import comparison_summary, force_rows
from panels.models import Organisation, Panel, StaffRole, User
from scrutiny.disproportionality import national
from scrutiny.models import AuditEvent, EncounterRecord
from scrutiny.records import versions
from tests.factories import OrganisationFactory, StaffRoleFactory, UserFactory, enrol_totp
from tests.frontend.helpers import error_summary, page_text, visible
from tests.scrutiny.national_support import add_searches, force, months

STAFF = reverse("national-report")
PUBLIC = reverse("national-public")
APRIL, MAY = date(2024, 4, 1), date(2024, 5, 1)
FY = months(APRIL, 12)
YEAR = national.national_query(year=2024)
GROUPS = ("black", "asian", "mixed", "other")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def picture(db: None) -> dict[str, Organisation]:
    met, wm, mersey = force("metropolitan"), force("west-midlands"), force("merseyside")
    add_searches(
        met,
        APRIL,
        {"White": 400, "Black": 300, "Asian": 120, "Mixed": 60, "Other": 30, "not stated": 40},
        arrests={"White": 60, "Black": 50, "Asian": 15, "Mixed": 10, "Other": 10},
        vehicle_only=12,
    )
    add_searches(wm, APRIL, {"White": 150, "Black": 60, "Asian": 90, "Mixed": 20, "Other": 12, "not stated": 10})
    add_searches(mersey, MAY, {"White": 300, "Black": 30, "Asian": 15, "Mixed": 14, "Other": 11, "not stated": 20})
    cheshire, dorset = force("cheshire"), force("dorset")
    for i, month in enumerate(FY):
        add_searches(cheshire, month, {"White": 12, "Black": int(i < 7), "Asian": int(7 <= i < 10)})
        add_searches(dorset, month, {"White": 12, "Black": int(i < 3), "Asian": int(3 <= i < 10)})
    add_searches(force("btp"), APRIL, {"White": 70, "Black": 40})
    return {"met": met, "wm": wm, "mersey": mersey, "cheshire": cheshire, "dorset": dorset}


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def row_cells(content: str, police_uk_id: str) -> dict[str, str]:
    row = re.search(rf'<tr class="govuk-table__row" data-force="{police_uk_id}">(.*?)</tr>', content, re.DOTALL)
    assert row, f"no row for {police_uk_id}"
    return {k: visible(v) for k, v in re.findall(r'data-field="([a-z_0-9]+)">(.*?)</td>', row.group(1), re.DOTALL)}


def order_of_forces(content: str) -> list[str]:
    table = re.search(r'<table[^>]*id="forces-table".*?</table>', content, re.DOTALL)
    assert table
    return re.findall(r'data-force="([a-z-]+)"', table.group(0))


# --- who may read the staff page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_staff_page_is_for_the_roles_that_read_reports(
    client: Client, picture: dict[str, Organisation], panel: Panel, coordinator: User, member: User, outsider: User
) -> None:
    assert signed_in(Client(), coordinator).get(STAFF).status_code == 200
    for user in (member, outsider):
        response = signed_in(Client(), user).get(STAFF)
        assert response.status_code == 403
        assert "Only coordinators, OPCC officers" in response.content.decode()
    assert "/accounts/login/" in client.get(STAFF)["Location"]
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=panel.force_area)
    officer = StaffRoleFactory.create(organisation=office, role=StaffRole.Role.OPCC_OFFICER).user
    liaison = StaffRoleFactory.create(organisation=picture["met"], role=StaffRole.Role.FORCE_LIAISON).user
    staff = UserFactory.create(is_staff=True)
    for user in (officer, liaison, staff):
        enrol_totp(user)
        assert signed_in(Client(), user).get(STAFF).status_code == 200, user
    # The chart routes and the CSV refuse the same people.
    for url in (reverse("national-report-chart", kwargs={"group": "black"}), reverse("national-report-csv")):
        assert signed_in(Client(), outsider).get(url).status_code == 403
        assert signed_in(Client(), member).get(url).status_code == 403


# --- what the pages show -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_staff_page_shows_every_force_with_small_counts_beside_england_and_wales(
    picture: dict[str, Organisation], coordinator: User
) -> None:
    response = signed_in(Client(), coordinator).get(STAFF)
    content = response.content.decode()
    text = page_text(response)
    report = national.national_report(YEAR)
    assert "Not for publication: counts under 10 are shown" in text
    assert "England and Wales, April 2024 to March 2025" in text
    assert report["england_and_wales"]["label"] in text
    names = {f["force"]: f["name"] for f in report["forces"]}
    assert order_of_forces(content) == sorted(names, key=lambda i: names[i])
    assert len(order_of_forces(content)) == 43
    cheshire = row_cells(content, "cheshire")
    assert cheshire["searches"] == "7"
    met = report["forces"][[f["force"] for f in report["forces"]].index("metropolitan")]
    c = met["compare"]["Black"]
    cells = row_cells(content, "metropolitan")
    assert cells["searches"] == "300"
    assert cells["ratio"].startswith(f"{met['groups']['Black']['rate_ratio_vs_white']:,.2f}")
    assert cells["position"].lower() == c["position_text"]
    assert cells["rank"].startswith(f"{c['rank']['rank']}")
    # Each force leads to its area's public page; British Transport Police has its own section, without rates.
    assert f'href="{reverse("area-public", kwargs={"area": "cheshire"})}"' in content
    assert "no resident population" in text
    assert 'id="btp-table"' in content
    # The four funnel charts, each an image of its SVG route with its text alternative.
    for group in GROUPS:
        assert f'id="chart-{group}"' in content
        assert reverse("national-report-chart", kwargs={"group": group}) in content
    assert "Forces vary" in text or "Too few forces" in text


@pytest.mark.django_db
def test_the_public_page_shows_the_same_forces_with_small_counts_hidden(
    client: Client, picture: dict[str, Organisation]
) -> None:
    response = client.get(PUBLIC)
    assert response.status_code == 200
    content = response.content.decode()
    text = page_text(response)
    assert "Not for publication" not in text
    assert "Counts under 10 are not shown" in text
    assert row_cells(content, "cheshire")["searches"] == "not shown"
    assert row_cells(content, "cheshire")["ratio"] == "–"
    assert row_cells(content, "metropolitan")["searches"] == "300"
    assert reverse("national-public-chart", kwargs={"group": "black"}) in content


@pytest.mark.django_db
def test_the_period_group_and_order_can_be_chosen(client: Client, picture: dict[str, Organisation]) -> None:
    response = client.get(PUBLIC, {"year": "2024", "group": "asian", "sort": "ratio"})
    assert response.status_code == 200
    text = page_text(response)
    assert "England and Wales, April 2024 to March 2025" in text
    assert "How each force compares: Asian and White people" in text
    report = national.national_report(YEAR, public=True)
    expected = [r["force"] for r in force_rows(report, "Asian", "ratio")]
    assert order_of_forces(response.content.decode()) == expected
    ratios = [r["group"]["rate_ratio_vs_white"] for r in force_rows(report, "Asian", "ratio")]
    shown = [r for r in ratios if r is not None]
    assert shown == sorted(shown, reverse=True)
    assert ratios[: len(shown)] == shown  # forces without a ratio come last


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "1999"}, '"1999" is not a financial year with figures here. Years on offer: 2024.'),
        ({"group": "white"}, "Compare one of Black, Asian, Mixed, Other with White."),
        ({"sort": "worst"}, "Order the forces by one of: name, ratio, volume, rate."),
    ],
)
def test_a_bad_choice_is_a_400_saying_what_is_wrong(
    client: Client, picture: dict[str, Organisation], params: dict[str, str], message: str
) -> None:
    response = client.get(PUBLIC, params)
    assert response.status_code == 400
    assert error_summary(response) == message
    assert 'id="forces-table"' not in response.content.decode()


@pytest.mark.django_db
def test_with_no_records_the_pages_say_so(client: Client, coordinator: User) -> None:
    assert "No stop and search figures yet." in page_text(client.get(PUBLIC))
    assert "No stop and search figures yet." in page_text(signed_in(Client(), coordinator).get(STAFF))
    assert client.get(reverse("national-public-chart", kwargs={"group": "black"})).status_code == 404
    assert client.get(reverse("national-public-csv")).status_code == 404


# --- charts and CSVs --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_funnel_chart_is_an_svg_with_its_text_alternative_and_its_table_as_csv(
    client: Client, picture: dict[str, Organisation], coordinator: User
) -> None:
    staff = signed_in(Client(), coordinator)
    for group in GROUPS:
        svg = staff.get(reverse("national-report-chart", kwargs={"group": group}))
        assert svg.status_code == 200
        assert svg["Content-Type"] == "image/svg+xml"
        assert b'role="img"' in svg.content
        got = staff.get(reverse("national-report-chart-csv", kwargs={"group": group}))
        table = Table.from_csv(got.content.decode())
        assert table.rows[0][0] == "England and Wales"
        assert got["Content-Disposition"] == f'attachment; filename="national-funnel-{group}-2024-04-to-2025-03.csv"'
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, actor=coordinator).count() == 4
    black = Table.from_csv(staff.get(reverse("national-report-chart-csv", kwargs={"group": "black"})).content.decode())
    names = [r[0] for r in black.rows]
    assert "Cheshire Constabulary" in names  # 7 searches: shown to staff
    public_csv = client.get(reverse("national-public-chart-csv", kwargs={"group": "black"}))
    public = Table.from_csv(public_csv.content.decode())
    assert "Cheshire Constabulary" not in [r[0] for r in public.rows]
    assert client.get(reverse("national-public-chart", kwargs={"group": "white"})).status_code == 404
    selected = client.get(reverse("national-public-chart-csv", kwargs={"group": "black"}), {"force": "metropolitan"})
    rows = {r[0]: r for r in Table.from_csv(selected.content.decode()).rows}
    assert rows["Metropolitan Police Service"][-1] == "selected force"


@pytest.mark.django_db
def test_the_forces_csv_holds_every_force_and_england_and_wales(
    client: Client, picture: dict[str, Organisation], coordinator: User
) -> None:
    got = signed_in(Client(), coordinator).get(reverse("national-report-csv"), {"year": "2024"})
    assert got.status_code == 200
    table = Table.from_csv(got.content.decode())
    assert [r[0] for r in table.rows][:1] == ["England and Wales"]
    assert len(table.rows) == 1 + 43 + 1
    by_name = {r[0]: dict(zip(table.header, r, strict=True)) for r in table.rows}
    report = national.national_report(YEAR)
    met = national.force_comparison(report, "metropolitan")
    assert met is not None
    assert by_name[met["name"]]["Black searches"] == 300
    assert by_name[met["name"]]["Black/White rate ratio"] == met["groups"]["Black"]["rate_ratio_vs_white"]
    assert by_name["Cheshire Constabulary"]["Black searches"] == 7
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).count() == 1
    public = Table.from_csv(client.get(reverse("national-public-csv")).content.decode())
    cheshire = dict(zip(public.header, next(r for r in public.rows if r[0] == "Cheshire Constabulary"), strict=True))
    assert cheshire["Black searches"] is None


# --- queries -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pages_make_the_same_few_queries_however_many_forces_have_data(
    client: Client, picture: dict[str, Organisation], coordinator: User, django_assert_num_queries: Any
) -> None:
    staff = signed_in(Client(), coordinator)
    staff.get(STAFF)  # the session and the user, cached figures warmed
    client.get(PUBLIC)
    # Five for any signed-in page (the session, the user and the two-factor middleware's three checks), three for
    # the reading check (reporting_access: staff roles twice, then the forces), then the forces and the coverage;
    # the figures come from the cache.
    with django_assert_num_queries(10):
        assert staff.get(STAFF).status_code == 200
    with django_assert_num_queries(1):  # a visitor: the forces (their data versions key the page kept)
        assert client.get(PUBLIC).status_code == 200
    for code in ("kent", "essex", "sussex", "surrey", "devon-and-cornwall", "avon-and-somerset"):
        add_searches(force(code), APRIL, {"White": 40, "Black": 20, "Asian": 15})
    cache.clear()
    # Cold: the forces, the months with data, the one grouped query over the records and the coverage.
    with django_assert_num_queries(4):
        assert client.get(PUBLIC).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(PUBLIC).status_code == 200


@pytest.mark.django_db
def test_a_visitors_copy_of_the_public_page_is_kept_until_the_records_change(
    client: Client, picture: dict[str, Organisation], coordinator: User
) -> None:
    first = client.get(PUBLIC).content
    assert client.get(PUBLIC).content == first
    # Signed-in people get their own navigation, never a visitor's copy.
    assert b"Sign out" in signed_in(Client(), coordinator).get(PUBLIC).content
    assert b"Sign out" not in client.get(PUBLIC).content
    add_searches(picture["wm"], MAY, {"White": 50, "Black": 40})
    versions.records_changed(picture["wm"].pk)
    after = client.get(PUBLIC).content
    assert after != first
    assert row_cells(after.decode(), "west-midlands") != row_cells(first.decode(), "west-midlands")


# --- no count under 10 on any public national route -----------------------------------------------------------------


def public_national_urls() -> list[str]:
    urls = []
    for query in ({}, {"year": "2024"}):
        suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
        urls.append(PUBLIC + suffix)
        urls.append(reverse("national-public-csv") + suffix)
        for group in GROUPS:
            joiner = "&" if suffix else "?"
            urls.append(PUBLIC + (suffix + joiner if suffix else "?") + f"group={group}&sort=ratio")
            for name in ("national-public-chart", "national-public-chart-csv"):
                url = reverse(name, kwargs={"group": group}) + suffix
                urls += [url, url + f"{joiner}force=cheshire", url + f"{joiner}force=metropolitan"]
    return urls


def fetch(urls: list[str]) -> dict[str, bytes]:
    client = Client()
    out = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), f"{url}: {response.status_code}"
        out[url] = response.content
    return out


def swap(org: Organisation, source: str, target: str, n: int) -> None:
    moved = list(EncounterRecord.objects.filter(force=org, ethnic_group=source).values_list("pk", flat=True)[:n])
    EncounterRecord.objects.filter(pk__in=moved).update(ethnic_group=target)
    versions.records_changed(org.pk)


@pytest.mark.django_db
def test_no_public_national_route_changes_when_hidden_counts_change_places(picture: dict[str, Organisation]) -> None:
    """Cheshire's Black 7 and Asian 3 become 3 and 7, Dorset's the other way round: every total stays, so a public
    page, chart, table or CSV that carried a hidden count, or anything worked from one, would change."""
    urls = public_national_urls()
    before = fetch(urls)
    assert sum(1 for body in before.values() if body) == len(urls)
    swap(picture["cheshire"], "black", "asian", 4)
    swap(picture["dorset"], "asian", "black", 4)
    # No cache.clear(): the reports are cached by data version (which the swap changed), and the chart images by
    # the data drawn, so an image is drawn again exactly when its numbers change (SVG ids differ on every drawing).
    cheshire = national.force_comparison(national.national_report(YEAR), "cheshire")
    assert cheshire is not None
    assert cheshire["groups"]["Black"]["searches"] == 3
    after = fetch(urls)
    changed = [u for u in urls if before[u] != after[u]]
    assert not changed, f"public national routes that depend on a count under 10: {changed}"


# --- how a force compares, on its area's page and in the pack ---------------------------------------------------------


@pytest.mark.django_db
def test_the_area_page_says_how_its_force_compares(client: Client, picture: dict[str, Organisation]) -> None:
    response = client.get(reverse("area-public", kwargs={"area": "merseyside"}), {"year": "2024"})
    assert response.status_code == 200
    content = response.content.decode()
    text = page_text(response)
    assert "How Merseyside Police compares with other forces" in text
    report = national.national_report(YEAR, public=True)
    groups = national.how_force_compares(report, "merseyside")
    assert groups is not None
    black = groups[0]
    assert black.group == "Black"
    assert black.shown
    section = re.search(r'<dl class="govuk-summary-list" data-compare="merseyside">(.*?)</dl>', content, re.DOTALL)
    assert section
    row = re.search(r'data-group="Black">(.*?)</div>', section.group(1), re.DOTALL)
    assert row
    words = visible(row.group(1))
    assert f"{black.ratio:,.2f} times as likely as White people" in words
    assert black.position_label in words
    assert f"Rank: {black.rank_text}." in words
    assert 'href="/public/national/?year=2024&amp;force=merseyside#forces"' in content


@pytest.mark.django_db
def test_a_force_with_small_counts_is_not_compared_on_its_public_page(
    client: Client, picture: dict[str, Organisation]
) -> None:
    response = client.get(reverse("area-public", kwargs={"area": "cheshire"}), {"year": "2024"})
    content = response.content.decode()
    section = re.search(r'data-compare="cheshire">(.*?)</dl>', content, re.DOTALL)
    assert section
    black = re.search(r'data-group="Black">(.*?)</div>', section.group(1), re.DOTALL)
    assert black
    assert "Not compared: too few searches of Black or White people to show" in visible(black.group(1))
    assert "times as likely" not in visible(black.group(1))


@pytest.mark.django_db
def test_the_national_page_marks_the_force_it_was_opened_for(client: Client, picture: dict[str, Organisation]) -> None:
    response = client.get(PUBLIC, {"force": "merseyside"})
    content = response.content.decode()
    row = re.search(r'data-force="merseyside">(.*?)</th>', content, re.DOTALL)
    assert row
    assert "Selected" in visible(row.group(1))
    assert f"{reverse('national-public-chart', kwargs={'group': 'black'})}?force=merseyside" in content
    bad = client.get(PUBLIC, {"force": "northshire"})
    assert bad.status_code == 400
    assert error_summary(bad) == 'Unknown force "northshire": give its data.police.uk id, e.g. cheshire.'


@pytest.mark.django_db
def test_the_pack_says_how_the_force_compares_over_the_year_to_the_quarters_end(
    picture: dict[str, Organisation],
) -> None:
    area = picture["mersey"].force_area
    assert area is not None
    pack = build_pack(area, Quarter(2025, 1), today=date(2025, 5, 1))
    section = pack.disproportionality
    assert section.comparison_period == "April 2024 to March 2025"
    [comparison] = section.comparisons
    assert comparison.groups == national.how_force_compares(national.national_report(YEAR, public=True), "merseyside")
    [item] = section.comparison_charts
    assert item.key == "funnel-black-merseyside"
    rows = {r[0]: r for r in item.chart.table.rows}
    assert rows["Merseyside Police"][-1] == "selected force"
    assert "Cheshire Constabulary" not in rows  # hidden in public
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pack_pdf(pack))).pages)
    assert "How Merseyside Police compares with other forces" in text


def test_the_comparison_is_summed_up_in_words() -> None:
    comparison: dict[str, Any] = {
        "reference_ratio": 3.1,
        "forces_compared": 43,
        "positions": {"high_outlier": 5, "low_outlier": 1, "high_alert": 2, "low_alert": 0, "within": 35},
        "overdispersion": {"phi": 14.2, "p_value": 1e-9, "overdispersed": True, "tau2": 0.08, "forces": 43},
    }
    rows = [{"compare": {"outside_limits_allowing_overdispersion": i < 2}} for i in range(43)]
    summary = comparison_summary(comparison, rows)
    assert summary["positions_sentence"] == (
        "Of the 43 forces compared: 5 forces above the 99.8% limits and 1 force below them (outliers), 2 forces "
        "between the 95% and 99.8% limits (alerts), and 35 forces within the limits."
    )
    assert summary["dispersion_sentence"].startswith(
        "Forces vary more than chance alone explains (over-dispersion 14.2, where 1 is chance alone; test p < 0.001)."
    )
    assert "2 forces are still outside the 99.8% limits" in summary["dispersion_sentence"]
    comparison["overdispersion"] = {"phi": 1.1, "p_value": 0.31, "overdispersed": False, "tau2": 0.0, "forces": 43}
    assert comparison_summary(comparison, rows)["dispersion_sentence"].startswith(
        "Forces vary no more than chance explains (over-dispersion 1.1, where 1 is chance alone; test p = 0.310)"
    )
