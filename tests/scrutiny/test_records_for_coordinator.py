"""Who browses which records: a panel's coordinators see their force area's forces, with filters and counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from panels.models import Membership, User
from scrutiny import choices
from scrutiny.records.permissions import get_batch_for_user
from scrutiny.records.selectors import FLAG_PII, FLAG_REDACTION_PENDING, RecordFilters, records_for_coordinator
from tests.factories import MembershipFactory, PanelFactory, UserFactory, force_area
from tests.scrutiny.factories import EncounterRecordFactory, ForceFactory, ImportBatchFactory

E = choices.EthnicGroup


@pytest.fixture
def records(db: None) -> None:
    cheshire = ImportBatchFactory.create(force=ForceFactory.create(police_uk_id="cheshire"))
    merseyside = ImportBatchFactory.create(force=ForceFactory.create(police_uk_id="merseyside"))
    may = datetime(2025, 5, 20, 9, 0, tzinfo=UTC)
    EncounterRecordFactory.create(batch=cheshire)  # June, white, drugs, no further action
    EncounterRecordFactory.create(batch=cheshire, ethnic_group=E.BLACK, outcome=choices.Outcome.ARREST)
    EncounterRecordFactory.create(batch=cheshire, ethnic_group=E.NOT_STATED, occurred_at=may, month=date(2025, 5, 1))
    EncounterRecordFactory.create(
        batch=cheshire, ethnic_group=E.ASIAN, legislation=choices.Legislation.CJPOA_S60, pii_flagged=True
    )
    EncounterRecordFactory.create(batch=merseyside, ethnic_group=E.BLACK)


@pytest.mark.usefixtures("records")
def test_a_coordinator_sees_their_force_areas_records_with_counts(coordinator: User) -> None:
    found, counts = records_for_coordinator(coordinator)
    assert {r.force.police_uk_id for r in found} == {"cheshire"}
    assert counts == {
        "total": 4,
        "groups": {"asian": 1, "black": 1, "mixed": 0, "white": 1, "other": 0, "not_stated": 1},
    }


@pytest.mark.usefixtures("records")
@pytest.mark.parametrize(
    ("filters", "total"),
    [
        (RecordFilters(force="cheshire"), 4),
        (RecordFilters(force="merseyside"), 0),  # not theirs
        (RecordFilters(month_from=date(2025, 6, 1)), 3),
        (RecordFilters(month_to=date(2025, 5, 1)), 1),
        (RecordFilters(legislation=choices.Legislation.CJPOA_S60), 1),
        (RecordFilters(outcome=choices.Outcome.ARREST), 1),
        (RecordFilters(ethnic_group=E.BLACK), 1),
        (RecordFilters(ethnic_group=E.NOT_STATED), 1),
        (RecordFilters(flags=frozenset({FLAG_PII})), 1),
        (RecordFilters(flags=frozenset({FLAG_REDACTION_PENDING})), 1),
    ],
)
def test_the_filters_narrow_the_records_and_their_counts(coordinator: User, filters: RecordFilters, total: int) -> None:
    found, counts = records_for_coordinator(coordinator, filters)
    assert found.count() == counts["total"] == total


@pytest.mark.usefixtures("records")
def test_members_and_outsiders_see_no_records(member: User, outsider: User) -> None:
    for user in (member, outsider):
        found, counts = records_for_coordinator(user)
        assert counts["total"] == 0
        assert not found.exists()


@pytest.mark.usefixtures("records")
def test_a_superuser_sees_every_force(db: None) -> None:
    admin = UserFactory.create(is_superuser=True, is_staff=True)
    assert records_for_coordinator(admin)[1]["total"] == 5


@pytest.mark.usefixtures("records")
def test_a_coordinator_whose_role_has_ended_sees_nothing(coordinator: User) -> None:
    Membership.objects.filter(user=coordinator).update(end_date=date(2000, 1, 2), start_date=date(2000, 1, 1))
    assert records_for_coordinator(coordinator)[1]["total"] == 0


def test_batches_are_reached_only_by_coordinators_of_their_force_area(
    coordinator: User, member: User, db: None
) -> None:
    cheshire = ImportBatchFactory.create(force=ForceFactory.create(police_uk_id="cheshire"))
    merseyside = ImportBatchFactory.create(force=ForceFactory.create(police_uk_id="merseyside"))
    assert get_batch_for_user(coordinator, cheshire.pk) == cheshire
    with pytest.raises(Http404):
        get_batch_for_user(coordinator, merseyside.pk)
    with pytest.raises(PermissionDenied):
        get_batch_for_user(member, cheshire.pk)
    # A coordinator of a Merseyside panel is the one who reaches Merseyside's batches.
    other = MembershipFactory.create(
        panel=PanelFactory.create(force_area=force_area("E23000004")), role=Membership.Role.COORDINATOR
    ).user
    assert get_batch_for_user(other, merseyside.pk) == merseyside
