from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from panels.models import Membership, Panel, User
from surveys.building.models import Survey
from surveys.building.permissions import get_survey_for_user, get_survey_panel_access
from surveys.building.services import survey_open
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


def test_a_survey_read_by_its_public_link_holds_what_the_orm_reads(panel: Panel) -> None:
    """Every field, dates and times included, comes out as the ORM reads it, on SQLite as on PostgreSQL."""
    survey = make_survey(panel)
    survey_open(
        survey=survey, opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=9)
    )
    read, expected = get_public_survey(survey.public_key), Survey.objects.get(pk=survey.pk)
    fields = [f.attname for f in Survey._meta.concrete_fields]
    assert {f: getattr(read, f) for f in fields} == {f: getattr(expected, f) for f in fields}
    assert read.opens_at is not None
    assert read.opens_at.tzinfo is not None
    assert read.panel == panel
    assert get_public_survey(survey.public_key).accepting_state() == "open"
    with pytest.raises(Http404):
        get_public_survey("no-such-key")
