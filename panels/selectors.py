"""Reads about people and panels with more than one caller, scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from panels import census
from panels.models import ForceArea, Invitation, Meeting, Membership, Panel, SelfDescription
from panels.permissions import RUN_MEETING_ROLES, active_staff_roles, panels_visible_to
from panels.representativeness import MakeUp, compare_make_up


def current_members(panel: Panel) -> QuerySet[Membership]:
    return Membership.objects.active().filter(panel=panel).select_related("user").order_by("role", "user__email")


def panels_of_area(area: ForceArea) -> QuerySet[Panel]:
    """The force area's panels, by name."""
    return Panel.objects.filter(force_area=area).order_by("name", "pk")


def membership_history(panel: Panel) -> QuerySet[Membership]:
    return Membership.objects.filter(panel=panel).select_related("user", "created_by").order_by("-start_date", "-pk")


def pending_invitations(panel: Panel) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(panel=panel, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def meetings_for(panel: Panel, *, include_drafts: bool) -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(panel=panel).select_related("panel")  # a meeting's URL needs its panel's slug
    if not include_drafts:
        qs = qs.filter(Q(minutes_status=Meeting.MinutesStatus.PUBLISHED) | Q(starts_at__gte=timezone.now()))
    return qs.annotate(present=Count("attendance", filter=Q(attendance__status="present"))).order_by("-starts_at")


def published_meetings(panel: Panel) -> QuerySet[Meeting]:
    return Meeting.objects.filter(panel=panel, minutes_status=Meeting.MinutesStatus.PUBLISHED).order_by("-starts_at")


def public_panels() -> QuerySet[Panel]:
    return Panel.objects.filter(is_public=True).select_related("force_area").order_by("name")


@dataclass(frozen=True)
class PanelMakeUp:
    ethnicity: MakeUp
    age_band: MakeUp
    sex: MakeUp
    disability: MakeUp


def panel_make_up(panel: Panel) -> PanelMakeUp:
    """The panel's current members' self-descriptions in aggregate, ethnicity beside the area's population."""
    descriptions = list(
        SelfDescription.objects.filter(
            user__in=Membership.objects.active().filter(panel=panel).values("user_id")
        ).values("ethnic_group", "age_band", "sex", "disability")
    )
    five = [
        census.GROUP_BY_CODE[d["ethnic_group"]].five_group
        for d in descriptions
        if d["ethnic_group"] in census.GROUP_BY_CODE
    ]
    population = census.population_by_five_group(panel.force_area.code)
    return PanelMakeUp(
        ethnicity=compare_make_up(five, census.FIVE_GROUPS, population),
        age_band=compare_make_up(
            [_label(SelfDescription.AgeBand, d["age_band"]) for d in descriptions],
            _labels(SelfDescription.AgeBand),
        ),
        sex=compare_make_up(
            [_label(SelfDescription.Sex, d["sex"]) for d in descriptions], _labels(SelfDescription.Sex)
        ),
        disability=compare_make_up(
            [_label(SelfDescription.Disability, d["disability"]) for d in descriptions],
            _labels(SelfDescription.Disability),
        ),
    )


def _labels(choices: Any) -> list[str]:
    return [str(label) for value, label in choices.choices if value != "prefer_not"]


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, "")) if value and value != "prefer_not" else ""


@dataclass(frozen=True)
class Dashboard:
    memberships: list[Membership]
    upcoming_meetings: list[Meeting]
    minutes_to_publish: list[Meeting]
    invitations_waiting: int
    staff_roles: list[Any]
    area_panels: list[Panel]


def dashboard_for(user: Any) -> Dashboard:
    """What needs this person today, whatever their roles."""
    now = timezone.now()
    memberships = list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("panel", "panel__force_area")
        .order_by("panel__name")
    )
    panel_ids = [m.panel_id for m in memberships]
    runs = [m.panel_id for m in memberships if m.role in RUN_MEETING_ROLES]
    upcoming = list(
        Meeting.objects.filter(panel_id__in=panel_ids, starts_at__gte=now, starts_at__lte=now + timedelta(days=60))
        .select_related("panel")
        .order_by("starts_at")[:10]
    )
    to_publish = list(
        Meeting.objects.filter(panel_id__in=runs, starts_at__lt=now, minutes_status=Meeting.MinutesStatus.DRAFT)
        .select_related("panel")
        .order_by("-starts_at")[:10]
    )
    coordinates = [m.panel_id for m in memberships if m.role == Membership.Role.COORDINATOR]
    waiting = Invitation.objects.filter(
        panel_id__in=coordinates, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).count()
    staff_roles = list(active_staff_roles(user).select_related("organisation__force_area"))
    area_panels = (
        list(panels_visible_to(user).exclude(pk__in=panel_ids).select_related("force_area").order_by("name"))
        if staff_roles
        else []
    )
    return Dashboard(
        memberships=memberships,
        upcoming_meetings=upcoming,
        minutes_to_publish=to_publish,
        invitations_waiting=waiting,
        staff_roles=staff_roles,
        area_panels=area_panels,
    )
