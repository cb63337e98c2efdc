"""Who gets what from the encounter record routes: only the panel's coordinators (and superusers) import and
browse the records of the forces in the panel's area. Members are refused: they see records only in a review
session."""

from __future__ import annotations

from typing import Any

from tests.permissions.routes import ALLOW, DENY, LOGIN, PANEL_MANAGE, Check, Rule, expect, no_kwargs

RECORDS = PANEL_MANAGE  # anonymous: sign in; outsider and member: refused; coordinator: allowed
API_RECORDS = expect(LOGIN, DENY, DENY, ALLOW)


def force(s: Any) -> dict[str, Any]:
    return {"police_uk_id": s.force.police_uk_id}


def batch(s: Any) -> dict[str, Any]:
    return {"pk": s.batch.pk}


def record(s: Any) -> dict[str, Any]:
    return {"pk": s.record.pk}


def rejected_row(s: Any) -> dict[str, Any]:
    return {"pk": s.rejected_row.pk}


def get(expected: dict[str, str]) -> tuple[Check, ...]:
    return (Check("GET", expected),)


RULES: dict[str, Rule] = {
    "record-list": Rule(no_kwargs, get(RECORDS)),
    "record-detail": Rule(record, get(RECORDS)),
    "record-redaction-check": Rule(record, (Check("POST", RECORDS),)),
    "batch-list": Rule(no_kwargs, get(RECORDS)),
    # An empty upload is refused with a 400 by the form: the view was reached, nothing was created.
    "batch-upload": Rule(no_kwargs, (Check("GET", RECORDS), Check("POST", RECORDS, {"force": "cheshire"}))),
    "batch-detail": Rule(batch, get(RECORDS)),
    "batch-rejected-csv": Rule(batch, get(RECORDS)),
    "rejected-row-correct": Rule(rejected_row, (Check("GET", RECORDS),)),
    # A multipart upload cannot be sent as JSON: 415 for the coordinator, which proves the view was reached.
    "api-batch-create": Rule(force, (Check("POST", API_RECORDS),)),
    "api-batch-list": Rule(no_kwargs, get(API_RECORDS)),
    "api-batch-detail": Rule(batch, get(API_RECORDS)),
    "api-rejected-row-list": Rule(batch, get(API_RECORDS)),
    "api-rejected-row-csv": Rule(batch, get(API_RECORDS)),
    "api-rejected-row-correct": Rule(rejected_row, (Check("POST", API_RECORDS, {"values": {}}),)),
    "api-record-list": Rule(no_kwargs, get(API_RECORDS)),
    "api-record-detail": Rule(record, get(API_RECORDS)),
    "api-record-redaction-check": Rule(record, (Check("POST", API_RECORDS),)),
}

assert all(v in (ALLOW, DENY, LOGIN) for r in RULES.values() for c in r.checks for v in c.expected.values())
