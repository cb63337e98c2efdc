"""The encounter records API: the same things the pages do, with the same permissions."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from panels.models import Organisation, User
from scrutiny.choices import BatchStatus
from scrutiny.models import AuditEvent, EncounterRecord, ImportBatch, RejectedRow
from tests.scrutiny.factories import make_batch, make_record, make_rejected_row
from tests.scrutiny.records_support import (  # noqa: F401
    force_fixture,
    other_coordinator_fixture,
    real_rows,
    uploads_in_tmp_fixture,
    with_bad_row,
)


def signed_in(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def post_file(
    client: APIClient, content: bytes, *, name: str = "2025-06-cheshire-stop-and-search.csv", **extra: Any
) -> Any:
    url = reverse("api-batch-create", kwargs={"police_uk_id": "cheshire"})
    return client.post(
        url, {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra}, format="multipart"
    )


@pytest.fixture
def uploaded(
    coordinator: User, force: Organisation, django_capture_on_commit_callbacks: Callable[..., Any]
) -> tuple[APIClient, dict[str, Any]]:
    client = signed_in(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, with_bad_row(10))
    assert response.status_code == 201, response.content
    return client, response.json()


@pytest.fixture
def objects(force: Organisation) -> dict[str, Any]:
    batch = make_batch(force)
    return {
        "batch": batch,
        "record": make_record(batch, grounds_text="Smelt cannabis.", pii_flagged=True),
        "row": make_rejected_row(batch),
    }


def urls(o: dict[str, Any]) -> list[tuple[str, str]]:
    b, r, row = o["batch"].pk, o["record"].pk, o["row"].pk
    return [
        ("GET", reverse("api-batch-detail", kwargs={"pk": b})),
        ("GET", reverse("api-rejected-row-list", kwargs={"pk": b})),
        ("GET", reverse("api-rejected-row-csv", kwargs={"pk": b})),
        ("POST", reverse("api-rejected-row-correct", kwargs={"pk": row})),
        ("GET", reverse("api-record-detail", kwargs={"pk": r})),
        ("POST", reverse("api-record-redaction-check", kwargs={"pk": r})),
    ]


def call(client: APIClient, method: str, url: str) -> Any:
    return client.get(url) if method == "GET" else client.post(url, {"values": {}}, format="json")


# --- Who may -------------------------------------------------------------------------------


def test_it_refuses_anonymous_requests_with_401(objects: dict[str, Any]) -> None:
    client = APIClient()
    for method, url in [*urls(objects), ("GET", reverse("api-batch-list")), ("GET", reverse("api-record-list"))]:
        assert call(client, method, url).status_code == 401, url
    assert post_file(client, real_rows(2)).status_code == 401


@pytest.mark.parametrize("who", ["outsider", "member"])
def test_it_refuses_outsiders_and_members_with_403(people: Any, objects: dict[str, Any], who: str) -> None:
    client = signed_in(getattr(people, who))
    for method, url in [*urls(objects), ("GET", reverse("api-batch-list")), ("GET", reverse("api-record-list"))]:
        response = call(client, method, url)
        assert response.status_code == 403, url
        assert "coordinators" in response.json()["detail"]
    assert post_file(client, real_rows(2)).status_code == 403
    assert ImportBatch.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_a_coordinator_of_another_area_gets_404_and_empty_lists(
    objects: dict[str, Any], other_coordinator: User
) -> None:
    client = signed_in(other_coordinator)
    for method, url in urls(objects):
        assert call(client, method, url).status_code == 404, url
    assert post_file(client, real_rows(2)).status_code == 404
    assert client.get(reverse("api-batch-list")).json()["count"] == 0
    assert client.get(reverse("api-record-list")).json()["count"] == 0
    assert client.get(reverse("api-record-list"), {"force": "cheshire"}).status_code == 400
    assert not AuditEvent.objects.exists()


# --- Imports -------------------------------------------------------------------------------


def test_an_upload_imports_and_the_batch_adds_up(uploaded: tuple[APIClient, dict[str, Any]]) -> None:
    client, batch = uploaded
    assert batch["force"] == "cheshire"
    assert batch["source_format"] == "police-uk-csv"
    detail = client.get(reverse("api-batch-detail", kwargs={"pk": batch["id"]})).json()
    assert detail["status"] == BatchStatus.FINISHED
    assert (detail["read"], detail["imported"], detail["duplicates"], detail["rejected"]) == (11, 10, 0, 1)
    assert detail["read"] == detail["imported"] + detail["duplicates"] + detail["rejected"]
    assert len(detail["file_sha256"]) == 64
    listed = client.get(reverse("api-batch-list")).json()
    assert [b["id"] for b in listed["results"]] == [batch["id"]]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"Name,Address\r\nA,B\r\n", "people.csv", "wrong header"),
        (b"", "empty.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "picture.png", "wrong header"),
    ],
    ids=["wrong header", "empty file", "not a CSV"],
)
def test_a_bad_upload_is_a_400_with_its_reason_and_creates_nothing(
    coordinator: User, force: Organisation, content: bytes, name: str, message: str
) -> None:
    response = post_file(signed_in(coordinator), content, name=name)
    assert response.status_code == 400
    assert message in str(response.json())
    assert not ImportBatch.objects.exists()


def test_rejected_rows_as_json_and_csv_and_a_correction(uploaded: tuple[APIClient, dict[str, Any]]) -> None:
    client, batch = uploaded
    rows = client.get(reverse("api-rejected-row-list", kwargs={"pk": batch["id"]})).json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert row["line_number"] == 12
    assert row["values"]["Date"] == "not a date"
    assert row["reasons"]

    response = client.get(reverse("api-rejected-row-csv", kwargs={"pk": batch["id"]}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    lines = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert [line[0] for line in lines] == ["Line", "12"]

    url = reverse("api-rejected-row-correct", kwargs={"pk": row["id"]})
    assert client.post(url, {"values": {"Nonsense": "x"}}, format="json").status_code == 400
    outcome = client.post(url, {"values": {"Date": "still not a date"}}, format="json").json()
    assert outcome["status"] == "rejected"
    assert outcome["reasons"]
    outcome = client.post(url, {"values": {"Date": "2025-06-02T10:00:00+00:00"}}, format="json").json()
    assert outcome["status"] == "imported"
    detail = client.get(reverse("api-batch-detail", kwargs={"pk": batch["id"]})).json()
    assert (detail["read"], detail["imported"], detail["rejected"]) == (11, 11, 0)
    assert RejectedRow.objects.get(pk=row["id"]).resolved
    # Corrected once is enough.
    assert client.post(url, {"values": {}}, format="json").status_code == 400


# --- Records -------------------------------------------------------------------------------


def test_records_are_listed_with_filters_and_paginated(uploaded: tuple[APIClient, dict[str, Any]]) -> None:
    client, _ = uploaded
    everything = client.get(reverse("api-record-list")).json()
    assert everything["count"] == 10
    assert "grounds_text" not in everything["results"][0]
    white = EncounterRecord.objects.filter(ethnic_group="white").count()
    filtered = client.get(reverse("api-record-list"), {"ethnic_group": "white", "force": "cheshire"}).json()
    assert filtered["count"] == white
    assert client.get(reverse("api-record-list"), {"month_from": "2025-13"}).status_code == 400
    assert client.get(reverse("api-record-list"), {"flag": ["vehicle_only", "pii_flagged"]}).json()["count"] == 0
    page = client.get(reverse("api-record-list"), {"limit": 3}).json()
    assert len(page["results"]) == 3
    assert page["next"]


def test_a_record_read_is_audited_and_its_redaction_can_be_checked(coordinator: User, objects: dict[str, Any]) -> None:
    client = signed_in(coordinator)
    record = objects["record"]
    data = client.get(reverse("api-record-detail", kwargs={"pk": record.pk})).json()
    assert data["grounds_text"] == "Smelt cannabis."
    assert data["redaction_pending"] is True
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECORD_VIEWED)
    assert (event.actor, event.object_id, event.detail) == (coordinator, str(record.pk), {"context": "api"})
    data = client.post(
        reverse("api-record-redaction-check", kwargs={"pk": record.pk}),
        {"grounds_text": "Smelt cannabis, call 07700 900123."},
        format="json",
    ).json()
    assert data["redaction_pending"] is False
    assert "07700 900123" not in data["grounds_text"]
