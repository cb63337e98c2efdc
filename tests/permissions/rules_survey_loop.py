"""Who gets what from the theme and recommendation pages and the surveys API (docs/recommendations.md).

Theme coding and writing recommendations are for the survey builders (the panel under test is a stop-and-search
panel, so only its coordinator); reading recommendations for anyone who can see the panel; responding for the area's
OPCC officers only (none of the four roles here: tests/surveys/test_recommendations.py covers them); publishing and
progress updates for coordinators. Answering a survey through the API is for anyone. POSTs send data that is refused
with a 400 once the view is reached, or act on the scenario's own draft recommendation.

The scenario's theme and draft recommendation are made when a rule first asks for them, so the shared scenario in
test_routes.py needs no new fields.
"""

from __future__ import annotations

from typing import Any

from surveys.loop.models import Recommendation, Theme
from surveys.loop.services import recommendation_create, theme_create
from tests.permissions.routes import (
    DENY,
    LOGIN,
    PANEL_MANAGE,
    PANEL_READ,
    PUBLIC,
    SIGNED_IN,
    Check,
    Rule,
    expect,
    no_kwargs,
)

OPCC_ONLY = expect(LOGIN, DENY, DENY, DENY)


def _theme(s: Any) -> Theme:
    if getattr(s, "loop_theme", None) is None:
        s.loop_theme = theme_create(survey=s.survey, name="Being stopped", by=s.users["coordinator"])
    return s.loop_theme


def _recommendation(s: Any) -> Recommendation:
    if getattr(s, "loop_recommendation", None) is None:
        s.loop_recommendation = recommendation_create(
            panel=s.panel, survey=s.survey, title="Explain searches", body="Say why.", by=s.users["coordinator"]
        )
    return s.loop_recommendation


def panel(s: Any) -> dict[str, Any]:
    return {"slug": s.panel.slug}


def survey(s: Any) -> dict[str, Any]:
    return {"pk": s.survey.pk}


def theme(s: Any) -> dict[str, Any]:
    return {"pk": _theme(s).pk}


def recommendation(s: Any) -> dict[str, Any]:
    return {"pk": _recommendation(s).pk}


def public(s: Any) -> dict[str, Any]:
    return {"public_key": s.survey.public_key}


def get(expected: dict[str, str]) -> Check:
    return Check("GET", expected)


def post(expected: dict[str, str], data: dict[str, Any] | None = None) -> Check:
    return Check("POST", expected, data or {})


RULES: dict[str, Rule] = {
    # Pages
    "survey-themes": Rule(survey, (get(PANEL_MANAGE), post(PANEL_MANAGE, {"name": ""}))),
    "survey-theme-tag": Rule(survey, (post(PANEL_MANAGE),)),
    "survey-theme-merge": Rule(survey, (post(PANEL_MANAGE),)),
    "recommendation-inbox": Rule(no_kwargs, (get(SIGNED_IN),)),
    "recommendation-list": Rule(panel, (get(PANEL_READ),)),
    "recommendation-create": Rule(panel, (get(PANEL_MANAGE), post(PANEL_MANAGE, {"title": ""}))),
    "recommendation-detail": Rule(recommendation, (get(PANEL_READ),)),
    "recommendation-edit": Rule(recommendation, (get(PANEL_MANAGE), post(PANEL_MANAGE, {"title": ""}))),
    "recommendation-send": Rule(recommendation, (post(PANEL_MANAGE),)),
    "recommendation-respond": Rule(recommendation, (get(OPCC_ONLY), post(OPCC_ONLY))),
    "recommendation-add-update": Rule(recommendation, (post(PANEL_MANAGE),)),
    "recommendation-publish": Rule(recommendation, (post(PANEL_MANAGE),)),
    # API
    "api-survey-list": Rule(panel, (get(PANEL_MANAGE),)),
    "api-survey-detail": Rule(survey, (get(PANEL_MANAGE), Check("PATCH", PANEL_MANAGE, {"sampling_design": "x"}))),
    "api-survey-responses": Rule(survey, (get(PANEL_MANAGE),)),
    "api-survey-results": Rule(survey, (get(PANEL_MANAGE),)),
    "api-theme-list": Rule(survey, (get(PANEL_MANAGE), post(PANEL_MANAGE, {"name": ""}))),
    "api-text-answer-list": Rule(survey, (get(PANEL_MANAGE),)),
    "api-theme-tag": Rule(theme, (post(PANEL_MANAGE),)),
    "api-theme-merge": Rule(theme, (post(PANEL_MANAGE),)),
    "api-public-survey": Rule(public, (get(PUBLIC),)),
    "api-public-survey-respond": Rule(public, (post(PUBLIC),)),
    "api-recommendation-list": Rule(panel, (get(PANEL_READ), post(PANEL_MANAGE))),
    "api-recommendation-detail": Rule(recommendation, (get(PANEL_READ), Check("PATCH", PANEL_MANAGE, {"title": ""}))),
    "api-recommendation-send": Rule(recommendation, (post(PANEL_MANAGE),)),
    "api-recommendation-respond": Rule(recommendation, (post(OPCC_ONLY),)),
    "api-recommendation-updates": Rule(recommendation, (post(PANEL_MANAGE),)),
    "api-recommendation-publish": Rule(recommendation, (post(PANEL_MANAGE),)),
}
