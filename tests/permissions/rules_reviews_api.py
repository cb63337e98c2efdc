"""Who gets what from the review API (scrutiny/api_reviews.py) and the panel's audit log page.

The panel's members, chair and coordinators read its sessions, findings and escalations; members and the chair
score; the chair and coordinators run the session, publish and escalate; only coordinators read the audit log.
Outsiders are refused (403 for a panel named by its slug, 404 for an object they cannot see). POSTs send data that
is refused with a 400 (or a 409) once the view is reached, so allowed roles prove access without creating anything,
except for the steps that take no input (next, close, reveal, publish), which act on the scenario's own session.
"""

from __future__ import annotations

from typing import Any

from tests.permissions.routes import (
    ALLOW,
    DENY,
    LOGIN,
    PANEL_MANAGE,
    PANEL_READ,
    SIGNED_IN,
    Check,
    Rule,
    expect,
    no_kwargs,
)

RUN = expect(LOGIN, DENY, DENY, ALLOW)  # the chair's and coordinators' steps; members refused
SCORE = expect(LOGIN, DENY, ALLOW, DENY)  # members and the chair score; coordinators do not
WRITE = PANEL_READ  # findings: the panel's members, chair and coordinators


def panel(s: Any) -> dict[str, Any]:
    return {"slug": s.panel.slug}


def session(s: Any) -> dict[str, Any]:
    return {"pk": s.session.pk}


def item(s: Any) -> dict[str, Any]:
    return {"pk": s.item.pk}


def finding(s: Any) -> dict[str, Any]:
    return {"pk": s.finding.pk}


def escalation(s: Any) -> dict[str, Any]:
    return {"pk": s.escalation.pk}


def get(expected: dict[str, str]) -> Check:
    return Check("GET", expected)


def post(expected: dict[str, str], data: dict[str, Any] | None = None) -> Check:
    return Check("POST", expected, data or {})


RULES: dict[str, Rule] = {
    # An empty body is a 400 from the serialiser: nothing drawn.
    "api-session-list": Rule(panel, (get(PANEL_READ), post(RUN))),
    "api-session-detail": Rule(session, (get(PANEL_READ),)),
    "api-session-add-record": Rule(session, (post(RUN),)),
    "api-session-go-to": Rule(session, (post(RUN),)),
    "api-session-next": Rule(session, (post(RUN),)),
    "api-session-close": Rule(session, (post(RUN),)),
    # As the session's summary page: the panel reads its figures.
    "api-session-stats": Rule(session, (get(PANEL_READ),)),
    "api-item-detail": Rule(item, (get(PANEL_READ),)),
    "api-item-assessments": Rule(item, (get(PANEL_READ),)),
    # GET: 204 until you have scored. PUT: a grade out of range is refused by the service before anything is saved.
    "api-my-assessment": Rule(item, (get(PANEL_READ), Check("PUT", SCORE, {"grade": 99}))),
    "api-item-reveal": Rule(item, (post(RUN),)),
    "api-item-agree": Rule(item, (post(RUN),)),
    "api-finding-list": Rule(panel, (get(PANEL_READ), post(WRITE))),
    # PATCH without a version is a 400.
    "api-finding-detail": Rule(finding, (get(PANEL_READ), Check("PATCH", WRITE, {}))),
    "api-finding-publish": Rule(finding, (post(RUN),)),
    "api-finding-escalate": Rule(finding, (post(RUN),)),
    # An outsider gets an empty list: escalations are scoped to whoever asks.
    "api-escalation-list": Rule(no_kwargs, (get(SIGNED_IN),)),
    "api-escalation-detail": Rule(escalation, (get(PANEL_READ),)),
    # Accepting is the chair's and coordinators' step: members get 403; the coordinator, whose stale version is a
    # 409, reached the service and changed nothing.
    "api-escalation-step": Rule(escalation, (post(RUN, {"step": "accept", "version": 99}),)),
    "api-audit-list": Rule(panel, (get(PANEL_MANAGE),)),
    "panel-audit": Rule(panel, (get(PANEL_MANAGE),)),
}

assert all(v in (ALLOW, DENY, LOGIN) for r in RULES.values() for c in r.checks for v in c.expected.values())
