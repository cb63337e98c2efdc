"""Recommendations to the PCC: written from a consultation, sent, answered by the OPCC, updated, published.

Who may do what (docs/recommendations.md):
- write, change a draft and send: the panel's survey builders (coordinators; chair and members too on youth
  commissions and diversity panels), the same people who build surveys and code themes;
- respond (accepted, partly, not accepted; what will be done and by when): OPCC officers of the panel's force area;
- add progress updates: those OPCC officers, and the panel's coordinators;
- publish on the panel's public page: the panel's coordinators;
- read: anyone who can see the panel (members, observers, the area's OPCC officers), but OPCC officers never see
  drafts. The public page shows only published recommendations, with the response and updates, and no names.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from panels.models import Membership, Panel
from panels.permissions import PanelAccess, get_panel_access, opcc_force_area_ids, panels_visible_to
from surveys.loop_models import Recommendation, RecommendationUpdate, Theme
from surveys.models import Survey
from surveys.permissions import can_build_surveys


class RecommendationError(ValueError):
    pass


# --- Who may do what --------------------------------------------------------------------------


class RecommendationAccess:
    def __init__(self, access: PanelAccess) -> None:
        self.panel_access = access
        self.can_write = can_build_surveys(access)
        self.can_respond = access.is_opcc or access.is_superuser
        self.can_publish = access.can_manage
        self.can_update = self.can_respond or access.can_manage

    @property
    def sees_drafts(self) -> bool:
        return self.panel_access.role is not None or self.panel_access.is_superuser


def get_recommendation_panel_access(user: Any, slug: str, *, write: bool = False) -> RecommendationAccess:
    """404 if no such panel; 403 if the user cannot see it, or (write) cannot write recommendations on it."""
    access = RecommendationAccess(get_panel_access(user, slug))
    if write and not access.can_write:
        raise PermissionDenied("Only the people who run this panel's consultations can write recommendations.")
    return access


def _recommendations() -> QuerySet[Recommendation]:
    return Recommendation.objects.select_related("panel", "panel__force_area", "survey").prefetch_related(
        "themes", Prefetch("updates", queryset=RecommendationUpdate.objects.order_by("created_at", "pk"))
    )


def get_recommendation_for_user(
    user: Any, pk: int, *, action: str = "view"
) -> tuple[Recommendation, RecommendationAccess]:
    """The recommendation and what the user may do with it. `action`: view, write, respond, update or publish.
    404 if there is none the user may see; 403 if they may see it but not take that action."""
    recommendation = _recommendations().filter(pk=pk).first()
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


# --- Reads ------------------------------------------------------------------------------------


def recommendations_of_panel(access: RecommendationAccess) -> QuerySet[Recommendation]:
    rows = _recommendations().filter(panel=access.panel_access.panel)
    if not access.sees_drafts:
        rows = rows.exclude(status=Recommendation.Status.DRAFT)
    return rows


def recommendations_awaiting_response(user: Any) -> QuerySet[Recommendation]:
    """Sent recommendations the user may answer: those of panels in their force area (OPCC officers)."""
    if not user.is_authenticated:
        return Recommendation.objects.none()
    rows = _recommendations().filter(status=Recommendation.Status.AWAITING).order_by("sent_at", "pk")
    if user.is_superuser:
        return rows
    return rows.filter(panel__force_area_id__in=opcc_force_area_ids(user))


def recommendations_visible_to(user: Any) -> QuerySet[Recommendation]:
    """Every recommendation the user may read, across their panels and their force area."""
    if not user.is_authenticated:
        return Recommendation.objects.none()
    rows = _recommendations().filter(panel__in=panels_visible_to(user))
    if user.is_superuser:
        return rows
    member_of = Membership.objects.active().filter(user=user).values("panel_id")
    return rows.filter(Q(panel_id__in=member_of) | ~Q(status=Recommendation.Status.DRAFT))


def public_recommendations(panel: Panel) -> list[Recommendation]:
    """Published recommendations with their response and updates, newest first. One query for the rows and one for
    the updates."""
    return list(
        Recommendation.objects.filter(panel=panel, published_at__isnull=False)
        .select_related("survey")
        .prefetch_related(Prefetch("updates", queryset=RecommendationUpdate.objects.order_by("created_at", "pk")))
        .order_by("-published_at", "-pk")
    )


# --- Writes -----------------------------------------------------------------------------------


def _check_survey_and_themes(panel: Panel, survey: Survey | None, themes: list[Theme]) -> None:
    if survey is not None and survey.panel_id != panel.pk:
        raise RecommendationError("That survey belongs to another panel.")
    if any(survey is None or t.survey_id != survey.pk for t in themes):
        raise RecommendationError("Themes must come from the recommendation's survey.")


@transaction.atomic
def recommendation_create(
    *,
    panel: Panel,
    title: str,
    body: str,
    survey: Survey | None = None,
    themes: list[Theme] | None = None,
    by: Any,
) -> Recommendation:
    themes = themes or []
    if not title.strip() or not body.strip():
        raise RecommendationError("A recommendation needs a title and what the panel recommends.")
    _check_survey_and_themes(panel, survey, themes)
    recommendation = Recommendation.objects.create(
        panel=panel, survey=survey, title=title.strip(), body=body.strip(), created_by=by
    )
    recommendation.themes.set(themes)
    return recommendation


@transaction.atomic
def recommendation_update(
    *, recommendation: Recommendation, title: str, body: str, themes: list[Theme] | None = None
) -> Recommendation:
    recommendation.refresh_from_db(fields=["status"])
    if recommendation.status != Recommendation.Status.DRAFT:
        raise RecommendationError("Only a draft can be changed: this one has been sent to the PCC.")
    if not title.strip() or not body.strip():
        raise RecommendationError("A recommendation needs a title and what the panel recommends.")
    themes = themes or []
    _check_survey_and_themes(recommendation.panel, recommendation.survey, themes)
    recommendation.title = title.strip()
    recommendation.body = body.strip()
    recommendation.save(update_fields=["title", "body"])
    recommendation.themes.set(themes)
    return recommendation


@transaction.atomic
def recommendation_send(*, recommendation: Recommendation) -> Recommendation:
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status != Recommendation.Status.DRAFT:
        raise RecommendationError("This recommendation has already been sent to the PCC.")
    recommendation.status = Recommendation.Status.AWAITING
    recommendation.sent_at = timezone.now()
    recommendation.save(update_fields=["status", "sent_at"])
    return recommendation


@transaction.atomic
def recommendation_respond(
    *, recommendation: Recommendation, decision: str, response: str, due_by: date | None, by: Any
) -> Recommendation:
    """The PCC's response. It may be given again (a changed response) until the panel publishes it; after that,
    progress is reported through updates."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status == Recommendation.Status.DRAFT:
        raise RecommendationError("The panel has not sent this recommendation yet.")
    if recommendation.status == Recommendation.Status.RESPONDED and recommendation.is_published:
        raise RecommendationError("The response has been published. Add a progress update instead.")
    if decision not in Recommendation.Decision.values:
        raise RecommendationError("Say whether the recommendation is accepted, partly accepted or not accepted.")
    if not response.strip():
        raise RecommendationError("Say what will be done, or why not.")
    if decision != Recommendation.Decision.NOT_ACCEPTED and due_by is None:
        raise RecommendationError("Say by when it will be done.")
    if due_by is not None and due_by < timezone.localdate():
        raise RecommendationError("The date it will be done by cannot be in the past.")
    recommendation.status = Recommendation.Status.RESPONDED
    recommendation.decision = decision
    recommendation.response = response.strip()
    recommendation.due_by = due_by
    recommendation.responded_at = timezone.now()
    recommendation.responded_by = by
    recommendation.save(update_fields=["status", "decision", "response", "due_by", "responded_at", "responded_by"])
    return recommendation


@transaction.atomic
def recommendation_add_update(
    *, recommendation: Recommendation, text: str, complete: bool = False, source: str, by: Any
) -> RecommendationUpdate:
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status != Recommendation.Status.RESPONDED:
        raise RecommendationError("Progress can be reported once the PCC has responded.")
    if not text.strip():
        raise RecommendationError("Say what has been done.")
    if source not in RecommendationUpdate.Source.values:
        raise RecommendationError("Unknown source.")
    return RecommendationUpdate.objects.create(
        recommendation=recommendation, text=text.strip(), complete=complete, source=source, created_by=by
    )


@transaction.atomic
def recommendation_publish(*, recommendation: Recommendation) -> Recommendation:
    """Show the recommendation on the panel's public page, with the PCC's response and updates as they come."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status == Recommendation.Status.DRAFT:
        raise RecommendationError("Send the recommendation to the PCC before publishing it.")
    if recommendation.published_at is None:
        recommendation.published_at = timezone.now()
        recommendation.save(update_fields=["published_at"])
    return recommendation
