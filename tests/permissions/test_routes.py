"""Every route, every role: anonymous, outsider, member and coordinator get what their role allows, nothing more.

The list of routes comes from the URL configuration, so a new route without a rule fails here.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import tests.permissions as rules_package
from panels.models import Meeting, Membership, Organisation, Panel, User
from scrutiny.models import (
    EncounterRecord,
    Escalation,
    Finding,
    ImportBatch,
    RejectedRow,
    ReviewSession,
    SessionRecord,
)
from surveys.responding.services import survey_invitations_create
from tests.factories import MeetingFactory, MembershipFactory, make_invitation
from tests.permissions.routes import ROLES, Rule, classify, project_routes, request
from tests.scrutiny.factories import (
    make_batch,
    make_escalation,
    make_finding,
    make_force,
    make_record,
    make_rejected_row,
    make_session,
)
from tests.surveys.factories import make_survey


def all_rules() -> dict[str, Rule]:
    merged: dict[str, Rule] = {}
    for info in pkgutil.iter_modules(rules_package.__path__):
        if info.name.startswith("rules_"):
            module = importlib.import_module(f"tests.permissions.{info.name}")
            overlap = merged.keys() & module.RULES.keys()
            assert not overlap, f"routes with two rules: {sorted(overlap)}"
            merged.update(module.RULES)
    return merged


RULES = all_rules()


def test_every_route_has_a_permission_rule() -> None:
    missing = sorted({name for name, _ in project_routes()} - RULES.keys())
    assert not missing, f"routes without a permission rule in tests/permissions/rules_*.py: {missing}"


def test_every_rule_names_a_real_route() -> None:
    stale = sorted(RULES.keys() - {name for name, _ in project_routes()})
    assert not stale, f"rules for routes that no longer exist: {stale}"


@dataclass
class Scenario:
    panel: Panel
    users: dict[str, User | None]
    meeting: Meeting
    published_meeting: Meeting
    extra_membership: Membership
    invitation: Any
    invitation_token: str
    force: Organisation
    batch: ImportBatch
    record: EncounterRecord
    rejected_row: RejectedRow
    # Review work: a session of the panel with one record in it, a finding, and its escalation to the force.
    session: ReviewSession
    item: SessionRecord
    finding: Finding
    escalation: Escalation
    # Surveys: an open survey of the panel, one of its questions, and an unused invitation link.
    survey: Any = None
    survey_question: Any = None
    survey_invitation_token: str = ""


@pytest.fixture
def scenario(panel: Panel, member: User, coordinator: User, outsider: User) -> Scenario:
    published = MeetingFactory.create(panel=panel, title="Published")
    published.publish_minutes()
    invitation, token = make_invitation(panel, email="invitee@example.org")
    force = make_force(code=panel.force_area.code)
    batch = make_batch(force)
    reviewed = make_record(batch)
    session = make_session(panel, [reviewed], by=coordinator)
    item = session.items.get()
    finding = make_finding(panel, session=session, items=[item], by=coordinator)
    survey = make_survey(panel, by=coordinator, open_it=True)
    [survey_invitation_token] = survey_invitations_create(survey=survey, count=1)
    return Scenario(
        survey=survey,
        survey_question=survey.questions.order_by("pk").last(),
        survey_invitation_token=survey_invitation_token,
        panel=panel,
        users={"anonymous": None, "outsider": outsider, "member": member, "coordinator": coordinator},
        meeting=MeetingFactory.create(panel=panel),
        published_meeting=published,
        extra_membership=MembershipFactory.create(panel=panel),
        invitation=invitation,
        invitation_token=token,
        force=force,
        batch=batch,
        record=make_record(batch, grounds_text="Smelt cannabis.", pii_flagged=True),
        rejected_row=make_rejected_row(batch),
        session=session,
        item=item,
        finding=finding,
        escalation=make_escalation(finding, force=force, by=coordinator),
    )


CASES = [
    pytest.param(name, index, role, id=f"{name}-{check.method}-{role}")
    for name, rule in RULES.items()
    for index, check in enumerate(rule.checks)
    for role in ROLES
]


@pytest.mark.parametrize(("name", "index", "role"), CASES)
def test_route_gives_each_role_what_it_allows(
    scenario: Scenario, client: Client, name: str, index: int, role: str
) -> None:
    rule = RULES[name]
    check = rule.checks[index]
    user = scenario.users[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=rule.kwargs(scenario))
    response = request(client, check.method, url, check.data)
    assert classify(response) == check.expected[role], (
        f"{check.method} {url} as {role}: HTTP {response.status_code} {response.get('Location', '')}"
    )


def test_admin_refuses_everyone_but_staff(client: Client, member: User, coordinator: User, outsider: User) -> None:
    url = reverse("admin:index")
    assert client.get(url).status_code == 302
    for user in (outsider, member, coordinator):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
