"""Record and batch reads: scoped to the user's forces, filtered, counted in one query."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from panels.models import Membership, Organisation, Panel, StaffRole, User
from scrutiny.choices import EthnicGroup, Legislation, Outcome
from scrutiny.models import EncounterRecord, ImportBatch
from scrutiny.records import selectors
from scrutiny.records.permissions import forces_for_user, may_handle_records
from scrutiny.records.selectors import RecordFilters
from tests.factories import MembershipFactory, OrganisationFactory, StaffRoleFactory, UserFactory
from tests.scrutiny.factories import area_of, make_batch, make_force, make_record
from tests.scrutiny.records_support import force_fixture, other_coordinator_fixture  # noqa: F401


@pytest.fixture
def records(force: Organisation, other_coordinator: User) -> dict[str, EncounterRecord]:
    """Six Cheshire records that differ in one thing each, and one Merseyside record."""
    batch = make_batch(force)
    june = datetime(2025, 6, 10, 9, 0, tzinfo=UTC)
    made = {
        "june": make_record(batch, occurred_at=june),
        "july": make_record(batch, occurred_at=june + timedelta(days=30)),
        "s60": make_record(batch, occurred_at=june, legislation=Legislation.CJPOA_S60),
        "arrest": make_record(batch, occurred_at=june, outcome=Outcome.ARREST, ethnic_group=EthnicGroup.BLACK),
        "blank": make_record(batch, occurred_at=june, ethnic_group=""),
        "flagged": make_record(batch, occurred_at=june, pii_flagged=True, vehicle_only=True, grounds_text="x"),
    }
    other = make_batch(Organisation.objects.get(police_uk_id="merseyside"))
    made["merseyside"] = make_record(other, occurred_at=june)
    return made


def pks(queryset: Any) -> set[int]:
    return {r.pk for r in queryset}


def ids(records: dict[str, EncounterRecord], *names: str) -> set[int]:
    return {records[n].pk for n in names}


CHESHIRE = ("june", "july", "s60", "arrest", "blank", "flagged")


def test_a_coordinator_sees_only_the_records_of_their_panels_force_area(
    coordinator: User, other_coordinator: User, records: dict[str, EncounterRecord]
) -> None:
    assert pks(selectors.records_for_user(coordinator)) == ids(records, *CHESHIRE)
    assert pks(selectors.records_for_user(other_coordinator)) == ids(records, "merseyside")


def test_a_superuser_sees_every_force(records: dict[str, EncounterRecord]) -> None:
    admin = UserFactory.create(is_superuser=True, is_staff=True)
    assert pks(selectors.records_for_user(admin)) == ids(records, *CHESHIRE, "merseyside")


def test_members_chairs_observers_staff_and_former_coordinators_see_nothing(
    panel: Panel, member: User, outsider: User, records: dict[str, EncounterRecord]
) -> None:
    chair = MembershipFactory.create(panel=panel, role=Membership.Role.CHAIR).user
    observer = MembershipFactory.create(panel=panel, role=Membership.Role.OBSERVER).user
    former = MembershipFactory.create(
        panel=panel, role=Membership.Role.COORDINATOR, end_date=timezone.localdate() - timedelta(days=1)
    ).user
    liaison = StaffRoleFactory.create(
        role=StaffRole.Role.FORCE_LIAISON, organisation=Organisation.objects.get(police_uk_id="cheshire")
    ).user
    opcc = StaffRoleFactory.create(organisation=OrganisationFactory.create(force_area=panel.force_area)).user
    for user in (member, outsider, chair, observer, former, liaison, opcc):
        assert not may_handle_records(user), user
        assert not forces_for_user(user).exists(), user
        assert not selectors.records_for_user(user).exists(), user


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (RecordFilters(force="cheshire"), CHESHIRE),
        (RecordFilters(force="merseyside"), ()),  # not one of theirs: nothing, never another force's records
        (RecordFilters(month_from=date(2025, 7, 1)), ("july",)),
        (RecordFilters(month_to=date(2025, 6, 1)), ("june", "s60", "arrest", "blank", "flagged")),
        (
            RecordFilters(month_from=date(2025, 6, 1), month_to=date(2025, 6, 1)),
            ("june", "s60", "arrest", "blank", "flagged"),
        ),
        (RecordFilters(legislation=Legislation.CJPOA_S60), ("s60",)),
        (RecordFilters(outcome=Outcome.ARREST), ("arrest",)),
        (RecordFilters(ethnic_group=EthnicGroup.BLACK), ("arrest",)),
        (RecordFilters(ethnic_group=EthnicGroup.NOT_STATED), ("blank",)),
        (RecordFilters(flags=frozenset({selectors.FLAG_PII})), ("flagged",)),
        (RecordFilters(flags=frozenset({selectors.FLAG_REDACTION_PENDING})), ("flagged",)),
        (RecordFilters(flags=frozenset({selectors.FLAG_VEHICLE_ONLY})), ("flagged",)),
        (RecordFilters(flags=frozenset({selectors.FLAG_NOT_VEHICLE_ONLY})), ("june", "july", "s60", "arrest", "blank")),
    ],
)
def test_each_filter_narrows_the_list(
    coordinator: User, records: dict[str, EncounterRecord], filters: RecordFilters, expected: tuple[str, ...]
) -> None:
    assert pks(selectors.records_for_user(coordinator, filters)) == ids(records, *expected)


def test_a_checked_redaction_is_no_longer_pending(coordinator: User, records: dict[str, EncounterRecord]) -> None:
    records["flagged"].mark_redaction_checked(by=coordinator)
    pending = RecordFilters(flags=frozenset({selectors.FLAG_REDACTION_PENDING}))
    assert not selectors.records_for_user(coordinator, pending).exists()
    flagged = RecordFilters(flags=frozenset({selectors.FLAG_PII}))
    assert pks(selectors.records_for_user(coordinator, flagged)) == ids(records, "flagged")


def test_counts_are_the_total_and_the_five_groups_in_one_query(
    coordinator: User, records: dict[str, EncounterRecord], django_assert_num_queries: Callable[..., Any]
) -> None:
    with django_assert_num_queries(1):
        counts = selectors.record_counts(selectors.records_for_user(coordinator))
    assert counts["total"] == 6
    assert counts["groups"] == {"asian": 0, "black": 1, "mixed": 0, "white": 4, "other": 0, "not_stated": 1}


def test_the_list_is_newest_first_fifty_a_page(coordinator: User, force: Organisation) -> None:
    batch = make_batch(force)
    start = datetime(2025, 6, 1, tzinfo=UTC)
    for i in range(55):
        make_record(batch, occurred_at=start + timedelta(hours=i))
    page = selectors.record_page(selectors.records_for_user(coordinator), 1)
    assert len(page.object_list) == 50
    assert page.paginator.num_pages == 2
    times = [r.occurred_at for r in page.object_list]
    assert times == sorted(times, reverse=True)
    assert len(selectors.record_page(selectors.records_for_user(coordinator), "99").object_list) == 5


def test_batches_are_listed_per_force(coordinator: User, force: Organisation, other_coordinator: User) -> None:
    mine = make_batch(force)
    theirs = make_batch(Organisation.objects.get(police_uk_id="merseyside"))
    assert list(selectors.batches_for(coordinator)) == [mine]
    assert list(selectors.batches_for(coordinator, force="merseyside")) == []
    assert list(selectors.batches_for(other_coordinator)) == [theirs]
    assert ImportBatch.objects.count() == 2


def test_a_second_force_in_the_same_area_is_the_coordinators_too(coordinator: User, force: Organisation) -> None:
    transport = make_force(code=area_of(force).code, police_uk_id="cheshire-transport", name="Cheshire Transport")
    assert set(forces_for_user(coordinator)) == {force, transport}


def test_the_data_months_are_the_first_and_latest_whole_months_of_current_searches(force: Organisation) -> None:
    batch = make_batch(force)
    this_month = timezone.localdate().replace(day=1)
    make_record(batch, occurred_at=datetime(2024, 3, 5, 9, 0, tzinfo=UTC))
    make_record(batch, occurred_at=datetime(2025, 6, 5, 9, 0, tzinfo=UTC))
    # Not counted: a use of force, a withdrawn search, a search of this (unfinished) month.
    make_record(batch, occurred_at=datetime(2023, 1, 5, 9, 0, tzinfo=UTC), kind="use_of_force")
    make_record(batch, occurred_at=datetime(2023, 2, 5, 9, 0, tzinfo=UTC), withdrawn_at=timezone.now())
    make_record(batch, occurred_at=timezone.now(), month=this_month)
    assert selectors.data_months([force]) == (date(2024, 3, 1), date(2025, 6, 1))
    assert selectors.data_months([Organisation.objects.get(police_uk_id="merseyside")]) == (None, None)
