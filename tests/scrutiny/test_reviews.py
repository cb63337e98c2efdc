"""Review sessions through the services: the sample, blind scores, the reveal, the agreed view, findings."""

from __future__ import annotations

from datetime import date

import pytest

from panels.models import Membership, Panel, User
from scrutiny.choices import EthnicGroup, Legislation
from scrutiny.models import Assessment, AuditEvent, GroundsRating, ReviewSession, SessionRecord
from scrutiny.reviews import selectors
from scrutiny.reviews.sampling import PROPORTIONAL, STRATIFIED, SampleSpec
from scrutiny.reviews.services import (
    AssessmentInput,
    FindingConflict,
    FindingInput,
    ReviewError,
    assessment_save,
    finding_update,
    item_agree,
    item_reveal,
    session_add_record,
    session_create,
    session_next,
)
from tests.factories import MembershipFactory
from tests.scrutiny.factories import make_batch, make_finding, make_force, make_record, make_session

GROUPS = [EthnicGroup.ASIAN, EthnicGroup.BLACK, EthnicGroup.MIXED, EthnicGroup.WHITE, EthnicGroup.OTHER]


@pytest.fixture
def records(panel: Panel) -> list:
    batch = make_batch(make_force(code=panel.force_area.code))
    made = []
    for n in range(60):
        group = GROUPS[n % 5] if n < 50 else EthnicGroup.WHITE
        legislation = Legislation.PACE_S1 if n % 3 == 0 else Legislation.MISUSE_OF_DRUGS_S23
        made.append(make_record(batch, ethnic_group=group, legislation=legislation))
    return made


def create(panel: Panel, by: User, **spec: object) -> ReviewSession:
    return session_create(panel=panel, title="Review", day=date(2025, 7, 1), spec=SampleSpec(**spec), by=by)  # type: ignore[arg-type]


def ids(session: ReviewSession) -> list[int]:
    return list(session.items.order_by("position").values_list("record_id", flat=True))


def test_the_same_spec_and_seed_draw_the_same_records(panel: Panel, coordinator: User, records: list) -> None:
    first = create(panel, coordinator, size=12, seed=7)
    again = create(panel, coordinator, size=12, seed=7)
    other = create(panel, coordinator, size=12, seed=8)
    assert ids(first) == ids(again)
    assert len(ids(first)) == 12
    assert ids(first) != ids(other)
    assert SampleSpec.from_json(first.sample_spec) == SampleSpec(size=12, seed=7)


def test_a_filter_limits_the_population(panel: Panel, coordinator: User, records: list) -> None:
    session = create(panel, coordinator, size=100, seed=1, legislation=(Legislation.PACE_S1,))
    expected = {r.pk for r in records if r.legislation == Legislation.PACE_S1}
    assert set(ids(session)) == expected


def test_a_stratified_sample_has_the_requested_count_per_group(panel: Panel, coordinator: User, records: list) -> None:
    session = create(panel, coordinator, size=4, seed=3, method=STRATIFIED)
    groups = [i.record.ethnic_group for i in session.items.select_related("record")]
    assert {g: groups.count(g) for g in GROUPS} == dict.fromkeys(GROUPS, 4)
    assert all(i.stratum == i.record.ethnic_group for i in session.items.select_related("record"))


def test_a_proportional_sample_follows_the_population(panel: Panel, coordinator: User, records: list) -> None:
    session = create(panel, coordinator, size=12, seed=3, method=PROPORTIONAL)
    groups = [i.record.ethnic_group for i in session.items.select_related("record")]
    # 60 records: 20 White, 10 of each other group; 12 drawn -> 4 White, 2 each.
    assert groups.count(EthnicGroup.WHITE) == 4
    assert all(groups.count(g) == 2 for g in GROUPS if g != EthnicGroup.WHITE)


def test_records_of_other_forces_cannot_be_added(panel: Panel, coordinator: User, records: list) -> None:
    elsewhere = make_record(make_batch(make_force(code="E23000001", police_uk_id="metropolitan", name="Met")))
    session = make_session(panel, records[:2], by=coordinator)
    with pytest.raises(ReviewError, match="not one of this panel's force's records"):
        session_add_record(session=session, record_id=elsewhere.pk, by=coordinator)
    assert session.items.count() == 2


def test_records_waiting_for_a_redaction_check_are_never_drawn(panel: Panel, coordinator: User) -> None:
    batch = make_batch(make_force(code=panel.force_area.code))
    waiting = make_record(batch, grounds_text="Mr [name] smelt of cannabis", pii_flagged=True)
    checked = make_record(batch, grounds_text="Smelt of cannabis", pii_flagged=True)
    checked.mark_redaction_checked(by=coordinator)
    session = create(panel, coordinator, size=10, seed=1)
    assert ids(session) == [checked.pk]
    with pytest.raises(ReviewError, match="redaction check"):
        session_add_record(session=session, record_id=waiting.pk, by=coordinator)


def score(item: SessionRecord, user: User, grounds: str = GroundsRating.NOT_REASONABLE, grade: int = 8) -> Assessment:
    return assessment_save(item=item, member=user, data=AssessmentInput(grounds=grounds, grade=grade), submit=True)


def test_scores_stay_blind_until_the_chair_reveals(
    panel: Panel, member: User, coordinator: User, records: list
) -> None:
    other = MembershipFactory.create(panel=panel, role=Membership.Role.MEMBER).user
    session = make_session(panel, records[:1], by=coordinator)
    item = session.items.get()
    score(item, member)
    score(item, other, GroundsRating.REASONABLE, 2)
    assert [a.member for a in selectors.assessments_visible_to(member, item)] == [member]
    assert selectors.scored_count(item) == (2, 2)
    item_reveal(item=item, by=coordinator)
    item.refresh_from_db()
    assert {a.member for a in selectors.assessments_visible_to(member, item)} == {member, other}
    assert selectors.spread(item)["grounds"] == {"reasonable": 1, "unclear": 0, "not_reasonable": 1}
    with pytest.raises(ReviewError, match="can no longer change"):
        score(item, member, GroundsRating.REASONABLE)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVEALED, panel=panel).count() == 1


def test_a_submitted_score_needs_grounds_and_a_grade(
    panel: Panel, member: User, coordinator: User, records: list
) -> None:
    item = make_session(panel, records[:1], by=coordinator).items.get()
    with pytest.raises(ReviewError, match="Rate the grounds"):
        assessment_save(item=item, member=member, data=AssessmentInput(grade=3), submit=True)
    draft = assessment_save(item=item, member=member, data=AssessmentInput(grade=3, comment="later"), submit=False)
    assert draft.status == Assessment.Status.DRAFT
    with pytest.raises(ReviewError, match="not on this record's checklist"):
        assessment_save(item=item, member=member, data=AssessmentInput(checklist={"planet": "present"}), submit=False)
    assert Assessment.objects.get(pk=draft.pk).comment == "later"


def test_the_agreed_view_follows_the_reveal_and_next_moves_on(
    panel: Panel, member: User, coordinator: User, records: list
) -> None:
    session = make_session(panel, records[:2], by=coordinator)
    first = session_next(session=session, by=coordinator).current
    assert first is not None
    assert first.position == 1
    with pytest.raises(ReviewError, match="Reveal"):
        item_agree(item=first, grounds=GroundsRating.UNCLEAR, grade=5, note="", by=coordinator)
    item_reveal(item=first, by=coordinator)
    first.refresh_from_db()
    item_agree(item=first, grounds=GroundsRating.UNCLEAR, grade=5, note="Thin grounds", by=coordinator)
    assert session_next(session=session, by=coordinator).current.position == 2  # type: ignore[union-attr]
    with pytest.raises(ReviewError, match="last record"):
        session_next(session=session, by=coordinator)


def test_kappa_and_summary_for_a_session(panel: Panel, member: User, coordinator: User, records: list) -> None:
    other = MembershipFactory.create(panel=panel, role=Membership.Role.MEMBER).user
    session = make_session(panel, records[:3], by=coordinator)
    for item in session.items.all():
        score(item, member, GroundsRating.NOT_REASONABLE)
        score(item, other, GroundsRating.NOT_REASONABLE if item.position < 3 else GroundsRating.REASONABLE)
    # Nothing revealed yet: neither figure may hint at the blind scores.
    assert selectors.session_kappa(session).items == 0
    assert all(not shares for shares in selectors.session_summary(session).values())
    for item in session.items.all():
        item_reveal(item=item, by=coordinator)
    kappa = selectors.session_kappa(session)
    assert kappa.items == 3
    assert kappa.value is not None
    summary = selectors.session_summary(session)
    shares = {s.key: (s.hits, s.total, s.small) for s in summary["ethnic_group"]}
    assert sum(t for _, t, _ in shares.values()) == 3
    assert all(small for _, _, small in shares.values())


def test_two_people_editing_one_finding_cannot_overwrite_each_other(
    panel: Panel, member: User, coordinator: User, records: list
) -> None:
    finding = make_finding(panel, session=None, items=[], by=coordinator)
    data = FindingInput(title="New title", category="grounds", rag="amber", observation="Seen")
    finding_update(finding=finding, data=data, version=1, by=member)
    with pytest.raises(FindingConflict, match="changed this finding"):
        finding_update(
            finding=finding,
            data=FindingInput(title="Mine", category="grounds", rag="red", observation="x"),
            version=1,
            by=coordinator,
        )
    finding.refresh_from_db()
    assert (finding.title, finding.version) == ("New title", 2)


def test_presence_names_people_without_showing_an_email_address(
    panel: Panel, member: User, coordinator: User, records: list
) -> None:
    from django.utils import timezone

    from scrutiny.models import SessionPresence

    session = make_session(panel, records[:1], by=coordinator)
    member.name = ""
    member.save()
    coordinator.name = "Cara Coordinator"
    coordinator.save()
    now = timezone.now()
    for n, user in enumerate((member, coordinator, coordinator)):
        SessionPresence.objects.create(session=session, user=user, channel_name=f"c{n}", last_seen=now)
    assert selectors.present_members(session) == ["A panel member", "Cara Coordinator"]
