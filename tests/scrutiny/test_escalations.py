"""Escalations: sending with a working-day due date, each step as a timeline entry, conflicts, reminders, the
OPCC report (figures, CSV, PDF) and the anonymised public view of findings."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from panels.models import Organisation, Panel, StaffRole, User
from scrutiny.escalations import report as reports
from scrutiny.escalations import services as escalation_services
from scrutiny.escalations.selectors import escalation_timeline
from scrutiny.escalations.services import EscalationConflict, StepInput, escalation_step, escalations_remind
from scrutiny.escalations.workdays import add_working_days
from scrutiny.models import ActionTaken, Escalation, EscalationOutcome, EscalationStatus, Finding
from scrutiny.reviews.selectors import public_findings
from scrutiny.reviews.services import ReviewError, finding_publish
from tests.factories import OrganisationFactory, StaffRoleFactory, UserFactory, enrol_totp
from tests.scrutiny.factories import make_batch, make_escalation, make_finding, make_force, make_record, make_session


@pytest.fixture
def notified(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, dict[str, Any]]]:
    sent: list[tuple[int, dict[str, Any]]] = []
    monkeypatch.setattr(
        escalation_services, "notify_user_on_commit", lambda *, user_id, payload: sent.append((user_id, payload))
    )
    return sent


@pytest.fixture
def force(panel: Panel) -> Organisation:
    return make_force(code=panel.force_area.code)


@pytest.fixture
def liaison(force: Organisation) -> User:
    user = UserFactory.create(email="liaison@force.example.org")
    StaffRoleFactory.create(user=user, organisation=force, role=StaffRole.Role.FORCE_LIAISON)
    enrol_totp(user)
    return user


@pytest.fixture
def opcc(panel: Panel) -> User:
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=panel.force_area)
    user = UserFactory.create(email="officer@opcc.example.org")
    StaffRoleFactory.create(user=user, organisation=office, role=StaffRole.Role.OPCC_OFFICER)
    enrol_totp(user)
    return user


@pytest.fixture
def finding(panel: Panel, force: Organisation, coordinator: User) -> Finding:
    record = make_record(make_batch(force))
    session = make_session(panel, [record], by=coordinator)
    return make_finding(panel, session=session, items=list(session.items.all()), by=coordinator)


@pytest.fixture
def escalation(finding: Finding, force: Organisation, coordinator: User, liaison: User) -> Escalation:
    return make_escalation(finding, force=force, by=coordinator)


def backdate(escalation: Escalation, sent: date, working_days: int = 20) -> Escalation:
    Escalation.objects.filter(pk=escalation.pk).update(
        sent_at=datetime(sent.year, sent.month, sent.day, 10, tzinfo=UTC),
        due_date=add_working_days(sent, working_days),
    )
    escalation.refresh_from_db()
    return escalation


# --- sending and steps ------------------------------------------------------------------------------------------


def test_sending_sets_the_due_date_from_the_panels_working_days_and_tells_the_liaison(
    finding: Finding, force: Organisation, coordinator: User, liaison: User, notified: list[Any]
) -> None:
    finding.panel.escalation_working_days = 5
    finding.panel.save()
    escalation = make_escalation(finding, force=force, by=coordinator)
    assert escalation.due_date == add_working_days(timezone.localdate(escalation.sent_at), 5)
    assert escalation.status == EscalationStatus.SENT
    [event] = escalation.events.all()
    assert (event.step, event.actor) == ("sent", coordinator)
    assert [uid for uid, _ in notified] == [liaison.pk]
    assert notified[0][1]["url"] == f"/escalations/{escalation.pk}/"


def test_a_force_outside_the_panels_area_is_refused(finding: Finding, coordinator: User) -> None:
    elsewhere = make_force(code="E23000001", police_uk_id="metropolitan", name="Metropolitan Police Service")
    with pytest.raises(ReviewError, match="force area"):
        make_escalation(finding, force=elsewhere, by=coordinator)


def test_every_step_is_a_timeline_entry_with_who_and_when(
    escalation: Escalation, liaison: User, coordinator: User, opcc: User, notified: list[Any]
) -> None:
    escalation_step(escalation=escalation, step="acknowledge", by=liaison, data=StepInput(version=escalation.version))
    escalation.refresh_from_db()
    escalation_step(
        escalation=escalation,
        step="respond",
        by=liaison,
        data=StepInput(
            version=escalation.version,
            response="The officer was given feedback.",
            action_taken=ActionTaken.OFFICER_FEEDBACK,
        ),
    )
    escalation.refresh_from_db()
    escalation_step(
        escalation=escalation, step="dispute", by=coordinator, data=StepInput(note="Feedback alone is not enough.")
    )
    escalation_step(
        escalation=escalation, step="close", by=opcc, data=StepInput(outcome=EscalationOutcome.PARTLY_RESOLVED)
    )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.CLOSED
    assert escalation.referred_to_opcc_at is not None
    steps = [(e.step, e.actor) for e in escalation.events.all()]
    assert steps == [
        ("sent", coordinator),
        ("acknowledge", liaison),
        ("respond", liaison),
        ("dispute", coordinator),
        ("close", opcc),
    ]
    assert all(e.at is not None for e in escalation.events.all())
    assert opcc.pk in [uid for uid, _ in notified]  # the dispute goes to the OPCC


def test_the_panels_timeline_never_shows_an_email_address(
    escalation: Escalation, liaison: User, coordinator: User
) -> None:
    User.objects.filter(pk__in=[coordinator.pk, liaison.pk]).update(name="")
    liaison.refresh_from_db()
    escalation_step(escalation=escalation, step="acknowledge", by=liaison, data=StepInput(version=escalation.version))
    # An entry written before names were required to be shown stored the email address: it is not shown either.
    escalation.events.filter(step="sent").update(actor_label=coordinator.email)
    shown = [who for _, who in escalation_timeline(escalation, panel_view=True)]
    assert shown == [escalation.finding.panel.name, escalation.force.name]
    assert not any("@" in who for who in shown)


def test_the_panel_sees_its_own_peoples_names(
    finding: Finding, force: Organisation, coordinator: User, liaison: User
) -> None:
    User.objects.filter(pk=coordinator.pk).update(name="Cara Coordinator")
    coordinator.refresh_from_db()
    escalation = make_escalation(finding, force=force, by=coordinator)
    shown = [who for _, who in escalation_timeline(escalation, panel_view=True)]
    assert shown == ["Cara Coordinator"]
    assert [who for _, who in escalation_timeline(escalation, panel_view=False)] == [finding.panel.name]


def test_a_step_from_an_out_of_date_page_is_refused(escalation: Escalation, liaison: User) -> None:
    version = escalation.version
    escalation_step(escalation=escalation, step="acknowledge", by=liaison, data=StepInput(version=version))
    with pytest.raises(EscalationConflict):
        escalation_step(
            escalation=escalation,
            step="respond",
            by=liaison,
            data=StepInput(version=version, response="x", action_taken="training"),
        )


def test_no_action_needs_a_reason(escalation: Escalation, liaison: User) -> None:
    with pytest.raises(ReviewError, match="reason"):
        escalation_step(
            escalation=escalation,
            step="respond",
            by=liaison,
            data=StepInput(response="Reviewed.", action_taken=ActionTaken.NO_ACTION),
        )


# --- reminders --------------------------------------------------------------------------------------------------


def test_an_overdue_escalation_is_reminded_once_a_day(
    escalation: Escalation,
    liaison: User,
    coordinator: User,
    notified: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    backdate(escalation, date(2026, 10, 1))  # due 29 October 2026
    notified.clear()
    today = date(2026, 11, 2)
    assert escalation.is_overdue(today)
    with django_capture_on_commit_callbacks(execute=True):
        sent = escalations_remind(today=today, base_url="https://scrutiny.example.org")
    assert [r.escalation.pk for r in sent] == [escalation.pk]
    assert sent[0].days_overdue == 2  # Fri 30 Oct, Mon 2 Nov
    escalation.refresh_from_db()
    assert escalation.last_reminded_on == today
    assert escalation.events.last().step == "reminder"  # type: ignore[union-attr]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([liaison.email, coordinator.email])
    assert f"https://scrutiny.example.org/escalations/{escalation.pk}/" in mail.outbox[0].body
    assert {uid for uid, _ in notified} == {liaison.pk, coordinator.pk}

    with django_capture_on_commit_callbacks(execute=True):
        assert escalations_remind(today=today) == []
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert len(escalations_remind(today=today + timedelta(days=1))) == 1
    assert len(mail.outbox) == 4


def test_an_answered_or_not_yet_due_escalation_is_not_reminded(escalation: Escalation, liaison: User) -> None:
    backdate(escalation, date(2026, 10, 1))
    assert escalations_remind(today=date(2026, 10, 29)) == []  # due that day: not yet overdue
    escalation_step(
        escalation=escalation, step="respond", by=liaison, data=StepInput(response="Done.", action_taken="training")
    )
    assert escalations_remind(today=date(2026, 11, 2)) == []


# --- the OPCC report --------------------------------------------------------------------------------------------


def test_the_report_counts_open_overdue_response_times_and_outcomes(
    escalation: Escalation, liaison: User, coordinator: User
) -> None:
    backdate(escalation, date(2026, 3, 30))  # Mon 30 Mar 2026
    Escalation.objects.filter(pk=escalation.pk).update(
        status=EscalationStatus.ACCEPTED,
        responded_at=datetime(2026, 4, 8, 12, tzinfo=UTC),  # Wed 8 Apr: 5 working days (Easter skipped)
        action_taken=ActionTaken.TRAINING,
    )
    report = reports.escalation_report(Escalation.objects.all(), today=date(2026, 11, 23))
    assert (report.total, report.open, report.overdue, report.responded) == (1, 1, 0, 1)
    assert report.rows[0].response_days == 5
    assert report.median_response_days == 5
    assert ("Training", 1) in report.by_action

    rows = list(csv.reader(io.StringIO(reports.report_csv(report))))
    assert rows[0] == list(reports.CSV_HEADER)
    assert rows[1][rows[0].index("response_working_days")] == "5"
    pdf = reports.report_pdf(report, title="Escalations: Cheshire")
    assert pdf.startswith(b"%PDF")


def test_an_overdue_escalation_counts_as_overdue(escalation: Escalation) -> None:
    backdate(escalation, date(2026, 10, 1))
    report = reports.escalation_report(Escalation.objects.all(), today=date(2026, 11, 2))
    assert (report.open, report.overdue, report.awaiting_force) == (1, 1, 1)


# --- public findings --------------------------------------------------------------------------------------------


def test_public_findings_are_only_the_published_ones_with_only_published_record_fields(
    panel: Panel, finding: Finding, coordinator: User
) -> None:
    assert public_findings(panel) == []
    item = finding.items.get()
    item.record.grounds_text = "Smelt cannabis near the park."
    item.record.officer_pseudonym = "OFFICER-PSEUDONYM"
    item.record.save()
    finding_publish(finding=finding, by=coordinator)
    [public] = public_findings(panel)
    shown = " ".join(f"{label} {value}" for label, value in public.records[0])
    assert "Legislation" in shown
    assert "cannabis near the park" not in shown
    assert "OFFICER-PSEUDONYM" not in shown


def test_a_title_that_looks_like_a_formula_is_not_run_by_a_spreadsheet(escalation: Escalation) -> None:
    Finding.objects.filter(pk=escalation.finding_id).update(title='=HYPERLINK("http://evil")')
    report = reports.escalation_report(Escalation.objects.select_related("finding", "force"), today=date(2026, 11, 2))
    rows = list(csv.reader(io.StringIO(reports.report_csv(report))))
    assert rows[1][3] == '\'=HYPERLINK("http://evil")'
