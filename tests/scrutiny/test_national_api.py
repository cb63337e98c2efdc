"""GET /api/v1/reports/national: who may call it, that it answers the pages' JSON, the public version, clear 400s,
and its OpenAPI description."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from panels.models import Organisation, StaffRole, User
from scrutiny.disproportionality import national
from tests.factories import StaffRoleFactory, UserFactory, enrol_totp
from tests.scrutiny.national_support import add_searches, force

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/national"
APRIL = date(2024, 4, 1)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def searches(db: None) -> None:
    add_searches(force("metropolitan"), APRIL, {"White": 300, "Black": 200, "Asian": 50})
    add_searches(force("cheshire"), APRIL, {"White": 40, "Black": 4, "Asian": 12})


def signed_in(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_the_route_is_beside_the_disproportionality_report() -> None:
    assert reverse("api-report-national") == URL


def test_anonymous_callers_are_refused_and_so_is_anyone_without_a_reporting_role(
    searches: None, member: User, outsider: User
) -> None:
    assert APIClient().get(URL, {"year": "2024"}).status_code == 401
    assert APIClient().get(URL, {"year": "2024", "public": "true"}).status_code == 401
    for user in (member, outsider):
        response = signed_in(user).get(URL, {"year": "2024"})
        assert response.status_code == 403
        assert "Only coordinators, OPCC officers" in response.json()["detail"]


def test_a_coordinator_a_liaison_officer_and_site_staff_get_the_report_the_pages_use(
    searches: None, coordinator: User
) -> None:
    liaison = StaffRoleFactory.create(organisation=force("kent"), role=StaffRole.Role.FORCE_LIAISON).user
    staff = UserFactory.create(is_staff=True)
    for user in (liaison, staff):
        enrol_totp(user)
    expected = national.national_report(national.national_query(year=2024))
    for user in (coordinator, liaison, staff):
        response = signed_in(user).get(URL, {"year": "2024"})
        assert response.status_code == 200, user
        assert response.json() == expected
    body = expected
    assert body["from"] == "2024-04"
    assert body["to"] == "2025-03"
    cheshire = national.force_comparison(body, "cheshire")
    assert cheshire is not None
    assert cheshire["groups"]["Black"]["searches"] == 4


def test_a_period_of_months_and_the_public_version(searches: None, coordinator: User) -> None:
    client = signed_in(coordinator)
    body = client.get(URL, {"from": "2024-04", "to": "2024-06"}).json()
    assert (body["from"], body["to"], body["months"], body["public"]) == ("2024-04", "2024-06", 3, False)
    public = client.get(URL, {"from": "2024-04", "to": "2024-06", "public": "true"}).json()
    assert public["public"] is True
    cheshire = national.force_comparison(public, "cheshire")
    assert cheshire is not None
    assert cheshire["groups"]["Black"]["searches"] is None
    assert cheshire["total"] is None  # its hidden cells add up to 4
    assert public == national.national_report(
        national.national_query(from_month="2024-04", to_month="2024-06"), public=True
    )


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "from", "Give a financial year"),
        ({"year": "twenty"}, "year", "is not a financial year"),
        ({"year": "2024", "from": "2024-04", "to": "2024-06"}, "year", "not both"),
        ({"from": "2024-04", "to": "2025-06"}, "to", "at most 12 months"),
        ({"from": "April", "to": "2024-06"}, "from", '"April" is not a month'),
        ({"year": "2024", "public": "maybe"}, "public", 'Write "true" or "false"'),
    ],
)
def test_bad_parameters_are_a_400_saying_what_is_wrong(
    coordinator: User, params: dict[str, str], field: str, message: str
) -> None:
    response = signed_in(coordinator).get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]


def test_the_schema_describes_the_national_report_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"year", "from", "to", "public"}
    assert {"200", "400", "403"} <= set(operation["responses"])
    report = schema["components"]["schemas"]["NationalReport"]
    assert {"from", "to", "label", "england_and_wales", "forces", "other_forces", "comparison", "missing"} <= set(
        report["properties"]
    )


def test_the_answer_matches_its_schema(searches: None, coordinator: User, tmp_path: Path) -> None:
    """Every field the schema names is in the answer, and the answer has no field the schema leaves out."""
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(out))
    schemas = yaml.safe_load(out.read_text())["components"]["schemas"]
    body = signed_in(coordinator).get(URL, {"year": "2024"}).json()

    def check(value: Any, schema: dict[str, Any], where: str) -> None:
        nullable = bool(schema.get("nullable"))
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        if "allOf" in schema:
            schema = schemas[schema["allOf"][0]["$ref"].rsplit("/", 1)[1]]
        if value is None:
            assert nullable or schema.get("nullable"), f"{where} is null but the schema does not allow it"
            return
        if schema.get("type") == "object" and "properties" in schema:
            assert set(value) <= set(schema["properties"]), f"{where}: {set(value) - set(schema['properties'])}"
            for key in schema.get("required", []):
                assert key in value, f"{where}.{key} missing"
            for key, v in value.items():
                check(v, schema["properties"][key], f"{where}.{key}")
        elif schema.get("type") == "array":
            for i, v in enumerate(value):
                check(v, schema["items"], f"{where}[{i}]")

    check(body, schemas["NationalReport"], "report")


def test_an_unknown_force_organisation_is_not_in_the_report(searches: None, coordinator: User) -> None:
    Organisation.objects.create(name="Northshire Police", slug="northshire", kind=Organisation.Kind.FORCE)
    body = signed_in(coordinator).get(URL, {"year": "2024"}).json()
    assert "Northshire Police" not in [f["name"] for f in body["forces"] + body["other_forces"]]
