"""Who may code themes and do what with a recommendation (docs/recommendations.md).

Themes: the people who build the survey (surveys.building.permissions `get_survey_for_user`).

Recommendations:
- write, change a draft and send: the panel's survey builders (coordinators; chair and members too on youth
  commissions and diversity panels), the same people who build surveys and code themes;
- respond (accepted, partly, not accepted; what will be done and by when): OPCC officers of the panel's force area;
- add progress updates: those OPCC officers, and the panel's coordinators;
- publish on the panel's public page: the panel's coordinators;
- read: anyone who can see the panel (members, observers, the area's OPCC officers), but OPCC officers never see
  drafts. The public page shows only published recommendations, with the response and updates, and no names.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from panels.permissions import PanelAccess, get_panel_access
from surveys.building.models import Survey
from surveys.building.permissions import can_build_surveys, get_survey_for_user
from surveys.loop.models import Recommendation, RecommendationUpdate, Theme
from surveys.loop.selectors import recommendations_with_updates


def get_theme_on_survey(survey: Survey, pk: int) -> Theme:
    theme = Theme.objects.filter(survey=survey, pk=pk).first()
    if theme is None:
        raise Http404("No such theme.")
    return theme


def get_theme_for_user(user: Any, pk: int) -> Theme:
    """A theme of a survey the user may build and code; 404 if none, 403 if the survey is not theirs."""
    theme = Theme.objects.filter(pk=pk).first()
    if theme is None:
        raise Http404("No such theme.")
    theme.survey, _ = get_survey_for_user(user, theme.survey_id)
    return theme


class RecommendationAccess:
    def __init__(self, access: PanelAccess) -> None:
        self.panel_access = access
        self.can_write = can_build_surveys(access)
        self.can_respond = access.is_opcc or access.is_superuser
        self.can_publish = access.can_manage
        self.can_update = self.can_respond or access.can_manage

    @property
    def update_source(self) -> str:
        """Whom a progress update added by this person is from: the OPCC's officers, or else the panel."""
        return RecommendationUpdate.Source.OPCC if self.can_respond else RecommendationUpdate.Source.PANEL

    @property
    def sees_drafts(self) -> bool:
        return self.panel_access.role is not None or self.panel_access.is_superuser


def get_recommendation_panel_access(user: Any, slug: str, *, write: bool = False) -> RecommendationAccess:
    """404 if no such panel; 403 if the user cannot see it, or (write) cannot write recommendations on it."""
    access = RecommendationAccess(get_panel_access(user, slug))
    if write and not access.can_write:
        raise PermissionDenied("Only the people who run this panel's consultations can write recommendations.")
    return access


def get_recommendation_for_user(
    user: Any, pk: int, *, action: str = "view"
) -> tuple[Recommendation, RecommendationAccess]:
    """The recommendation and what the user may do with it. `action`: view, write, respond, update or publish.
    404 if there is none the user may see; 403 if they may see it but not take that action."""
    recommendation = recommendations_with_updates().filter(pk=pk).first()
    if recommendation is None:
        raise Http404("No such recommendation.")
    try:
        access = RecommendationAccess(get_panel_access(user, recommendation.panel.slug))
    except PermissionDenied:
        raise Http404("No such recommendation.") from None
    if recommendation.status == Recommendation.Status.DRAFT and not access.sees_drafts:
        raise Http404("No such recommendation.")
    allowed = {
        "view": True,
        "write": access.can_write,
        "respond": access.can_respond,
        "update": access.can_update,
        "publish": access.can_publish,
    }[action]
    if not allowed:
        raise PermissionDenied("You cannot do this with this recommendation.")
    return recommendation, access
