"""Who may build and run surveys. Deny by default; roles are described in docs/surveys.md.

Builders: the coordinators of any panel; and on youth commissions and diversity panels, whose work is consulting
their communities, the chair and members too. Observers never build. Respondents need no account at all.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from panels.models import Membership, Panel
from panels.permissions import PanelAccess, get_panel_access
from surveys.building.models import Question, Section, Survey

COMMUNITY_PANEL_KINDS = {Panel.Kind.YOUTH, Panel.Kind.DIVERSITY}
BUILD_ROLES_ANY_PANEL = {Membership.Role.COORDINATOR}
BUILD_ROLES_COMMUNITY_PANEL = {Membership.Role.COORDINATOR, Membership.Role.CHAIR, Membership.Role.MEMBER}


def can_build_surveys(access: PanelAccess) -> bool:
    if access.is_superuser or access.role in BUILD_ROLES_ANY_PANEL:
        return True
    return access.panel.kind in COMMUNITY_PANEL_KINDS and access.role in BUILD_ROLES_COMMUNITY_PANEL


def get_survey_panel_access(user: Any, slug: str) -> PanelAccess:
    """The panel, if the user may build and run its surveys; 404 if no such panel, 403 otherwise."""
    access = get_panel_access(user, slug)
    if not can_build_surveys(access):
        raise PermissionDenied("Only the people who run this panel's consultations can do this.")
    return access


def get_survey_for_user(user: Any, pk: int) -> tuple[Survey, PanelAccess]:
    """A survey the user may build and run (and see the responses count of); 404 if none, 403 if not theirs."""
    survey = Survey.objects.select_related("panel", "panel__force_area").filter(pk=pk).first()
    if survey is None:
        raise Http404("No such survey.")
    return survey, get_survey_panel_access(user, survey.panel.slug)


def get_section_on_survey(survey: Survey, pk: int) -> Section:
    section = Section.objects.filter(survey=survey, pk=pk).first()
    if section is None:
        raise Http404("No such section.")
    return section


def get_question_on_survey(survey: Survey, pk: int) -> Question:
    question = Question.objects.select_related("survey").filter(survey=survey, pk=pk).first()
    if question is None:
        raise Http404("No such question.")
    return question
