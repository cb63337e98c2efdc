"""The review session pages: drawing a sample through the form, blind scoring, the chair's steps without JavaScript,
the summary, the audit of grounds views, and a session page whose query count does not grow with its size."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from panels.models import Membership, Panel, User
from scrutiny.choices import EthnicGroup, Legislation, Outcome
from scrutiny.models import Assessment, AuditEvent, EncounterRecord, ReviewSession, SessionRecord
from scrutiny.reviews.sampling import SampleSpec
from scrutiny.reviews.services import (
    AssessmentInput,
    assessment_save,
    item_agree,
    item_reveal,
    session_create,
    session_go_to,
)
from tests.factories import MembershipFactory
from tests.scrutiny.factories import make_batch, make_force, make_record, make_session

SECRET = "The grounds read like a template"
GROUPS = [EthnicGroup.ASIAN, EthnicGroup.BLACK, EthnicGroup.MIXED, EthnicGroup.WHITE, EthnicGroup.OTHER]


@pytest.fixture
def records(panel: Panel) -> list[EncounterRecord]:
    batch = make_batch(make_force(code=panel.force_area.code))
    return [
        make_record(
            batch,
            ethnic_group=GROUPS[n % 5],
            legislation=Legislation.CJPOA_S60 if n % 4 == 0 else Legislation.MISUSE_OF_DRUGS_S23,
            grounds_text="Smelt cannabis." if n == 0 else "",
        )
        for n in range(20)
    ]


@pytest.fixture
def session(panel: Panel, coordinator: User, records: list[EncounterRecord]) -> ReviewSession:
    return make_session(panel, records[:3], by=coordinator)


@pytest.fixture
def second_member(panel: Panel) -> User:
    return MembershipFactory.create(panel=panel, role=Membership.Role.MEMBER, user__name="Sam Second").user


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def first_item(session: ReviewSession) -> SessionRecord:
    item = session.items.order_by("position").first()
    assert item is not None
    return item


def score_url(item: SessionRecord) -> str:
    return reverse("review-item-score", args=[item.session_id, item.pk])


def detail_url(session: ReviewSession) -> str:
    return reverse("review-session-detail", args=[session.pk])


# --- drawing the sample ---------------------------------------------------------------------


def new_session_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "July review",
        "day": "2025-07-14",
        "kind": "stop_search",
        "method": "random",
        "size": "4",
        "seed": "42",
    }
    data.update(changes)
    return data


def test_a_coordinator_draws_a_sample_through_the_form(
    panel: Panel, coordinator: User, records: list[EncounterRecord]
) -> None:
    client = as_user(coordinator)
    url = reverse("review-session-new", args=[panel.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, new_session_form(legislation=[Legislation.MISUSE_OF_DRUGS_S23]))
    session = ReviewSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(session)
    assert session.items.count() == 4
    assert set(session.items.values_list("record__legislation", flat=True)) == {Legislation.MISUSE_OF_DRUGS_S23}
    assert SampleSpec.from_json(session.sample_spec) == SampleSpec(
        size=4, seed=42, legislation=(Legislation.MISUSE_OF_DRUGS_S23,)
    )
    page = client.get(detail_url(session)).content.decode()
    assert "4 at random; seed 42; legislation: misuse_of_drugs_s23" in page
    assert "The sample beside the records it was drawn from" in page


def test_the_same_form_and_seed_draw_the_same_records(
    panel: Panel, coordinator: User, records: list[EncounterRecord]
) -> None:
    client = as_user(coordinator)
    url = reverse("review-session-new", args=[panel.slug])
    client.post(url, new_session_form(method="stratified", size="2"))
    client.post(url, new_session_form(method="stratified", size="2"))
    first, second = ReviewSession.objects.order_by("pk")
    assert list(first.items.values_list("record_id", flat=True)) == list(
        second.items.values_list("record_id", flat=True)
    )
    assert first.items.count() == 10  # two from each of the five groups


def test_a_cannabis_smell_only_sample_draws_from_grounds_text(
    panel: Panel, coordinator: User, records: list[EncounterRecord]
) -> None:
    client = as_user(coordinator)
    response = client.post(
        reverse("review-session-new", args=[panel.slug]), new_session_form(size="5", cannabis_smell_only="on")
    )
    assert response.status_code == 302
    session = ReviewSession.objects.get()
    assert list(session.items.values_list("record_id", flat=True)) == [records[0].pk]
    page = client.get(detail_url(session)).content.decode()
    assert "smell of cannabis the only grounds" in page


def test_the_filters_stay_open_when_the_form_comes_back_with_them(panel: Panel, coordinator: User) -> None:
    url = reverse("review-session-new", args=[panel.slug])
    client = as_user(coordinator)
    assert '<details class="govuk-details">' in client.get(url).content.decode()
    page = client.post(url, new_session_form(month_from="2030-01")).content.decode()
    assert '<details class="govuk-details" open>' in page


def test_a_sample_that_matches_nothing_says_why(panel: Panel, coordinator: User, records: list) -> None:
    response = as_user(coordinator).post(
        reverse("review-session-new", args=[panel.slug]), new_session_form(outcome=[Outcome.ARREST])
    )
    assert response.status_code == 400
    assert "No records match this sample" in response.content.decode()
    assert not ReviewSession.objects.exists()


def test_hand_picked_records_from_another_force_are_refused(panel: Panel, coordinator: User, records: list) -> None:
    elsewhere = make_record(
        make_batch(make_force(code="E23000026", police_uk_id="bedfordshire", name="Bedfordshire Police"))
    )
    response = as_user(coordinator).post(
        reverse("review-session-new", args=[panel.slug]),
        new_session_form(hand_picked=f"{records[1].pk}, {elsewhere.pk}"),
    )
    assert response.status_code == 400
    assert "is not one of this panel" in response.content.decode()


def test_a_member_may_not_draw_a_sample(panel: Panel, member: User) -> None:
    assert as_user(member).get(reverse("review-session-new", args=[panel.slug])).status_code == 403


def test_the_panel_lists_its_sessions_and_offers_a_new_one_to_the_coordinator_only(
    panel: Panel, session: ReviewSession, member: User, coordinator: User
) -> None:
    url = reverse("review-session-list", args=[panel.slug])
    for_member = as_user(member).get(url).content.decode()
    assert session.title in for_member
    assert "New session" not in for_member
    assert "New session" in as_user(coordinator).get(url).content.decode()


# --- blind scoring --------------------------------------------------------------------------


def test_a_member_saves_a_draft_then_submits(session: ReviewSession, member: User) -> None:
    item = first_item(session)
    client = as_user(member)
    form = client.get(score_url(item)).content.decode()
    assert "GOWISELY" in form
    assert "You are detained for the purpose of a search" in form
    response = client.post(score_url(item), {"grounds": "unclear", "check_grounds": "missing", "action": "draft"})
    assert response.status_code == 302
    assessment = Assessment.objects.get(member=member)
    assert (assessment.status, assessment.checklist) == ("draft", {"grounds": "missing"})
    # Submitting needs a grade: the service says so, and nothing changes.
    response = client.post(score_url(item), {"grounds": "unclear", "action": "submit"})
    assert response.status_code == 400
    assert "Give a grade before submitting." in response.content.decode()
    client.post(score_url(item), {"grounds": "not_reasonable", "grade": "8", "comment": SECRET, "action": "submit"})
    assessment.refresh_from_db()
    assert (assessment.status, assessment.grade, assessment.comment) == ("submitted", 8, SECRET)


def test_a_use_of_force_session_scores_against_planter(
    panel: Panel, coordinator: User, member: User, records: list
) -> None:
    uof = make_record(records[0].batch, kind="use_of_force")
    spec = SampleSpec(size=0, kind="use_of_force", hand_picked=(uof.pk,))
    session = session_create(panel=panel, title="Force", day=date(2025, 7, 1), spec=spec, by=coordinator)
    page = as_user(member).get(score_url(first_item(session))).content.decode()
    assert "PLANTER" in page
    assert "Proportionate to the risk" in page
    assert "GOWISELY" not in page


def test_a_member_cannot_read_another_members_score_before_the_reveal(
    session: ReviewSession, member: User, second_member: User, coordinator: User
) -> None:
    item = first_item(session)
    session_go_to(session=session, item=item, by=coordinator)
    as_user(member).post(
        score_url(item), {"grounds": "not_reasonable", "grade": "9", "comment": SECRET, "action": "submit"}
    )
    other = as_user(second_member)
    for url in (detail_url(session), score_url(item), reverse("review-session-summary", args=[session.pk])):
        page = other.get(url).content.decode()
        assert SECRET not in page, url
        assert "How the panel scored it" not in page, url
    page = other.get(detail_url(session)).content.decode()
    assert "<span data-scored>1</span> of <span data-scorers>2</span> members" in page
    # The coordinator running the session cannot see it either.
    assert SECRET not in as_user(coordinator).get(detail_url(session)).content.decode()

    item_reveal(item=item, by=coordinator)
    page = other.get(detail_url(session)).content.decode()
    assert SECRET in page
    assert "How the panel scored it" in page
    assert str(member) not in page  # the spread and the scores, never whose


def test_scores_cannot_change_after_the_reveal(session: ReviewSession, member: User, coordinator: User) -> None:
    item = first_item(session)
    client = as_user(member)
    client.post(score_url(item), {"grounds": "reasonable", "grade": "2", "action": "submit"})
    item_reveal(item=item, by=coordinator)
    response = client.post(score_url(item), {"grounds": "not_reasonable", "grade": "9", "action": "submit"})
    assert response.status_code == 400
    assert "scores for it can no longer change" in response.content.decode()
    assert Assessment.objects.get(member=member).grade == 2


def test_a_coordinator_runs_the_session_but_does_not_score(session: ReviewSession, coordinator: User) -> None:
    assert as_user(coordinator).get(score_url(first_item(session))).status_code == 403


def test_an_item_of_another_session_is_not_found_under_this_one(
    panel: Panel, session: ReviewSession, member: User, coordinator: User, records: list
) -> None:
    other = make_session(panel, [records[10]], by=coordinator)
    url = reverse("review-item-score", args=[session.pk, first_item(other).pk])
    assert as_user(member).get(url).status_code == 404


# --- the chair's steps, without JavaScript ---------------------------------------------------


def test_the_chair_moves_reveals_and_records_the_agreed_view_by_plain_posts(
    session: ReviewSession, member: User, coordinator: User
) -> None:
    chair = as_user(coordinator)
    response = chair.post(reverse("review-session-next", args=[session.pk]))
    assert response.status_code == 302
    assert response["Location"] == detail_url(session) + "#current"
    item = first_item(session)
    session.refresh_from_db()
    assert session.current_id == item.pk

    as_user(member).post(score_url(item), {"grounds": "not_reasonable", "grade": "7", "action": "submit"})
    # The agreed view waits for the reveal.
    chair.post(reverse("review-item-agree", args=[session.pk, item.pk]), {"grounds": "not_reasonable"})
    item.refresh_from_db()
    assert item.agreed_at is None

    chair.post(reverse("review-item-reveal", args=[session.pk, item.pk]))
    chair.post(
        reverse("review-item-agree", args=[session.pk, item.pk]),
        {"grounds": "not_reasonable", "grade": "8", "note": "Generic grounds."},
    )
    item.refresh_from_db()
    assert (item.agreed_grounds, item.agreed_grade, item.agreed_note) == ("not_reasonable", 8, "Generic grounds.")
    page = as_user(member).get(detail_url(session)).content.decode()
    assert "The panel's agreed view" in page
    assert "Red 8" in page

    last = session.items.order_by("position").last()
    assert last is not None
    chair.post(reverse("review-session-go-to", args=[session.pk]), {"item": last.pk})
    session.refresh_from_db()
    assert session.current_id == last.pk
    response = chair.post(reverse("review-session-next", args=[session.pk]), follow=True)
    assert "This is the last record in the session." in response.content.decode()


def test_the_chair_adds_a_record_by_hand(session: ReviewSession, coordinator: User, records: list) -> None:
    as_user(coordinator).post(reverse("review-session-add-record", args=[session.pk]), {"record": records[12].pk})
    assert session.items.filter(record=records[12], hand_picked=True).exists()
    session.refresh_from_db()
    assert records[12].pk in session.sample_spec["hand_picked"]


def test_closing_the_session_leads_to_its_summary(session: ReviewSession, coordinator: User) -> None:
    response = as_user(coordinator).post(reverse("review-session-close", args=[session.pk]))
    assert response["Location"] == reverse("review-session-summary", args=[session.pk])
    session.refresh_from_db()
    assert session.status == ReviewSession.Status.CLOSED


def test_viewing_grounds_text_in_a_session_is_audited(session: ReviewSession, member: User, coordinator: User) -> None:
    item = first_item(session)
    assert item.record.grounds_text
    session_go_to(session=session, item=item, by=coordinator)
    assert "Smelt cannabis." in as_user(member).get(detail_url(session)).content.decode()
    viewed = AuditEvent.objects.filter(action=AuditEvent.Action.RECORD_VIEWED, actor=member)
    assert viewed.count() == 1
    assert viewed.get().detail == {"context": "session"}


# --- the summary ----------------------------------------------------------------------------


def test_the_summary_gives_kappa_and_marks_small_numbers(
    session: ReviewSession, member: User, second_member: User, coordinator: User
) -> None:
    for n, item in enumerate(session.items.order_by("position")):
        for who, grounds in ((member, "not_reasonable"), (second_member, "not_reasonable" if n else "unclear")):
            assessment_save(item=item, member=who, data=AssessmentInput(grounds=grounds, grade=7), submit=True)
        item_reveal(item=item, by=coordinator)
    item_agree(item=first_item(session), grounds="not_reasonable", grade=7, note="", by=coordinator)
    page = as_user(member).get(reverse("review-session-summary", args=[session.pk])).content.decode()
    assert "Fleiss' kappa on the grounds rating" in page
    assert "over 3 records" in page
    assert "Small number" in page
    assert "By ethnic group" in page
    assert "Save the minutes" not in page  # members read the minutes; the chair writes them


def test_the_coordinator_saves_and_publishes_the_minutes(session: ReviewSession, coordinator: User) -> None:
    url = reverse("review-session-summary", args=[session.pk])
    response = as_user(coordinator).post(url, {"minutes": "We reviewed three records.", "publish": "on"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.minutes == "We reviewed three records."
    assert session.minutes_published_at is not None


def test_a_member_may_not_write_the_minutes(session: ReviewSession, member: User) -> None:
    response = as_user(member).post(reverse("review-session-summary", args=[session.pk]), {"minutes": "Mine."})
    assert response.status_code == 403


# --- a fixed number of queries -----------------------------------------------------------------


def big_or_small_session(panel: Panel, coordinator: User, records: int, members: int) -> tuple[ReviewSession, User]:
    """A session of `records` records on a panel of `members` scorers, on its first record, revealed, every member
    having scored every record (grounds text on every record, so each view is audited)."""
    batch = make_batch(make_force(code=panel.force_area.code))
    made = [
        make_record(batch, ethnic_group=GROUPS[n % 5], grounds_text="Seen passing a package.") for n in range(records)
    ]
    scorers = [MembershipFactory.create(panel=panel, role=Membership.Role.MEMBER).user for _ in range(members)]
    session = make_session(panel, made, by=coordinator)
    items = list(session.items.order_by("position"))
    Assessment.objects.bulk_create(
        Assessment(item=i, member=m, status="submitted", grounds="unclear", grade=5, comment="Thin.")
        for i in items
        for m in scorers
    )
    session_go_to(session=session, item=items[0], by=coordinator)
    item_reveal(item=items[0], by=coordinator)
    return session, scorers[0]


SESSION_PAGE_QUERIES = 16
COORDINATOR_PAGE_QUERIES = 17  # one more: the coordinator's authenticator is looked up


@pytest.mark.parametrize(("records", "members"), [(5, 3), (50, 12)])
def test_the_session_page_costs_the_same_queries_whatever_its_size(
    panel: Panel, coordinator: User, records: int, members: int, django_assert_num_queries: Callable
) -> None:
    session, scorer = big_or_small_session(panel, coordinator, records, members)
    client = as_user(scorer)
    client.get(detail_url(session))  # warm the session's caches (site, content types)
    with django_assert_num_queries(SESSION_PAGE_QUERIES):
        response = client.get(detail_url(session))
    assert response.status_code == 200
    assert response.content.decode().count('data-item-scored="') == records
    coordinator_client = as_user(coordinator)
    coordinator_client.get(detail_url(session))
    with django_assert_num_queries(COORDINATOR_PAGE_QUERIES):
        coordinator_client.get(detail_url(session))


def test_an_outsider_is_refused_every_review_page(session: ReviewSession, panel: Panel, outsider: User) -> None:
    item = first_item(session)
    client = as_user(outsider)
    for url in (
        reverse("review-session-list", args=[panel.slug]),
        reverse("review-session-new", args=[panel.slug]),
        detail_url(session),
        score_url(item),
        reverse("review-session-summary", args=[session.pk]),
    ):
        assert client.get(url).status_code in (403, 404), url
    for url in (
        reverse("review-session-next", args=[session.pk]),
        reverse("review-session-go-to", args=[session.pk]),
        reverse("review-session-close", args=[session.pk]),
        reverse("review-item-reveal", args=[session.pk, item.pk]),
        reverse("review-item-agree", args=[session.pk, item.pk]),
        score_url(item),
    ):
        assert client.post(url, {"grounds": "reasonable", "item": item.pk}).status_code in (403, 404), url
    session.refresh_from_db()
    assert session.current_id is None
    assert session.status == "open"
    assert not Assessment.objects.exists()


def test_the_summary_says_nothing_of_scores_on_records_not_yet_revealed(
    session: ReviewSession, member: User, second_member: User, coordinator: User
) -> None:
    for item in session.items.all():
        for who in (member, second_member):
            assessment_save(item=item, member=who, data=AssessmentInput(grounds="not_reasonable", grade=9), submit=True)
    page = as_user(second_member).get(reverse("review-session-summary", args=[session.pk])).content.decode()
    assert "Agreement cannot be worked out yet" in page
    assert "No records judged yet." in page


def test_a_closed_session_takes_no_more_scores(session: ReviewSession, member: User, coordinator: User) -> None:
    item = first_item(session)
    as_user(coordinator).post(reverse("review-session-close", args=[session.pk]))
    client = as_user(member)
    page = client.get(detail_url(session)).content.decode()
    assert score_url(item) not in page
    assert "review-session.js" not in page  # nothing live left to follow
    response = client.post(score_url(item), {"grounds": "reasonable", "grade": "1", "action": "submit"})
    assert response.status_code == 400
    assert "This session is closed." in response.content.decode()
    assert not Assessment.objects.exists()
