"""manage.py sendreminders: overdue escalations flagged, an email and an in-app notification each, not twice a day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from panels.models import Panel, StaffRole, User
from scrutiny.escalations import services as escalation_services
from scrutiny.models import Escalation
from tests.factories import StaffRoleFactory, UserFactory, enrol_totp
from tests.scrutiny.factories import make_batch, make_escalation, make_finding, make_force, make_record, make_session


@pytest.fixture
def overdue(panel: Panel, coordinator: User) -> tuple[Escalation, User]:
    force = make_force(code=panel.force_area.code)
    liaison = UserFactory.create(email="liaison@force.example.org")
    StaffRoleFactory.create(user=liaison, organisation=force, role=StaffRole.Role.FORCE_LIAISON)
    enrol_totp(liaison)
    session = make_session(panel, [make_record(make_batch(force))], by=coordinator)
    finding = make_finding(panel, session=session, items=list(session.items.all()), by=coordinator)
    escalation = make_escalation(finding, force=force, by=coordinator)
    # Sent Thu 1 Oct 2026 with 20 working days: due Thu 29 Oct 2026.
    Escalation.objects.filter(pk=escalation.pk).update(
        sent_at=datetime(2026, 10, 1, 9, tzinfo=UTC), due_date=date(2026, 10, 29)
    )
    escalation.refresh_from_db()
    return escalation, liaison


def run(*args: str) -> str:
    out = StringIO()
    call_command("sendreminders", *args, stdout=out)
    return out.getvalue()


def test_it_flags_the_overdue_escalation_emails_and_notifies_and_does_not_resend_the_same_day(
    overdue: tuple[Escalation, User],
    coordinator: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    escalation, liaison = overdue
    notified: list[tuple[int, dict[str, Any]]] = []
    monkeypatch.setattr(
        escalation_services, "notify_user_on_commit", lambda *, user_id, payload: notified.append((user_id, payload))
    )
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--today", "2026-11-02", "--base-url", "https://scrutiny.example.org")
    assert f"Overdue: escalation {escalation.pk}" in out
    assert "1 overdue escalation(s) reminded." in out
    escalation.refresh_from_db()
    assert escalation.is_overdue(date(2026, 11, 2))
    assert escalation.last_reminded_on == date(2026, 11, 2)
    assert escalation.events.filter(step="reminder").count() == 1
    assert {m.to[0] for m in mail.outbox} == {liaison.email, coordinator.email}
    assert all("Overdue escalation" in m.subject for m in mail.outbox)
    assert {uid for uid, _ in notified} == {liaison.pk, coordinator.pk}
    assert all(p["url"] == f"/escalations/{escalation.pk}/" for _, p in notified)

    with django_capture_on_commit_callbacks(execute=True):
        again = run("--today", "2026-11-02")
    assert "0 overdue escalation(s) reminded." in again
    assert len(mail.outbox) == 2
    assert len(notified) == 2
    assert escalation.events.filter(step="reminder").count() == 1


def test_it_sends_nothing_before_the_due_date_has_passed(overdue: tuple[Escalation, User]) -> None:
    assert "0 overdue escalation(s) reminded." in run("--today", "2026-10-29")
    assert mail.outbox == []


def test_it_refuses_a_date_it_cannot_read(db: None) -> None:
    with pytest.raises(CommandError, match="not a date"):
        run("--today", "next tuesday")


def test_the_in_app_reminder_reaches_the_liaison_officers_websocket_group(
    overdue: tuple[Escalation, User], django_capture_on_commit_callbacks: Any
) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from panels.notifications import user_group

    escalation, liaison = overdue
    layer = get_channel_layer()
    assert layer is not None
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(liaison.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        run("--today", "2026-11-02")
    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "notification.send"
    assert message["payload"]["kind"] == "escalation"
    assert message["payload"]["message"].startswith("Overdue escalation from")
    assert message["payload"]["url"] == f"/escalations/{escalation.pk}/"
