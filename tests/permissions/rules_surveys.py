"""Who gets what from the survey routes: building and running a survey is for the panel's survey builders
(coordinators of any panel; chair and members too on youth and diversity panels; the panel under test is a
stop-and-search panel, so its member is refused). Answering is for anyone with the link."""

from __future__ import annotations

from typing import Any

from tests.permissions.routes import PANEL_MANAGE, PUBLIC, Check, Rule


def panel(s: Any) -> dict[str, Any]:
    return {"slug": s.panel.slug}


def survey(s: Any) -> dict[str, Any]:
    return {"pk": s.survey.pk}


def question(s: Any) -> dict[str, Any]:
    return {"pk": s.survey.pk, "question_pk": s.survey_question.pk}


def section(s: Any) -> dict[str, Any]:
    return {"pk": s.survey.pk, "section_pk": s.survey.sections.order_by("pk").first().pk}


def public(s: Any) -> dict[str, Any]:
    return {"public_key": s.survey.public_key}


def get(expected: dict[str, str]) -> tuple[Check, ...]:
    return (Check("GET", expected),)


def post(expected: dict[str, str], data: dict[str, Any] | None = None) -> tuple[Check, ...]:
    return (Check("POST", expected, data or {}),)


RULES: dict[str, Rule] = {
    "survey-list": Rule(panel, get(PANEL_MANAGE)),
    "survey-create": Rule(panel, (Check("GET", PANEL_MANAGE), Check("POST", PANEL_MANAGE, {"title": ""}))),
    "survey-detail": Rule(survey, get(PANEL_MANAGE)),
    "survey-question-create": Rule(survey, (Check("GET", PANEL_MANAGE), Check("POST", PANEL_MANAGE, {"text": ""}))),
    "survey-edit": Rule(survey, (Check("GET", PANEL_MANAGE), Check("POST", PANEL_MANAGE, {"title": ""}))),
    "survey-question-edit": Rule(question, (Check("GET", PANEL_MANAGE), Check("POST", PANEL_MANAGE, {"text": ""}))),
    "survey-question-delete": Rule(question, post(PANEL_MANAGE)),
    "survey-section-create": Rule(survey, post(PANEL_MANAGE, {"title": ""})),
    # The scenario's question is its survey's last: moving it up is allowed, and done, for the coordinator.
    "survey-question-move": Rule(question, post(PANEL_MANAGE, {"direction": "up"})),
    # One section only: moving it is refused with a message (a redirect), which still shows the view was reached.
    "survey-section-move": Rule(section, post(PANEL_MANAGE, {"direction": "down"})),
    # The section has questions and no confirmation is sent: the coordinator gets the page that asks first.
    "survey-section-delete": Rule(section, post(PANEL_MANAGE)),
    # API: the same people as the pages. Each sends what the view refuses with a 400 once reached.
    "api-survey-question-move": Rule(question, (Check("POST", PANEL_MANAGE, {"direction": "sideways"}),)),
    "api-survey-section-move": Rule(section, (Check("POST", PANEL_MANAGE, {"direction": "up"}),)),
    "api-survey-section-delete": Rule(section, (Check("POST", PANEL_MANAGE, {}),)),
    "survey-trust-set": Rule(survey, post(PANEL_MANAGE)),
    "survey-copy": Rule(survey, post(PANEL_MANAGE)),
    "survey-new-version": Rule(survey, post(PANEL_MANAGE)),
    "survey-open": Rule(survey, (Check("GET", PANEL_MANAGE), Check("POST", PANEL_MANAGE, {"opens_at": "nonsense"}))),
    "survey-close": Rule(survey, post(PANEL_MANAGE)),
    "survey-preview": Rule(survey, get(PANEL_MANAGE)),
    "survey-invitations": Rule(survey, (Check("GET", PANEL_MANAGE), Check("POST", PANEL_MANAGE, {"count": "0"}))),
    "survey-qr": Rule(lambda s: {"pk": s.survey.pk, "fmt": "svg"}, get(PANEL_MANAGE)),
    "survey-paper": Rule(survey, (Check("GET", PANEL_MANAGE), Check("POST", PANEL_MANAGE))),
    "survey-kiosk": Rule(survey, get(PANEL_MANAGE)),
    # Sent as a form, not JSON: the builder's request is refused as unreadable (400), after the permission check.
    "survey-kiosk-submit": Rule(survey, post(PANEL_MANAGE)),
    # Anyone may answer; an empty form is refused (no form token), which still shows the view was reached.
    "survey-respond": Rule(public, (Check("GET", PUBLIC), Check("POST", PUBLIC))),
    "survey-thanks": Rule(public, get(PUBLIC)),
    "survey-invited": Rule(lambda s: {"token": s.survey_invitation_token}, get(PUBLIC)),
}
