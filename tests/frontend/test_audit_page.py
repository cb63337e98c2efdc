"""The panel's audit log page: coordinators read it, newest first, a page at a time; nobody can change it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panels.models import Membership, Panel, User
from scrutiny.models import AuditEvent
from tests.factories import MembershipFactory, PanelFactory, enrol_totp
from tests.frontend.helpers import page_text


def url(panel: Panel) -> str:
    return reverse("panel-audit", kwargs={"slug": panel.slug})


def event(panel: Panel | None, n: int, **extra: Any) -> AuditEvent:
    fields: dict[str, Any] = {
        "at": timezone.now() - timedelta(minutes=n),
        "actor_label": f"person{n}@example.org",
        "action": AuditEvent.Action.FINDING_CREATED,
        "object_type": "scrutiny.finding",
        "object_id": str(n),
        "panel": panel,
    }
    fields.update(extra)
    return AuditEvent.objects.create(**fields)


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_a_coordinator_reads_the_panels_events_newest_first(client: Client, panel: Panel, coordinator: User) -> None:
    event(panel, 5, action=AuditEvent.Action.SCORE_SUBMITTED, detail={"item": 7})
    event(panel, 1, action=AuditEvent.Action.REVEALED)
    event(None, 0, actor_label="importer@example.org")  # an import belongs to no panel
    event(PanelFactory.create(), 0, actor_label="elsewhere@example.org")
    response = signed_in(client, coordinator).get(url(panel))
    assert response.status_code == 200
    text = page_text(response)
    assert "Audit log" in text
    assert text.index("Revealed the panel's scores") < text.index("Submitted a score")
    assert "person1@example.org" in text
    assert "item: 7" in text
    assert "importer@example.org" not in text
    assert "elsewhere@example.org" not in text


def test_the_page_has_no_forms_and_refuses_posts(client: Client, panel: Panel, coordinator: User) -> None:
    event(panel, 1)
    signed_in(client, coordinator)
    response = client.get(url(panel))
    assert "<form" not in response.content.decode().split("<main", 1)[1]
    assert client.post(url(panel)).status_code == 405
    assert AuditEvent.objects.count() == 1


def test_long_logs_are_paginated(client: Client, panel: Panel, coordinator: User) -> None:
    for n in range(55):
        event(panel, n)
    signed_in(client, coordinator)
    first = page_text(client.get(url(panel)))
    assert "person0@example.org" in first
    assert "person54@example.org" not in first
    assert "Page 1 of 2" in first
    second = page_text(client.get(url(panel), {"page": 2}))
    assert "person54@example.org" in second
    assert "person0@example.org" not in second


@pytest.mark.parametrize("role", [Membership.Role.MEMBER, Membership.Role.CHAIR, Membership.Role.OBSERVER])
def test_members_and_the_chair_are_refused(client: Client, panel: Panel, role: str) -> None:
    user = MembershipFactory.create(panel=panel, role=role).user
    event(panel, 1)
    response = signed_in(client, user).get(url(panel))
    assert response.status_code == 403
    assert "person1@example.org" not in response.content.decode()


def test_an_outsider_is_refused_and_anonymous_is_sent_to_sign_in(client: Client, panel: Panel, outsider: User) -> None:
    anonymous = client.get(url(panel))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert signed_in(client, outsider).get(url(panel)).status_code == 403
    assert client.get(reverse("panel-audit", kwargs={"slug": "no-such-panel"})).status_code == 404


def test_a_coordinator_of_another_panel_is_refused(client: Client, panel: Panel) -> None:
    other = MembershipFactory.create(panel=PanelFactory.create(), role=Membership.Role.COORDINATOR).user
    enrol_totp(other)
    assert signed_in(client, other).get(url(panel)).status_code == 403


def test_the_page_costs_the_same_queries_however_many_events(client: Client, panel: Panel, coordinator: User) -> None:
    signed_in(client, coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(panel)).status_code == 200
        return len(captured)

    for n in range(3):
        event(panel, n, detail={"item": n})
    few = queries()
    for n in range(3, 60):
        event(panel, n, detail={"item": n})
    assert queries() == few
