"""Escalation pages for each kind of person: the force liaison officer sees only their force's escalations and never
any member's scores; the panel accepts or disputes; the OPCC officer reads the area's report and exports it (CSV,
PDF, audited); outsiders get nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from panels.models import Organisation, Panel, StaffRole, User
from scrutiny.models import (
    ActionTaken,
    Assessment,
    AuditEvent,
    Escalation,
    EscalationStatus,
    Finding,
)
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PanelFactory,
    StaffRoleFactory,
    UserFactory,
    enrol_totp,
    force_area,
)
from tests.frontend.helpers import banners, error_summary, page_text
from tests.scrutiny.factories import make_batch, make_escalation, make_finding, make_force, make_record, make_session

OTHER_AREA = "E23000001"


def staff(organisation: Organisation, role: str, email: str) -> User:
    user = UserFactory.create(email=email)
    StaffRoleFactory.create(user=user, organisation=organisation, role=role)
    enrol_totp(user)
    return user


def escalated(panel: Panel, force: Organisation, by: User, title: str) -> Escalation:
    session = make_session(panel, [make_record(make_batch(force))], by=by, title=f"{title} session")
    finding = make_finding(panel, session=session, items=list(session.items.all()), by=by)
    Finding.objects.filter(pk=finding.pk).update(title=title)
    finding.refresh_from_db()
    return make_escalation(finding, force=force, by=by)


@pytest.fixture
def force(panel: Panel) -> Organisation:
    return make_force(code=panel.force_area.code)


@pytest.fixture
def liaison(force: Organisation) -> User:
    return staff(force, StaffRole.Role.FORCE_LIAISON, "liaison@force.example.org")


@pytest.fixture
def opcc(panel: Panel) -> User:
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=panel.force_area)
    return staff(office, StaffRole.Role.OPCC_OFFICER, "officer@opcc.example.org")


@pytest.fixture
def escalation(panel: Panel, force: Organisation, coordinator: User, member: User) -> Escalation:
    e = escalated(panel, force, coordinator, "Grounds not recorded")
    item = e.finding.items.get()
    Assessment.objects.create(
        item=item, member=member, status="submitted", grounds="not_reasonable", grade=5, comment="MEMBER-SCORE-NOTE"
    )
    return e


@pytest.fixture
def elsewhere(db: None) -> Escalation:
    """An escalation to another force, from a panel in another force area."""
    other_panel = PanelFactory.create(force_area=force_area(OTHER_AREA))
    chair = MembershipFactory.create(panel=other_panel, role="coordinator").user
    other_force = make_force(code=OTHER_AREA, police_uk_id="metropolitan", name="Metropolitan Police Service")
    return escalated(other_panel, other_force, chair, "Searches in another area")


def detail_url(e: Escalation) -> str:
    return reverse("escalation-detail", kwargs={"pk": e.pk})


def step_url(e: Escalation, step: str) -> str:
    return reverse("escalation-step", kwargs={"pk": e.pk, "step": step})


def post_step(client: Client, e: Escalation, step: str, **fields: Any) -> Any:
    e.refresh_from_db()
    data = {f"{step}-version": e.version, **{f"{step}-{k}": v for k, v in fields.items()}}
    return client.post(step_url(e, step), data)


# --- the force liaison officer ----------------------------------------------------------------------------------


def test_a_force_liaison_sees_only_their_forces_escalations(
    client: Client, liaison: User, escalation: Escalation, elsewhere: Escalation
) -> None:
    client.force_login(liaison)
    listing = page_text(client.get(reverse("escalation-list")))
    assert "Grounds not recorded" in listing
    assert "Searches in another area" not in listing
    assert client.get(detail_url(escalation)).status_code == 200
    other = client.get(detail_url(elsewhere))
    assert other.status_code == 404
    assert "Searches in another area" not in other.content.decode()
    assert post_step(client, elsewhere, "acknowledge").status_code == 404


def test_a_force_liaison_never_sees_who_scored_what(
    client: Client, liaison: User, escalation: Escalation, member: User
) -> None:
    record = escalation.finding.items.get().record
    record.grounds_text = "Smelt cannabis outside the library."
    record.officer_pseudonym = "OFFICER-PSEUDONYM"
    record.save()
    client.force_login(liaison)
    response = client.get(detail_url(escalation))
    content, text = response.content.decode(), page_text(response)
    assert escalation.finding.observation in text
    assert "Legislation" in text  # the record's published data.police.uk fields
    for secret in (str(member), member.email, "MEMBER-SCORE-NOTE", "Not reasonable", "outside the library"):
        assert secret not in content
    assert "OFFICER-PSEUDONYM" not in content
    # Nor can they reach the panel's finding, session or records pages.
    assert client.get(reverse("finding-detail", kwargs={"pk": escalation.finding.pk})).status_code == 404
    assert client.get(reverse("finding-list", kwargs={"slug": escalation.finding.panel.slug})).status_code == 403
    assert client.get(reverse("record-detail", kwargs={"pk": record.pk})).status_code in (403, 404)


def test_the_liaison_acknowledges_and_responds_and_the_panel_accepts(
    client: Client, liaison: User, coordinator: User, member: User, escalation: Escalation
) -> None:
    client.force_login(liaison)
    page = page_text(client.get(detail_url(escalation)))
    assert "Acknowledge" in page
    assert "Accept the response" not in page
    assert post_step(client, escalation, "acknowledge").status_code == 302
    response = post_step(client, escalation, "respond", response="The officer was spoken to.", action_taken="training")
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert (escalation.status, escalation.action_taken) == (EscalationStatus.RESPONDED, ActionTaken.TRAINING)
    assert post_step(client, escalation, "accept").status_code == 403  # the panel decides, not the force

    client.force_login(member)
    assert post_step(client, escalation, "accept").status_code == 403  # only the chair and coordinators
    client.force_login(coordinator)
    response = client.post(
        step_url(escalation, "accept"), {"accept-version": escalation.version, "accept-note": "Thank you."}, follow=True
    )
    assert "accept the response" in banners(response)
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.ACCEPTED
    timeline = page_text(response)
    for status in ("Acknowledged", "Responded", "Response accepted"):
        assert status in timeline
    assert str(liaison) in timeline  # who took each step


def test_no_action_without_a_reason_is_refused_with_the_reason_asked_for(
    client: Client, liaison: User, escalation: Escalation
) -> None:
    client.force_login(liaison)
    response = post_step(client, escalation, "respond", response="Reviewed.", action_taken="no_action")
    assert response.status_code == 400
    assert "Give the reason no action was taken" in error_summary(response)
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.SENT


def test_a_step_from_a_stale_page_is_refused(client: Client, liaison: User, escalation: Escalation) -> None:
    client.force_login(liaison)
    stale = escalation.version
    assert post_step(client, escalation, "acknowledge").status_code == 302
    response = client.post(
        step_url(escalation, "respond"),
        {"respond-version": stale, "respond-response": "Done.", "respond-action_taken": "training"},
        follow=True,
    )
    assert "Someone else has moved this escalation on" in page_text(response)
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.ACKNOWLEDGED


def test_the_panel_disputes_and_the_opcc_is_told(
    client: Client, liaison: User, coordinator: User, opcc: User, escalation: Escalation
) -> None:
    client.force_login(liaison)
    post_step(client, escalation, "respond", response="No action.", action_taken="no_action", no_action_reason="x")
    client.force_login(coordinator)
    assert post_step(client, escalation, "dispute", note="Not good enough.").status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.DISPUTED
    client.force_login(opcc)
    assert "Close the escalation" in page_text(client.get(detail_url(escalation)))
    assert post_step(client, escalation, "close", outcome="resolved").status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.CLOSED


# --- the OPCC officer -------------------------------------------------------------------------------------------


def test_the_opcc_officer_reads_the_report_of_their_area_only(
    client: Client, opcc: User, escalation: Escalation, elsewhere: Escalation
) -> None:
    client.force_login(opcc)
    text = page_text(client.get(reverse("escalation-report")))
    assert "Grounds not recorded" in text
    assert "Searches in another area" not in text
    assert client.get(detail_url(escalation)).status_code == 200
    assert client.get(detail_url(elsewhere)).status_code == 404


def test_the_report_exports_as_csv_and_pdf_and_each_export_is_audited(
    client: Client, opcc: User, escalation: Escalation
) -> None:
    client.force_login(opcc)
    response = client.get(reverse("escalation-report-csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["finding"] for r in rows] == ["Grounds not recorded"]
    assert rows[0]["status"] == "Sent to the force"

    pdf = client.get(reverse("escalation-report-pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 1000

    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, actor=opcc)
    assert sorted(e.detail["format"] for e in exports) == ["csv", "pdf"]
    assert all(e.panel_id is None and e.detail["rows"] == 1 for e in exports)


def test_the_pdf_contains_the_figures(client: Client, opcc: User, escalation: Escalation) -> None:
    import zlib

    client.force_login(opcc)
    pdf = client.get(reverse("escalation-report-pdf")).content
    # fpdf2 compresses page streams: inflate them to read the text.
    text = b""
    for chunk in pdf.split(b"stream")[1:]:
        body = chunk.split(b"endstream")[0].strip(b"\r\n")
        try:
            text += zlib.decompress(body)
        except zlib.error:
            text += body
    assert b"Escalations" in text
    assert b"Overdue" in text
    assert b"Grounds not recorded" in text


@pytest.mark.parametrize("name", ["escalation-report", "escalation-report-csv", "escalation-report-pdf"])
def test_only_opcc_officers_read_the_report(
    client: Client, name: str, liaison: User, coordinator: User, member: User, outsider: User, escalation: Escalation
) -> None:
    for user in (liaison, coordinator, member, outsider):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403, user
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


# --- outsiders --------------------------------------------------------------------------------------------------


def test_an_outsider_gets_nothing_from_any_escalation_route(
    client: Client, outsider: User, escalation: Escalation
) -> None:
    client.force_login(outsider)
    assert client.get(reverse("escalation-list")).status_code == 403
    assert client.get(detail_url(escalation)).status_code == 404
    for step in ("acknowledge", "respond", "accept", "dispute", "close"):
        assert post_step(client, escalation, step).status_code == 404
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.SENT


def test_a_force_liaison_finds_their_escalations_from_the_dashboard(
    client: Client, liaison: User, escalation: Escalation
) -> None:
    client.force_login(liaison)
    response = client.get(reverse("dashboard"))
    assert reverse("escalation-list") in response.content.decode()


# --- query counts -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["escalation-list", "escalation-report"])
def test_the_list_and_report_pages_make_the_same_number_of_queries_for_one_or_many(
    client: Client,
    name: str,
    panel: Panel,
    force: Organisation,
    coordinator: User,
    opcc: User,
    django_assert_max_num_queries: Any,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    escalated(panel, force, coordinator, "First")
    client.force_login(opcc)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(name)).status_code == 200
    for n in range(4):
        escalated(panel, force, coordinator, f"More {n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse(name))
    assert page_text(response).count("More ") == 4


def test_an_overdue_escalation_is_flagged_in_the_inbox_and_on_its_page(
    client: Client, liaison: User, escalation: Escalation
) -> None:
    from datetime import date

    Escalation.objects.filter(pk=escalation.pk).update(due_date=date(2020, 1, 6))
    client.force_login(liaison)
    assert "Overdue" in page_text(client.get(reverse("escalation-list")))
    assert "Overdue" in page_text(client.get(detail_url(escalation)))


def test_the_force_sees_which_side_took_each_step_never_which_member(
    client: Client, escalation: Escalation, liaison: User, opcc: User, coordinator: User
) -> None:
    sender = escalation.events.get(step="sent").actor_label
    assert sender == str(coordinator)
    for reader in (liaison, opcc):
        client.force_login(reader)
        page = page_text(client.get(detail_url(escalation)))
        assert sender not in page
        assert escalation.finding.panel.name in page
    client.force_login(coordinator)
    assert sender in page_text(client.get(detail_url(escalation)))
