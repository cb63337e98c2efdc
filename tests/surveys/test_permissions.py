from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from panels.models import Membership, Panel, User
from surveys.building.permissions import get_survey_for_user, get_survey_panel_access
from surveys.responding.permissions import get_public_survey
from tests.factories import MembershipFactory, PanelFactory
from tests.surveys.factories import make_survey


def test_a_coordinator_of_any_panel_may_build(panel: Panel, coordinator: User) -> None:
    assert get_survey_panel_access(coordinator, panel.slug).panel == panel


def test_a_member_of_a_scrutiny_panel_may_not_build(panel: Panel, member: User) -> None:
    with pytest.raises(PermissionDenied):
        get_survey_panel_access(member, panel.slug)


@pytest.mark.parametrize("kind", [Panel.Kind.YOUTH, Panel.Kind.DIVERSITY])
@pytest.mark.parametrize("role", [Membership.Role.MEMBER, Membership.Role.CHAIR])
def test_members_and_chairs_of_youth_and_diversity_panels_may_build(db: None, kind: str, role: str) -> None:
    youth = PanelFactory.create(kind=kind)
    commissioner = MembershipFactory.create(panel=youth, role=role).user
    assert get_survey_panel_access(commissioner, youth.slug).can_view


def test_an_observer_of_a_youth_commission_may_not_build(db: None) -> None:
    youth = PanelFactory.create(kind=Panel.Kind.YOUTH)
    observer = MembershipFactory.create(panel=youth, role=Membership.Role.OBSERVER).user
    with pytest.raises(PermissionDenied):
        get_survey_panel_access(observer, youth.slug)


def test_it_refuses_an_outsider_a_survey(panel: Panel, outsider: User) -> None:
    survey = make_survey(panel)
    with pytest.raises(PermissionDenied):
        get_survey_for_user(outsider, survey.pk)
    with pytest.raises(Http404):
        get_survey_for_user(outsider, survey.pk + 1000)


def test_a_draft_has_no_public_page(panel: Panel) -> None:
    survey = make_survey(panel)
    with pytest.raises(Http404):
        get_public_survey(survey.public_key)
    open_survey = make_survey(panel, open_it=True)
    assert get_public_survey(open_survey.public_key) == open_survey


# The public link was once read by hand-written SQL, tested here field by field against the ORM's read; it reads through
# the ORM again (answers use a kept copy instead: surveys.responding.kept), so what is left to hold is which survey
# the link finds, with its panel in the same query.
def test_a_public_link_finds_its_survey_with_its_panel_and_nothing_else(
    panel: Panel, django_assert_num_queries: Any
) -> None:
    survey = make_survey(panel, open_it=True)
    with django_assert_num_queries(1):
        read = get_public_survey(survey.public_key)
        assert read.panel == panel
    assert read.accepting_state() == "open"
    with pytest.raises(Http404):
        get_public_survey("no-such-key")
