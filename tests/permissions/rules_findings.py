"""Who gets what from the finding and escalation routes. A panel's findings are open to its members, chair and
coordinators; escalations to the panel too, and (tested in tests/frontend/test_escalation_pages.py) to the force's
liaison officers and the area's OPCC officers. Outsiders and anonymous visitors get nothing."""

from __future__ import annotations

from typing import Any

from tests.permissions.routes import PANEL_READ, Check, Rule


def escalation(s: Any) -> dict[str, Any]:
    return {"pk": s.escalation.pk}


def get(expected: dict[str, str]) -> tuple[Check, ...]:
    return (Check("GET", expected),)


RULES: dict[str, Rule] = {
    "escalation-detail": Rule(escalation, get(PANEL_READ)),
}
