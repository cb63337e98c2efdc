"""The PCC's quarterly pack (frontend/pack/, frontend/views/pack.py): built from the demo data it prints as a real
PDF whose last page is the methods; each chart draws to an image of the size asked and its table holds the numbers of
the statistics it was drawn from; counts under 10 are not shown; only the area's OPCC officers and its panels'
coordinators read it; a bad quarter is a 400 saying why, an unknown area a 404, and nothing is stored for either."""

from __future__ import annotations

import io
import re
import struct
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pytest_django.fixtures import Settings

from frontend.pack import IMAGE_SIZE, Pack, Quarter, QuarterError, build_pack, cell_text, pack_pdf, parse_quarter
from frontend.pack.pdf import METHODS_HEADING, latin1
from panels.models import ForceArea, Membership, Organisation, Panel, StaffRole, User
from scrutiny import choices
from scrutiny.disproportionality.report import (
    disproportionality_report,
    monthly_trend,
    public_disproportionality_report,
)
from scrutiny.models import AuditEvent, EncounterRecord, Escalation, Finding, GroundsRating, SessionRecord
from surveys.building.models import Survey
from surveys.loop.models import Recommendation, RecommendationUpdate
from surveys.results.trust import trust_report
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PanelFactory,
    StaffRoleFactory,
    UserFactory,
    enrol_totp,
)
from tests.frontend.helpers import page_text, visible
from tests.scrutiny.factories import (
    area_of,
    make_batch,
    make_escalation,
    make_finding,
    make_force,
    make_record,
    make_session,
)
from tests.surveys.factories import make_survey

pytestmark = pytest.mark.django_db

CHESHIRE = "E23000006"
DEMO_QUARTER = Quarter(2025, 3)  # the demo's records run from June to September 2025


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def rows_by_first(pack: Pack, key: str) -> dict[Any, tuple[Any, ...]]:
    chart = next(c.chart for c in pack.charts() if c.key == key)
    return {row[0]: row for row in chart.table.rows}


@pytest.fixture
def demo(settings: Settings) -> ForceArea:
    settings.DEBUG = True
    call_command("loaddemo", stdout=io.StringIO())
    return ForceArea.objects.get(code=CHESHIRE)


# --- the demo pack -----------------------------------------------------------------------------------------------


def test_the_demo_pack_prints_as_a_pdf_whose_charts_and_tables_hold_the_statistics(demo: ForceArea) -> None:
    today = timezone.localdate()
    pack = build_pack(demo, DEMO_QUARTER, today=today)
    data = pack_pdf(pack)

    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == data.count(b"/Type /Page\n") >= 8
    assert METHODS_HEADING in pages[-1]
    assert "Open Government Licence v3.0" in pages[-1]
    assert "Vehicle-only searches are excluded" in pages[-1]
    assert all(METHODS_HEADING not in text for text in pages[1:-1])
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "1. Disproportionality in stop and search" in "".join(pages)

    # Each chart draws to a non-empty image of the size asked, and is printed with its caption and its table.
    keys = [c.key for c in pack.charts()]
    # No trust wave had begun by September 2025; the funnel places Cheshire among the forces (docs/national.md).
    assert keys == ["rates", "ratios", "find-rates", "trend", "funnel-black-cheshire"]
    for item in pack.charts():
        png = item.chart.image("png", IMAGE_SIZE)
        assert len(png) > 5_000
        assert png_size(png) == IMAGE_SIZE
        assert png_size(item.chart.image("png", (800, 450))) == (800, 450)
        assert item.chart.image("svg").lstrip().startswith(b"<?xml")
        page = next(text for text in pages if latin1(item.chart.title) in text)
        for row in item.chart.table.rows:
            for value in row:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    assert cell_text(item.chart.kind, value) in page, (item.key, value)

    # The tables hold the statistics' own numbers: the report for the quarter, suppressed where it is public.
    full = disproportionality_report(["cheshire"], "2025-07", "2025-09")
    public = public_disproportionality_report(["cheshire"], "2025-07", "2025-09")
    assert full["total"] > 1000
    rates = rows_by_first(pack, "rates")
    ratios = rows_by_first(pack, "ratios")
    finds = rows_by_first(pack, "find-rates")
    shown_somewhere = hidden_somewhere = False
    for group, entry in full["groups"].items():
        shown = public["groups"][group]["searches"] is not None
        shown_somewhere |= shown
        hidden_somewhere |= not shown
        _, searches, population, rate, note = rates[group]
        assert population == entry["population"]
        if shown:
            assert (searches, rate) == (entry["searches"], entry["rate_per_1000"])
        else:
            assert (searches, rate, note) == (None, None, "fewer than 10")
        if group != "White":
            _, ratio, low, high, _ = ratios[group]
            expected = (entry["rate_ratio_vs_white"], *entry["rate_ratio_ci95"]) if shown else (None, None, None)
            assert (ratio, low, high) == expected
        _, share, low, high, _ = finds[group]  # no base column: the report has no find-rate denominator
        if public["groups"][group]["find_rate"] is not None:
            assert (share, low, high) == (entry["find_rate"], *entry["find_rate_ci95"])
        else:
            assert share is None
    assert shown_somewhere

    trend = monthly_trend(["cheshire"], "2024-10", "2025-09")
    months = rows_by_first(pack, "trend")
    assert list(months) == [m["month"] for m in trend["months"]]
    for month in trend["months"]:
        _, searches, ratio, low, high, _ = months[month["month"]]
        assert searches == (month["total"] if month["total"] >= 10 else None)
        black = month["groups"]["Black"]
        if ratio is not None:
            assert (ratio, low, high) == (black["rate_ratio_vs_white"], *black["rate_ratio_ci95"])
    assert sum(1 for row in months.values() if row[1]) == 4  # June to September 2025 have records


def test_the_demo_pack_for_this_quarter_carries_the_reviews_escalations_consultation_and_trust(
    demo: ForceArea, client: Client
) -> None:
    today = timezone.localdate()
    quarter = Quarter.of_day(today)
    pack = build_pack(demo, quarter, today=today)

    # The demo's session is dated next week: planned, not held.
    assert pack.reviews.sessions == []
    assert pack.reviews.findings == 1
    assert dict(pack.reviews.findings_by_rag)["Amber"] == 1
    assert pack.escalations.report.total == 1
    assert pack.escalations.report.open == 1
    [line] = pack.consultation.consultations
    assert line.responses_in_quarter == 60
    assert line.quote == "Nobody told me why they stopped me."
    [theme] = line.themes
    assert theme.name == "Not told why"
    assert theme.count is None  # fewer than 10 mentions: not shown
    assert dict(pack.consultation.by_decision)["Partly accepted"] == 1

    # Trust: the charts hold the shared (suppressed) trust report's shares.
    youth = Panel.objects.get(slug="cheshire-youth")
    shared = trust_report(youth).shared()
    time_chart = next(c.chart for c in pack.charts() if c.key == f"trust-time-{youth.pk}")
    wave = shared.waves[0]
    for measure in shared.measures[:3]:
        share = measure.overall[wave.key]
        [row] = [r for r in time_chart.table.rows if r[1] == measure.measure.label]
        assert row[3] == (None if share.suppressed else share.share)
        assert png_size(time_chart.image("png", IMAGE_SIZE)) == IMAGE_SIZE
    group_chart = next(c.chart for c in pack.charts() if c.key == f"trust-groups-{youth.pk}")
    assert png_size(group_chart.image("png", IMAGE_SIZE)) == IMAGE_SIZE

    # The OPCC officer reads it as a page and downloads the PDF; the download is audited.
    officer = User.objects.get(email="opcc@demo.example")
    enrol_totp(officer)
    client.force_login(officer)
    page = client.get(reverse("pack-detail", args=[CHESHIRE, quarter.slug]))
    assert page.status_code == 200
    text = page_text(page)
    for heading in ("1. Disproportionality", "2. What panels reviewed", "3. Escalations", "4. Youth consultation"):
        assert heading in text
    assert text.index("5. Trust and confidence") < text.index("6. Methods and denominators")
    assert "Nobody told me why they stopped me." in text
    assert 'role="img"' in page.content.decode()
    before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).count()
    pdf = client.get(reverse("pack-pdf", args=[CHESHIRE, quarter.slug]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert f'filename="pack-{CHESHIRE}-{quarter.slug}.pdf"' in pdf["Content-Disposition"]
    assert pdf.content.startswith(b"%PDF-")
    assert METHODS_HEADING in PdfReader(io.BytesIO(pdf.content)).pages[-1].extract_text()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).count() == before + 1


# --- small numbers -----------------------------------------------------------------------------------------------


@pytest.fixture
def small_force() -> Organisation:
    """A force with 30 White searches, 4 Black ones and 2 not stated in July 2025."""
    force = make_force()
    batch = make_batch(force)
    when = datetime(2025, 7, 10, 12, 0, tzinfo=UTC)
    for _ in range(30):
        make_record(batch, occurred_at=when, outcome_linked_to_object=False)
    for _ in range(4):
        make_record(batch, occurred_at=when, ethnic_group=choices.EthnicGroup.BLACK)
    for _ in range(2):
        make_record(batch, occurred_at=when, ethnic_group=choices.EthnicGroup.NOT_STATED)
    return force


def test_counts_under_10_are_not_shown_in_the_pack(small_force: Organisation, client: Client) -> None:
    area = area_of(small_force)
    pack = build_pack(area, DEMO_QUARTER, today=date(2026, 1, 5))
    rates = rows_by_first(pack, "rates")
    assert rates["White"][1] == 30
    assert rates["Black"][1:4:2] == (None, None)
    assert rates["Black"][4] == "fewer than 10"
    assert rows_by_first(pack, "ratios")["Black"][1] is None
    figures = {f.label: f.shown for f in pack.disproportionality.figures}
    assert figures["Of which ethnicity not stated (in the total, in no group)"] == "fewer than 10"
    # The hidden cells add up to under 10, so the total, less the groups shown, would give them away.
    assert (
        figures["Searches in the quarter (vehicle-only searches excluded)"]
        == "not shown: it would give a count under 10 away"
    )
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pack_pdf(pack))).pages)
    assert "fewer than 10" in pdf_text

    officer = opcc_officer(area)
    client.force_login(officer)
    page = client.get(reverse("pack-detail", args=[area.code, DEMO_QUARTER.slug]))
    assert page.status_code == 200
    table = re.search(r'<table[^>]*data-chart="rates".*?</table>', page.content.decode(), re.DOTALL)
    assert table is not None
    black = re.search(r">Black</th>(.*?)</tr>", table.group(0), re.DOTALL)
    assert black is not None
    assert [visible(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", black.group(1))] == [
        "–",
        f"{rates['Black'][2]:,}",
        "–",
        "fewer than 10",
    ]


def test_the_pack_counts_the_quarters_reviews_escalations_and_overdue_recommendations(
    small_force: Organisation, panel: Panel, coordinator: User
) -> None:
    records = list(EncounterRecord.objects.filter(force=small_force, ethnic_group=choices.EthnicGroup.WHITE)[:12])
    session = make_session(panel, records, by=coordinator)  # dated 1 July 2025
    items = list(session.items.order_by("position"))
    for i, item in enumerate(items[:11]):  # the twelfth is never revealed: left out of the shares
        item.revealed_at = timezone.now()
        item.agreed_grounds = GroundsRating.NOT_REASONABLE if i < 3 else GroundsRating.REASONABLE
        item.save()
    finding = make_finding(panel, session=session, items=items[:1], by=coordinator)
    escalation = make_escalation(finding, force=small_force, by=coordinator)
    Finding.objects.filter(pk=finding.pk).update(created_at=datetime(2025, 7, 2, 10, tzinfo=UTC))
    Escalation.objects.filter(pk=escalation.pk).update(
        sent_at=datetime(2025, 7, 3, 10, tzinfo=UTC), due_date=date(2025, 7, 31)
    )
    promised = {"panel": panel, "body": "Explain every search.", "sent_at": timezone.now()}
    Recommendation.objects.create(title="Awaiting", status=Recommendation.Status.AWAITING, **promised)
    late = Recommendation.objects.create(
        title="Late",
        status=Recommendation.Status.RESPONDED,
        decision=Recommendation.Decision.ACCEPTED,
        due_by=date(2025, 9, 1),
        responded_at=timezone.now(),
        **promised,
    )
    Recommendation.objects.create(title="Draft", **{**promised, "sent_at": None})  # never counted
    closed = make_survey(panel, by=coordinator, title="Closed in September", open_it=True)
    Survey.objects.filter(pk=closed.pk).update(
        status=Survey.Status.CLOSED, closes_at=datetime(2025, 9, 30, 22, 30, tzinfo=UTC)
    )
    make_survey(panel, by=coordinator, title="Still a draft")  # never listed

    pack = build_pack(area_of(small_force), DEMO_QUARTER, today=date(2026, 1, 5))
    reviews = pack.reviews
    assert reviews.sessions == [session]
    assert (reviews.records_sampled, reviews.records_reviewed) == (12, 11)
    grounds = {g.group: g for g in reviews.grounds}
    assert (grounds["White"].judged, grounds["White"].not_reasonable, grounds["White"].small) == (11, 3, False)
    assert grounds["Black"].judged == 0
    assert (reviews.findings, dict(reviews.findings_by_rag)["Red"]) == (1, 1)
    report = pack.escalations.report
    assert (report.total, report.open, report.overdue, report.responded) == (1, 1, 1, 0)
    consultation = pack.consultation
    assert [r.recommendation.title for r in consultation.recommendations] == ["Awaiting", "Late"]
    assert (consultation.awaiting, consultation.overdue) == (1, 1)
    assert dict(consultation.by_decision)["Accepted"] == 1
    [survey] = consultation.consultations  # closed at 23:30 on 30 September, UK time: in the quarter
    assert (survey.survey.title, survey.responses_in_quarter, survey.themes) == ("Closed in September", None, [])
    RecommendationUpdate.objects.create(
        recommendation=late, text="Done.", source=RecommendationUpdate.Source.OPCC, complete=True
    )
    assert build_pack(area_of(small_force), DEMO_QUARTER, today=date(2026, 1, 5)).consultation.overdue == 0
    # The next quarter held none of it.
    later = build_pack(area_of(small_force), Quarter(2025, 4), today=date(2026, 1, 5))
    assert (later.reviews.sessions, later.reviews.findings, later.escalations.report.total) == ([], 0, 0)
    assert later.escalations.open_from_before == 1
    assert later.consultation.consultations == []


def test_the_packs_queries_do_not_grow_with_the_quarters_sessions(
    small_force: Organisation, panel: Panel, coordinator: User
) -> None:
    area = area_of(small_force)
    records = list(EncounterRecord.objects.filter(force=small_force).order_by("pk")[:9])

    def hold(session_records: list[EncounterRecord]) -> None:
        session = make_session(panel, session_records, by=coordinator)
        SessionRecord.objects.filter(session=session).update(
            revealed_at=timezone.now(), agreed_grounds=GroundsRating.NOT_REASONABLE
        )

    def queries() -> int:
        build_pack(area, DEMO_QUARTER, today=date(2026, 1, 5))  # the reports' caches filled first
        with CaptureQueriesContext(connection) as captured:
            pack = build_pack(area, DEMO_QUARTER, today=date(2026, 1, 5))
        assert sum(g.judged for g in pack.reviews.grounds) == 3 * len(pack.reviews.sessions)
        return len(captured)

    hold(records[:3])
    one_session = queries()
    hold(records[3:6])
    hold(records[6:])
    assert queries() == one_session


# --- who may read it ---------------------------------------------------------------------------------------------


def opcc_officer(area: ForceArea, email: str = "officer@opcc.example.org") -> User:
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=area)
    user = UserFactory.create(email=email)
    StaffRoleFactory.create(user=user, organisation=office, role=StaffRole.Role.OPCC_OFFICER)
    enrol_totp(user)
    return user


def liaison_officer(force: Organisation, email: str) -> User:
    user = UserFactory.create(email=email)
    StaffRoleFactory.create(user=user, organisation=force, role=StaffRole.Role.FORCE_LIAISON)
    enrol_totp(user)
    return user


def urls(area: str, quarter: str = DEMO_QUARTER.slug) -> list[str]:
    return [reverse("pack-detail", args=[area, quarter]), reverse("pack-pdf", args=[area, quarter])]


def test_the_areas_opcc_officers_and_panel_coordinators_read_the_pack(
    small_force: Organisation, coordinator: User, client: Client
) -> None:
    area = area_of(small_force)
    for user in (opcc_officer(area), coordinator):
        client.force_login(user)
        listing = client.get(reverse("pack-list"))
        assert listing.status_code == 200
        assert reverse("pack-detail", args=[area.code, Quarter.latest_whole(timezone.localdate()).slug]) in (
            listing.content.decode()
        )
        for url in urls(area.code):
            assert client.get(url).status_code == 200, url


def test_outsiders_members_and_other_areas_staff_are_refused(
    small_force: Organisation, panel: Panel, member: User, outsider: User, client: Client
) -> None:
    area = area_of(small_force)
    other_area = ForceArea.objects.exclude(pk=area.pk).order_by("code").first()
    assert other_area is not None
    other_force = make_force(code=other_area.code, police_uk_id="elsewhere", name="Elsewhere Police")
    chair = MembershipFactory.create(panel=panel, role=Membership.Role.CHAIR).user
    other_coordinator = MembershipFactory.create(
        panel=PanelFactory.create(force_area=other_area), role=Membership.Role.COORDINATOR
    ).user
    enrol_totp(other_coordinator)
    refused = [
        outsider,
        member,
        chair,
        liaison_officer(other_force, "liaison@elsewhere.example.org"),
        # The area's own force is refused too: the pack is the OPCC's (docs/pack.md).
        liaison_officer(small_force, "liaison@cheshire.example.org"),
        opcc_officer(other_area, "officer@elsewhere.example.org"),
        other_coordinator,
    ]
    for user in refused:
        client.force_login(user)
        for url in urls(area.code):
            response = client.get(url)
            assert response.status_code == 403, (user.email, url)
            assert b"%PDF" not in response.content
    for user in (outsider, member, chair):
        client.force_login(user)
        assert client.get(reverse("pack-list")).status_code == 403
    client.logout()
    for url in [*urls(area.code), reverse("pack-list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


# --- bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quarter", "says"),
    [
        ("2025-Q5", "is not a quarter"),
        ("2025Q3", "is not a quarter"),
        ("Q3-2025", "is not a quarter"),
        ("1999-Q4", "before 2000"),
        ("2999-Q1", "has not started yet"),
    ],
)
def test_a_bad_quarter_is_refused_with_a_reason_and_nothing_stored(
    small_force: Organisation, client: Client, quarter: str, says: str
) -> None:
    area = area_of(small_force)
    client.force_login(opcc_officer(area))
    before = AuditEvent.objects.count()
    for url in urls(area.code, quarter):
        response = client.get(url)
        assert response.status_code == 400
        assert says in page_text(response)
        assert b"%PDF" not in response.content
    assert AuditEvent.objects.count() == before


def test_an_unknown_area_is_not_found(small_force: Organisation, client: Client) -> None:
    client.force_login(opcc_officer(area_of(small_force)))
    for url in urls("E99999999"):
        assert client.get(url).status_code == 404


def test_an_outsider_asking_for_a_bad_quarter_is_refused_before_it_is_read(
    small_force: Organisation, outsider: User, client: Client
) -> None:
    client.force_login(outsider)
    assert client.get(urls(area_of(small_force).code, "nonsense")[0]).status_code == 403


# --- quarters ----------------------------------------------------------------------------------------------------


def test_quarters_parse_and_span_their_months() -> None:
    today = date(2026, 2, 10)
    q = parse_quarter("2025-Q4", today=today)
    assert (q.first_day, q.last_day) == (date(2025, 10, 1), date(2025, 12, 31))
    assert (q.first_month, q.last_month) == (date(2025, 10, 1), date(2025, 12, 1))
    assert q.months_back(12) == date(2025, 1, 1)
    assert Quarter(2025, 1).months_back(12) == date(2024, 4, 1)
    assert Quarter.latest_whole(today) == Quarter(2025, 4)
    assert Quarter.latest_whole(date(2026, 4, 1)) == Quarter(2026, 1)
    assert parse_quarter("2026-Q1", today=today).label == "January to March 2026"  # started: to date
    start, end = Quarter(2025, 3).bounds()
    assert start.isoformat() == "2025-07-01T00:00:00+01:00"  # UK summer time
    assert end - start == timedelta(days=92)
    with pytest.raises(QuarterError, match="latest whole quarter is 2025-Q4"):
        parse_quarter("2026-Q2", today=today)
