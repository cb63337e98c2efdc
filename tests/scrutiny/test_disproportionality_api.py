"""GET /api/v1/reports/disproportionality: who may call it, what it answers, and clear 400s for bad parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from panels.models import Membership, Organisation, Panel, StaffRole, User
from scrutiny import choices
from scrutiny.disproportionality import report as reporting
from scrutiny.records import versions
from tests.factories import MembershipFactory, OrganisationFactory, PanelFactory, StaffRoleFactory, enrol_totp
from tests.scrutiny.factories import EncounterRecordFactory, ImportBatchFactory, make_force

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/disproportionality"
JUNE = {"from": "2025-06", "to": "2025-06"}


@pytest.fixture
def force(panel: Panel) -> Organisation:
    """The force of the panel's area, with a month of searches."""
    force = make_force(code=panel.force_area.code)
    batch = ImportBatchFactory.create(force=force)
    EncounterRecordFactory.create_batch(30, batch=batch)
    EncounterRecordFactory.create_batch(12, batch=batch, ethnic_group=choices.EthnicGroup.BLACK)
    versions.records_changed(force.pk)
    return force


@pytest.fixture
def elsewhere(db: None) -> Organisation:
    """Merseyside Police, another force area's force."""
    return make_force("E23000004", "merseyside", "Merseyside Police")


def signed_in(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def staff(organisation: Organisation, role: str) -> User:
    user = StaffRoleFactory.create(organisation=organisation, role=role).user
    enrol_totp(user)
    return user


def get(client: APIClient, **params: Any) -> Any:
    return client.get(URL, params)


def test_the_route_is_where_the_contract_puts_it() -> None:
    assert reverse("api-report-disproportionality") == URL


def test_a_coordinator_reads_their_forces_report_as_the_command_prints_it(
    coordinator: User, force: Organisation
) -> None:
    response = get(signed_in(coordinator), force="cheshire", ethnicity="self", **JUNE)
    assert response.status_code == 200
    assert response.json() == reporting.disproportionality_report(["cheshire"], "2025-06", "2025-06", "self")
    assert response.json()["groups"]["Black"]["searches"] == 12
    assert get(signed_in(coordinator), force="cheshire", **JUNE).json()["ethnicity"] == "self"  # the default


def test_anonymous_is_asked_to_sign_in(force: Organisation) -> None:
    assert APIClient().get(URL, {"force": "cheshire", **JUNE}).status_code == 401


@pytest.mark.parametrize("who", ["outsider", "member"])
def test_outsiders_and_panel_members_are_refused(request: Any, who: str, force: Organisation) -> None:
    user = request.getfixturevalue(who)
    enrol_totp(user)
    response = get(signed_in(user), force="cheshire", **JUNE)
    assert response.status_code == 403
    assert "Only coordinators, OPCC officers and force liaison officers" in response.json()["detail"]


def test_chairs_and_observers_are_refused(panel: Panel, force: Organisation) -> None:
    for role in (Membership.Role.CHAIR, Membership.Role.OBSERVER):
        user = MembershipFactory.create(panel=panel, role=role).user
        enrol_totp(user)
        assert get(signed_in(user), force="cheshire", **JUNE).status_code == 403


def test_an_opcc_officer_reads_the_forces_of_their_area_only(
    panel: Panel, force: Organisation, elsewhere: Organisation
) -> None:
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=panel.force_area)
    client = signed_in(staff(office, StaffRole.Role.OPCC_OFFICER))
    assert get(client, force="cheshire", **JUNE).status_code == 200
    refused = get(client, force="cheshire,merseyside", **JUNE)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You may not read reports for: merseyside."


def test_a_force_liaison_officer_reads_their_own_force_only(force: Organisation, elsewhere: Organisation) -> None:
    client = signed_in(staff(force, StaffRole.Role.FORCE_LIAISON))
    assert get(client, force="cheshire", **JUNE).status_code == 200
    assert get(client, force="merseyside", **JUNE).status_code == 403


def test_a_coordinator_of_another_area_is_refused_this_force(force: Organisation, elsewhere: Organisation) -> None:
    other = PanelFactory.create(force_area=elsewhere.force_area)
    coordinator = MembershipFactory.create(panel=other, role=Membership.Role.COORDINATOR).user
    enrol_totp(coordinator)
    client = signed_in(coordinator)
    assert get(client, force="merseyside", **JUNE).status_code == 200
    assert get(client, force="cheshire", **JUNE).status_code == 403


def test_several_forces_by_repeating_the_parameter(
    coordinator: User, force: Organisation, elsewhere: Organisation
) -> None:
    superuser = User.objects.create_superuser(email="root@example.org", password="x")
    enrol_totp(superuser)
    response = signed_in(superuser).get(f"{URL}?force=cheshire&force=merseyside&from=2025-06&to=2025-06")
    assert response.status_code == 200
    assert response.json()["forces"] == ["cheshire", "merseyside"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"force": "atlantis", **JUNE}, "force", 'Unknown force "atlantis".'),
        (JUNE, "force", "Give at least one force, by its data.police.uk id (e.g. cheshire)."),
        ({"force": "cheshire", "from": "2025-6", "to": "2025-06"}, "from", '"2025-6" is not a month'),
        ({"force": "cheshire", "from": "2025-06"}, "to", "Give the last month of the period: write YYYY-MM"),
        (
            {"force": "cheshire", "from": "2025-09", "to": "2025-06"},
            "from",
            "The period starts (2025-09) after it ends (2025-06).",
        ),
        ({"force": "cheshire", "ethnicity": "Black", **JUNE}, "ethnicity", 'not "Black"'),
    ],
)
def test_bad_parameters_are_a_400_saying_what_is_wrong(
    coordinator: User, force: Organisation, params: dict[str, str], field: str, message: str
) -> None:
    response = get(signed_in(coordinator), **params)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]


def test_the_schema_describes_the_report_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    operation = yaml.safe_load(out.read_text())["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"force", "from", "to", "ethnicity"}
    assert {"200", "400", "403"} <= set(operation["responses"])
