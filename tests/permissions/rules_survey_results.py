"""Who gets survey results and exports: the same people as build and run the survey (the panel under test is a
stop-and-search panel, so only its coordinator). Everyone else is refused, the shared version included: it is the
panel's to share, not a public page."""

from __future__ import annotations

from typing import Any

from tests.permissions.routes import PANEL_MANAGE, Check, Rule


def survey(s: Any) -> dict[str, Any]:
    return {"pk": s.survey.pk}


GET = (Check("GET", PANEL_MANAGE),)

RULES: dict[str, Rule] = {
    "survey-results": Rule(survey, GET),
    "survey-results-shared": Rule(survey, GET),
    "survey-responses-export": Rule(lambda s: {"pk": s.survey.pk, "fmt": "csv"}, GET),
    "survey-results-export": Rule(lambda s: {"pk": s.survey.pk, "audience": "shared", "fmt": "xlsx"}, GET),
}
