"""Who gets what from the finding and escalation routes. A panel's findings are open to its members, chair and
coordinators; the chair and coordinators publish and escalate. Escalations are open to the panel too, and (tested
in tests/frontend/test_escalation_pages.py) to the force's liaison officers and the area's OPCC officers, who alone
read the report. Outsiders and anonymous visitors get nothing."""

from __future__ import annotations

from typing import Any

from tests.permissions.routes import DENY, LOGIN, PANEL_MANAGE, PANEL_READ, Check, Rule, expect, no_kwargs

OPCC_ONLY = expect(LOGIN, DENY, DENY, DENY)


def slug(s: Any) -> dict[str, Any]:
    return {"slug": s.panel.slug}


def finding(s: Any) -> dict[str, Any]:
    return {"pk": s.finding.pk}


def escalation(s: Any) -> dict[str, Any]:
    return {"pk": s.escalation.pk}


def escalation_accept(s: Any) -> dict[str, Any]:
    return {"pk": s.escalation.pk, "step": "accept"}


def get(expected: dict[str, str]) -> tuple[Check, ...]:
    return (Check("GET", expected),)


RULES: dict[str, Rule] = {
    "finding-list": Rule(slug, get(PANEL_READ)),
    # An empty form is refused with a 400: the view was reached, nothing was saved.
    "finding-create": Rule(slug, (Check("GET", PANEL_READ), Check("POST", PANEL_READ))),
    "finding-detail": Rule(finding, get(PANEL_READ)),
    "finding-edit": Rule(finding, (Check("GET", PANEL_READ), Check("POST", PANEL_READ))),
    "finding-publish": Rule(finding, (Check("POST", PANEL_MANAGE),)),
    # The scenario's finding is already escalated: the coordinator is sent on to its escalation.
    "finding-escalate": Rule(finding, (Check("GET", PANEL_MANAGE), Check("POST", PANEL_MANAGE))),
    "escalation-list": Rule(no_kwargs, get(PANEL_READ)),
    "escalation-detail": Rule(escalation, get(PANEL_READ)),
    # Only the chair and coordinators accept a response (the escalation is not yet responded: a 400 says why).
    "escalation-step": Rule(escalation_accept, (Check("POST", PANEL_MANAGE),)),
    "escalation-report": Rule(no_kwargs, get(OPCC_ONLY)),
    "escalation-report-csv": Rule(no_kwargs, get(OPCC_ONLY)),
    "escalation-report-pdf": Rule(no_kwargs, get(OPCC_ONLY)),
}
