"""Recommendations to the PCC: written by the survey builders, sent, answered by the area's OPCC officers, updated,
published by coordinators; who may do each step; what the public page shows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from panels.models import ForceArea, Organisation, Panel, User
from surveys.loop.models import Recommendation, RecommendationUpdate
from surveys.loop.permissions import get_recommendation_for_user, get_recommendation_panel_access
from surveys.loop.selectors import (
    public_recommendations,
    recommendations_awaiting_response,
    recommendations_of_panel,
    recommendations_visible_to,
)
from surveys.loop.services import (
    RecommendationError,
    recommendation_add_update,
    recommendation_create,
    recommendation_publish,
    recommendation_respond,
    recommendation_send,
    recommendation_update,
    theme_create,
)
from tests.factories import MembershipFactory, OrganisationFactory, PanelFactory, StaffRoleFactory, UserFactory
from tests.surveys.factories import make_survey


def opcc_officer(panel: Panel, email: str = "officer@opcc.example.org") -> User:
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=panel.force_area)
    return StaffRoleFactory.create(user__email=email, organisation=office).user


def other_area_officer() -> User:
    area = ForceArea.objects.exclude(code="E23000006").first()
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=area)
    return StaffRoleFactory.create(user__email="elsewhere@opcc.example.org", organisation=office).user


@pytest.fixture
def draft(panel: Panel, coordinator: User) -> Recommendation:
    survey = make_survey(panel, by=coordinator, open_it=True)
    return recommendation_create(
        panel=panel,
        survey=survey,
        title="Explain every search",
        body="Young people said officers did not say why.",
        by=coordinator,
    )


def soon() -> date:
    return timezone.localdate() + timedelta(days=90)


def test_a_recommendation_goes_from_draft_to_response_to_published(
    draft: Recommendation, panel: Panel, coordinator: User
) -> None:
    officer = opcc_officer(panel)
    recommendation_send(recommendation=draft)
    draft.refresh_from_db()
    assert draft.status == Recommendation.Status.AWAITING
    assert list(recommendations_awaiting_response(officer)) == [draft]
    recommendation_respond(
        recommendation=draft, decision="partly", response="Officers will be briefed.", due_by=soon(), by=officer
    )
    recommendation_add_update(recommendation=draft, text="Briefing written.", source="opcc", by=officer)
    recommendation_publish(recommendation=draft)
    [shown] = public_recommendations(panel)
    assert shown.decision == "partly"
    assert [u.text for u in shown.updates.all()] == ["Briefing written."]
    assert list(recommendations_awaiting_response(officer)) == []


def test_only_published_recommendations_are_public(draft: Recommendation, panel: Panel) -> None:
    assert public_recommendations(panel) == []
    recommendation_send(recommendation=draft)
    assert public_recommendations(panel) == []
    recommendation_publish(recommendation=draft)
    assert public_recommendations(panel) == [draft]


def test_a_draft_cannot_be_published_or_answered(draft: Recommendation, panel: Panel) -> None:
    with pytest.raises(RecommendationError):
        recommendation_publish(recommendation=draft)
    with pytest.raises(RecommendationError):
        recommendation_respond(recommendation=draft, decision="accepted", response="Yes", due_by=soon(), by=None)


def test_a_sent_recommendation_cannot_be_changed_or_sent_again(draft: Recommendation) -> None:
    recommendation_send(recommendation=draft)
    draft.refresh_from_db()
    with pytest.raises(RecommendationError):
        recommendation_update(recommendation=draft, title="New", body="New")
    with pytest.raises(RecommendationError):
        recommendation_send(recommendation=draft)


@pytest.mark.parametrize(
    ("decision", "response", "due_by", "message"),
    [
        ("maybe", "Text", "soon", "accepted, partly accepted or not accepted"),
        ("accepted", "  ", "soon", "what will be done"),
        ("accepted", "Text", None, "by when"),
        ("partly", "Text", "past", "cannot be in the past"),
    ],
)
def test_a_response_says_the_decision_what_and_by_when(
    draft: Recommendation, decision: str, response: str, due_by: str | None, message: str
) -> None:
    recommendation_send(recommendation=draft)
    dates = {"soon": soon(), "past": timezone.localdate() - timedelta(days=1), None: None}
    with pytest.raises(RecommendationError, match=message):
        recommendation_respond(
            recommendation=draft, decision=decision, response=response, due_by=dates[due_by], by=None
        )


def test_not_accepted_needs_no_date(draft: Recommendation) -> None:
    recommendation_send(recommendation=draft)
    done = recommendation_respond(
        recommendation=draft, decision="not_accepted", response="Already policy.", due_by=None, by=None
    )
    assert done.status == Recommendation.Status.RESPONDED


def test_a_published_response_is_not_rewritten_only_updated(draft: Recommendation) -> None:
    recommendation_send(recommendation=draft)
    recommendation_respond(recommendation=draft, decision="accepted", response="Will do.", due_by=soon(), by=None)
    recommendation_publish(recommendation=draft)
    with pytest.raises(RecommendationError, match="progress update"):
        recommendation_respond(recommendation=draft, decision="not_accepted", response="No.", due_by=None, by=None)


def test_progress_needs_a_response_first(draft: Recommendation) -> None:
    recommendation_send(recommendation=draft)
    with pytest.raises(RecommendationError):
        recommendation_add_update(recommendation=draft, text="Started.", source="opcc", by=None)
    assert not RecommendationUpdate.objects.exists()


def test_survey_and_themes_must_be_the_panels_own(panel: Panel, coordinator: User) -> None:
    other_panel = PanelFactory.create()
    foreign = make_survey(other_panel, by=coordinator)
    with pytest.raises(RecommendationError):
        recommendation_create(panel=panel, survey=foreign, title="T", body="B", by=coordinator)
    mine = make_survey(panel, by=coordinator)
    foreign_theme = theme_create(survey=foreign, name="X", by=coordinator)
    with pytest.raises(RecommendationError):
        recommendation_create(panel=panel, survey=mine, themes=[foreign_theme], title="T", body="B", by=coordinator)


# --- Who may do what --------------------------------------------------------------------------------------------


def test_the_areas_opcc_officer_responds_but_never_sees_drafts(draft: Recommendation, panel: Panel) -> None:
    officer = opcc_officer(panel)
    with pytest.raises(Http404):
        get_recommendation_for_user(officer, draft.pk)
    assert list(recommendations_of_panel(get_recommendation_panel_access(officer, panel.slug))) == []
    assert list(recommendations_visible_to(officer)) == []
    recommendation_send(recommendation=draft)
    _, access = get_recommendation_for_user(officer, draft.pk, action="respond")
    assert access.can_respond
    assert access.can_update
    with pytest.raises(PermissionDenied):
        get_recommendation_for_user(officer, draft.pk, action="publish")
    with pytest.raises(PermissionDenied):
        get_recommendation_for_user(officer, draft.pk, action="write")


def test_an_officer_of_another_area_sees_nothing(draft: Recommendation) -> None:
    recommendation_send(recommendation=draft)
    officer = other_area_officer()
    with pytest.raises(Http404):
        get_recommendation_for_user(officer, draft.pk)
    assert list(recommendations_awaiting_response(officer)) == []


def test_the_coordinator_writes_and_publishes_but_does_not_respond(draft: Recommendation, coordinator: User) -> None:
    for action in ("view", "write", "publish", "update"):
        get_recommendation_for_user(coordinator, draft.pk, action=action)
    with pytest.raises(PermissionDenied):
        get_recommendation_for_user(coordinator, draft.pk, action="respond")


def test_a_scrutiny_panel_member_reads_but_does_not_write(draft: Recommendation, member: User) -> None:
    get_recommendation_for_user(member, draft.pk)
    for action in ("write", "publish", "update", "respond"):
        with pytest.raises(PermissionDenied):
            get_recommendation_for_user(member, draft.pk, action=action)


def test_youth_commissioners_write_but_only_coordinators_publish(coordinator: User) -> None:
    youth = PanelFactory.create(kind=Panel.Kind.YOUTH)
    commissioner = MembershipFactory.create(panel=youth, role="member").user
    recommendation = recommendation_create(panel=youth, title="T", body="B", by=commissioner)
    get_recommendation_for_user(commissioner, recommendation.pk, action="write")
    with pytest.raises(PermissionDenied):
        get_recommendation_for_user(commissioner, recommendation.pk, action="publish")


def test_an_outsider_is_refused(draft: Recommendation, outsider: User) -> None:
    with pytest.raises(Http404):
        get_recommendation_for_user(outsider, draft.pk)
    assert list(recommendations_visible_to(outsider)) == []
    assert list(recommendations_awaiting_response(outsider)) == []


def test_an_observer_on_the_panel_reads_its_recommendations(draft: Recommendation, panel: Panel) -> None:
    observer = MembershipFactory.create(panel=panel, role="observer", user=UserFactory.create()).user
    assert list(recommendations_visible_to(observer)) == [draft]
