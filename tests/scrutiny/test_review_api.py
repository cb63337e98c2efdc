"""The review API: sessions, blind scores, the chair's steps, findings and escalations, with the pages' permissions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from panels.models import Membership, Organisation, Panel, StaffRole, User
from scrutiny.models import (
    Assessment,
    AuditEvent,
    EncounterRecord,
    Escalation,
    EscalationStatus,
    Finding,
    GroundsRating,
    ReviewSession,
    SessionRecord,
)
from scrutiny.reviews.services import AssessmentInput, assessment_save, item_reveal
from tests.factories import MembershipFactory, OrganisationFactory, StaffRoleFactory, enrol_totp
from tests.scrutiny.factories import make_batch, make_escalation, make_finding, make_force, make_record, make_session

SECRET_COMMENT = "my private reasoning about this search"


def signed_in(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def staff(organisation: Organisation, role: str) -> User:
    user = StaffRoleFactory.create(organisation=organisation, role=role).user
    enrol_totp(user)
    return user


@dataclass
class Review:
    force: Organisation
    records: list[EncounterRecord]
    session: ReviewSession
    item: SessionRecord
    second: SessionRecord
    finding: Finding
    escalation: Escalation
    chair: User
    other_member: User


@pytest.fixture
def review(panel: Panel, member: User, coordinator: User) -> Review:
    force = make_force(code=panel.force_area.code)
    batch = make_batch(force)
    records = [
        make_record(batch, grounds_text="Smelt cannabis and saw a bag handed over."),
        make_record(batch),
        make_record(batch),
    ]
    session = make_session(panel, records[:2], by=coordinator)
    item, second = session.items.order_by("position")
    finding = make_finding(panel, session=session, items=[item], by=coordinator)
    return Review(
        force=force,
        records=records,
        session=session,
        item=item,
        second=second,
        finding=finding,
        escalation=make_escalation(finding, force=force, by=coordinator),
        chair=MembershipFactory.create(panel=panel, role=Membership.Role.CHAIR).user,
        other_member=MembershipFactory.create(panel=panel, role=Membership.Role.MEMBER).user,
    )


def score(item: SessionRecord, user: User, grounds: str, grade: int, *, submit: bool = True) -> Assessment:
    data = AssessmentInput(grounds=grounds, grade=grade, comment=SECRET_COMMENT)
    return assessment_save(item=item, member=user, data=data, submit=submit)


def endpoints(r: Review, slug: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every review route with a body that would change something if the caller were allowed."""
    s, i, f, e = r.session.pk, r.item.pk, r.finding.pk, r.escalation.pk
    spec = {"size": 1, "seed": 1}
    return [
        ("GET", reverse("api-session-list", kwargs={"slug": slug}), {}),
        (
            "POST",
            reverse("api-session-list", kwargs={"slug": slug}),
            {"title": "X", "date": "2025-07-01", "sample_spec": spec},
        ),
        ("GET", reverse("api-session-detail", kwargs={"pk": s}), {}),
        ("POST", reverse("api-session-add-record", kwargs={"pk": s}), {"record": r.records[2].pk}),
        ("POST", reverse("api-session-go-to", kwargs={"pk": s}), {"item": i}),
        ("POST", reverse("api-session-next", kwargs={"pk": s}), {}),
        ("POST", reverse("api-session-close", kwargs={"pk": s}), {}),
        ("GET", reverse("api-session-stats", kwargs={"pk": s}), {}),
        ("GET", reverse("api-item-detail", kwargs={"pk": i}), {}),
        ("GET", reverse("api-item-assessments", kwargs={"pk": i}), {}),
        ("GET", reverse("api-my-assessment", kwargs={"pk": i}), {}),
        ("PUT", reverse("api-my-assessment", kwargs={"pk": i}), {"grounds": "unclear", "grade": 5, "submit": True}),
        ("POST", reverse("api-item-reveal", kwargs={"pk": i}), {}),
        ("POST", reverse("api-item-agree", kwargs={"pk": i}), {"grounds": "unclear", "grade": 5}),
        ("GET", reverse("api-finding-list", kwargs={"slug": slug}), {}),
        (
            "POST",
            reverse("api-finding-list", kwargs={"slug": slug}),
            {"title": "T", "category": "grounds", "rag": "red", "observation": "Saw it."},
        ),
        ("GET", reverse("api-finding-detail", kwargs={"pk": f}), {}),
        ("PATCH", reverse("api-finding-detail", kwargs={"pk": f}), {"version": 1, "title": "Changed"}),
        ("POST", reverse("api-finding-publish", kwargs={"pk": f}), {}),
        ("POST", reverse("api-finding-escalate", kwargs={"pk": f}), {"force": r.force.police_uk_id}),
        ("GET", reverse("api-escalation-detail", kwargs={"pk": e}), {}),
        (
            "POST",
            reverse("api-escalation-step", kwargs={"pk": e}),
            {"step": "close", "version": 1, "outcome": "withdrawn"},
        ),
        ("GET", reverse("api-audit-list", kwargs={"slug": slug}), {}),
    ]


def call(client: APIClient, method: str, url: str, data: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, data, format="json")


def state(r: Review) -> tuple[Any, ...]:
    """What a refused request must leave as it was."""
    r.session.refresh_from_db()
    r.item.refresh_from_db()
    r.finding.refresh_from_db()
    r.escalation.refresh_from_db()
    return (
        ReviewSession.objects.count(),
        SessionRecord.objects.count(),
        Assessment.objects.count(),
        Finding.objects.count(),
        Escalation.objects.count(),
        r.session.status,
        r.session.current_id,
        r.item.revealed_at,
        r.item.agreed_grounds,
        r.finding.version,
        r.finding.published_at,
        r.escalation.status,
    )


# --- Who may ----------------------------------------------------------------------------------------------------


def test_it_refuses_anonymous_requests_with_401(panel: Panel, review: Review) -> None:
    before = state(review)
    client = APIClient()
    for method, url, data in [*endpoints(review, panel.slug), ("GET", reverse("api-escalation-list"), {})]:
        assert call(client, method, url, data).status_code == 401, f"{method} {url}"
    assert state(review) == before


def test_it_refuses_an_outsider_everywhere(panel: Panel, review: Review, outsider: User) -> None:
    before, events = state(review), AuditEvent.objects.count()
    client = signed_in(outsider)
    for method, url, data in endpoints(review, panel.slug):
        assert call(client, method, url, data).status_code in (403, 404), f"{method} {url}"
    assert client.get(reverse("api-escalation-list")).json()["count"] == 0
    assert state(review) == before
    assert AuditEvent.objects.count() == events


def test_a_superuser_sees_everything(panel: Panel, review: Review, admin_user: User) -> None:
    enrol_totp(admin_user)
    client = signed_in(admin_user)
    assert client.get(reverse("api-session-detail", kwargs={"pk": review.session.pk})).status_code == 200
    assert client.get(reverse("api-audit-list", kwargs={"slug": panel.slug})).status_code == 200


# --- Sessions ---------------------------------------------------------------------------------------------------


def test_a_coordinator_creates_a_session_and_draws_its_sample(panel: Panel, review: Review, coordinator: User) -> None:
    client = signed_in(coordinator)
    spec = {"method": "random", "size": 2, "seed": 4}
    response = client.post(
        reverse("api-session-list", kwargs={"slug": panel.slug}),
        {"title": "August review", "date": "2025-08-01", "sample_spec": spec},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "August review"
    assert body["status"] == "open"
    assert body["description"].startswith("2 at random; seed 4")
    assert len(body["items"]) == 2
    listed = client.get(reverse("api-session-list", kwargs={"slug": panel.slug})).json()
    assert listed["count"] == 2
    assert {s["id"] for s in listed["results"]} == {review.session.pk, body["id"]}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"method": "lottery"}, "Unknown sampling method"),
        ({"size": 9999}, "between 1 and 500"),
        ({"month_from": "2025-09", "month_to": "2025-06"}, "first month is after the last"),
        ({"colour": "blue"}, "Unknown sample settings: colour"),
        ({"size": 5, "month_from": "2030-01"}, "No records match this sample"),
    ],
)
def test_a_bad_sample_spec_is_a_400_saying_what_to_change(
    panel: Panel, review: Review, coordinator: User, spec: dict[str, Any], message: str
) -> None:
    response = signed_in(coordinator).post(
        reverse("api-session-list", kwargs={"slug": panel.slug}),
        {"title": "Bad", "date": "2025-08-01", "sample_spec": spec},
        format="json",
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["detail"])
    assert ReviewSession.objects.count() == 1


def test_session_detail_shows_counts_and_my_status_but_never_others_scores(review: Review, member: User) -> None:
    score(review.item, review.other_member, GroundsRating.REASONABLE, 2)
    score(review.item, member, GroundsRating.NOT_REASONABLE, 8, submit=False)
    response = signed_in(member).get(reverse("api-session-detail", kwargs={"pk": review.session.pk}))
    assert response.status_code == 200
    body = response.json()
    first = body["items"][0]
    assert (first["scored"], first["my_status"], first["revealed"]) == (1, "draft", False)
    assert body["can_score"] is True
    assert body["can_run"] is False
    assert SECRET_COMMENT not in response.content.decode()
    assert "grounds_text" not in first["record"]
    assert "officer_pseudonym" not in first["record"]


def test_item_detail_shows_the_grounds_and_is_audited(review: Review, member: User) -> None:
    response = signed_in(member).get(reverse("api-item-detail", kwargs={"pk": review.item.pk}))
    assert response.status_code == 200
    assert response.json()["record"]["grounds_text"].startswith("Smelt cannabis")
    assert response.json()["spread"] is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RECORD_VIEWED, actor=member).count() == 1


# --- Blind scoring ----------------------------------------------------------------------------------------------


def test_a_member_scores_their_own_record_as_a_draft_then_submits(review: Review, member: User) -> None:
    client = signed_in(member)
    url = reverse("api-my-assessment", kwargs={"pk": review.item.pk})
    assert client.get(url).status_code == 204
    draft = client.put(url, {"grade": 6, "comment": "Thin"}, format="json")
    assert draft.status_code == 200, draft.content
    assert draft.json()["status"] == "draft"
    refused = client.put(url, {"grade": 6, "submit": True}, format="json")
    assert refused.status_code == 400
    assert "Rate the grounds" in " ".join(refused.json()["detail"])
    submitted = client.put(url, {"grounds": "unclear", "grade": 6, "submit": True}, format="json")
    assert submitted.json()["status"] == "submitted"
    assert client.get(url).json()["grounds"] == "unclear"


def test_a_coordinator_does_not_score(review: Review, coordinator: User) -> None:
    url = reverse("api-my-assessment", kwargs={"pk": review.item.pk})
    response = signed_in(coordinator).put(url, {"grounds": "unclear", "grade": 5, "submit": True}, format="json")
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_a_member_cannot_read_another_members_score_before_the_reveal(
    review: Review, member: User, coordinator: User
) -> None:
    other = score(review.item, review.other_member, GroundsRating.REASONABLE, 2)
    draft = score(review.item, review.chair, GroundsRating.UNCLEAR, 4, submit=False)
    mine = score(review.item, member, GroundsRating.NOT_REASONABLE, 8)
    client = signed_in(member)
    url = reverse("api-item-assessments", kwargs={"pk": review.item.pk})

    before = client.get(url)
    assert before.status_code == 200
    assert [(a["id"], a["mine"]) for a in before.json()] == [(mine.pk, True)]
    assert client.get(reverse("api-my-assessment", kwargs={"pk": review.item.pk})).json()["id"] == mine.pk
    detail = client.get(reverse("api-item-detail", kwargs={"pk": review.item.pk})).json()
    assert detail["spread"] is None
    assert detail["scored"] == 2

    item_reveal(item=review.item, by=coordinator)
    after = client.get(url).json()
    assert {a["id"] for a in after} == {mine.pk, other.pk}  # the chair's draft stays private
    assert draft.pk not in {a["id"] for a in after}
    theirs = next(a for a in after if a["id"] == other.pk)
    assert (theirs["grounds"], theirs["grade"], theirs["mine"]) == ("reasonable", 2, False)
    assert "member" not in theirs  # the panel reads the spread of views, not who held which
    spread = client.get(reverse("api-item-detail", kwargs={"pk": review.item.pk})).json()["spread"]
    assert spread["grounds"] == {"reasonable": 1, "unclear": 0, "not_reasonable": 1}


def test_a_score_cannot_change_after_the_reveal(review: Review, member: User, coordinator: User) -> None:
    score(review.item, member, GroundsRating.NOT_REASONABLE, 8)
    item_reveal(item=review.item, by=coordinator)
    response = signed_in(member).put(
        reverse("api-my-assessment", kwargs={"pk": review.item.pk}),
        {"grounds": "reasonable", "grade": 1, "submit": True},
        format="json",
    )
    assert response.status_code == 400
    assert "can no longer change" in " ".join(response.json()["detail"])
    assert Assessment.objects.get(member=member).grounds == GroundsRating.NOT_REASONABLE


# --- The chair's steps ------------------------------------------------------------------------------------------


def test_members_cannot_take_the_chairs_steps(panel: Panel, review: Review, member: User) -> None:
    before, events = state(review), AuditEvent.objects.count()
    client = signed_in(member)
    s, i = review.session.pk, review.item.pk
    steps: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("api-session-go-to", {"pk": s}, {"item": i}),
        ("api-session-next", {"pk": s}, {}),
        ("api-session-close", {"pk": s}, {}),
        ("api-session-add-record", {"pk": s}, {"record": review.records[2].pk}),
        ("api-item-reveal", {"pk": i}, {}),
        ("api-item-agree", {"pk": i}, {"grounds": "unclear", "grade": 5}),
        ("api-finding-publish", {"pk": review.finding.pk}, {}),
        ("api-finding-escalate", {"pk": review.finding.pk}, {"force": review.force.police_uk_id}),
        ("api-session-list", {"slug": panel.slug}, {"title": "X", "date": "2025-07-01", "sample_spec": {"size": 1}}),
    ]
    for name, kwargs, data in steps:
        response = client.post(reverse(name, kwargs=kwargs), data, format="json")
        assert response.status_code == 403, name
        assert "chair and coordinators" in response.json()["detail"], name
    assert state(review) == before
    assert AuditEvent.objects.count() == events


def test_the_chair_runs_the_meeting(review: Review, member: User) -> None:
    client = signed_in(review.chair)
    s = review.session.pk
    assert client.post(reverse("api-session-next", kwargs={"pk": s})).json()["current"] == review.item.pk
    went = client.post(reverse("api-session-go-to", kwargs={"pk": s}), {"item": review.second.pk}, format="json")
    assert went.json()["current"] == review.second.pk
    last = client.post(reverse("api-session-next", kwargs={"pk": s}))
    assert last.status_code == 400
    assert "last record" in " ".join(last.json()["detail"])
    elsewhere = client.post(reverse("api-session-go-to", kwargs={"pk": s}), {"item": 999999}, format="json")
    assert elsewhere.status_code == 400

    agree_url = reverse("api-item-agree", kwargs={"pk": review.item.pk})
    early = client.post(agree_url, {"grounds": "unclear", "grade": 5}, format="json")
    assert early.status_code == 400
    assert "Reveal" in " ".join(early.json()["detail"])
    assert client.post(reverse("api-item-reveal", kwargs={"pk": review.item.pk})).json()["revealed"] is True
    again = client.post(reverse("api-item-reveal", kwargs={"pk": review.item.pk}))
    assert again.status_code == 400
    agreed = client.post(agree_url, {"grounds": "unclear", "grade": 5, "note": "Thin"}, format="json")
    assert (agreed.json()["agreed_grounds"], agreed.json()["agreed_grade"]) == ("unclear", 5)

    added = client.post(
        reverse("api-session-add-record", kwargs={"pk": s}), {"record": review.records[2].pk}, format="json"
    )
    assert added.status_code == 201, added.content
    assert added.json()["hand_picked"] is True
    twice = client.post(
        reverse("api-session-add-record", kwargs={"pk": s}), {"record": review.records[2].pk}, format="json"
    )
    assert twice.status_code == 400
    assert client.post(reverse("api-session-close", kwargs={"pk": s})).json()["status"] == "closed"


def test_the_panel_reads_the_sessions_figures(review: Review, member: User, coordinator: User) -> None:
    for item in (review.item, review.second):
        score(item, member, GroundsRating.NOT_REASONABLE, 8)
        score(item, review.other_member, GroundsRating.NOT_REASONABLE, 7)
    url = reverse("api-session-stats", kwargs={"pk": review.session.pk})
    blind = signed_in(member).get(url).json()
    assert blind["kappa"]["items"] == 0  # nothing revealed: the figures must not hint at blind scores
    for item in (review.item, review.second):
        item_reveal(item=item, by=coordinator)
    stats = signed_in(member).get(url)
    assert stats.status_code == 200
    body = stats.json()
    assert body["kappa"]["items"] == 2
    assert sum(s["total"] for s in body["summary"]["ethnic_group"]) == 2
    assert all(s["small"] for s in body["summary"]["ethnic_group"])
    assert SECRET_COMMENT not in stats.content.decode()
    assert signed_in(coordinator).get(url).json() == body


# --- Findings ---------------------------------------------------------------------------------------------------


def test_a_member_writes_a_finding(panel: Panel, review: Review, member: User) -> None:
    client = signed_in(member)
    url = reverse("api-finding-list", kwargs={"slug": panel.slug})
    data = {
        "title": "No body-worn video",
        "category": "body_worn_video",
        "rag": "amber",
        "observation": "Two of the records had no video.",
        "session": review.session.pk,
        "items": [review.item.pk, review.second.pk],
    }
    created = client.post(url, data, format="json")
    assert created.status_code == 201, created.content
    assert set(created.json()["items"]) == {review.item.pk, review.second.pk}
    assert created.json()["version"] == 1
    bad = client.post(url, {**data, "rag": "purple", "observation": ""}, format="json")
    assert bad.status_code == 400
    assert "Choose red, amber or green." in " ".join(bad.json()["detail"])
    assert client.get(url).json()["count"] == 2


def test_a_finding_changed_by_someone_else_is_a_409_and_nothing_is_saved(
    review: Review, member: User, coordinator: User
) -> None:
    url = reverse("api-finding-detail", kwargs={"pk": review.finding.pk})
    first = signed_in(coordinator).patch(url, {"version": 1, "title": "Grounds missing"}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 2

    stale = signed_in(member).patch(url, {"version": 1, "title": "Mine", "rag": "green"}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert "Your changes were not saved" in body["detail"]
    assert body["current"]["title"] == "Grounds missing"
    assert body["current"]["version"] == 2
    review.finding.refresh_from_db()
    assert (review.finding.title, review.finding.rag, review.finding.version) == ("Grounds missing", "red", 2)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.FINDING_UPDATED).count() == 1

    assert signed_in(member).patch(url, {"title": "x"}, format="json").status_code == 400  # version is required


def test_the_chair_publishes_a_finding(review: Review) -> None:
    response = signed_in(review.chair).post(reverse("api-finding-publish", kwargs={"pk": review.finding.pk}))
    assert response.status_code == 200
    assert response.json()["published_at"]


# --- Escalations ------------------------------------------------------------------------------------------------


def test_a_liaison_of_another_force_sees_nothing(review: Review) -> None:
    elsewhere = make_force(code="E23000004", police_uk_id="merseyside", name="Merseyside Police")
    client = signed_in(staff(elsewhere, StaffRole.Role.FORCE_LIAISON))
    e = review.escalation.pk
    assert client.get(reverse("api-escalation-list")).json()["count"] == 0
    assert client.get(reverse("api-escalation-detail", kwargs={"pk": e})).status_code == 404
    step = client.post(
        reverse("api-escalation-step", kwargs={"pk": e}), {"step": "acknowledge", "version": 1}, format="json"
    )
    assert step.status_code == 404
    review.escalation.refresh_from_db()
    assert review.escalation.status == EscalationStatus.SENT


def test_the_forces_liaison_answers_and_never_sees_scores_or_who(
    panel: Panel, review: Review, member: User, coordinator: User
) -> None:
    score(review.item, member, GroundsRating.NOT_REASONABLE, 9)
    item_reveal(item=review.item, by=coordinator)
    liaison = staff(review.force, StaffRole.Role.FORCE_LIAISON)
    client = signed_in(liaison)
    e = review.escalation.pk

    listed = client.get(reverse("api-escalation-list")).json()
    assert [x["id"] for x in listed["results"]] == [e]
    detail = client.get(reverse("api-escalation-detail", kwargs={"pk": e}))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert SECRET_COMMENT not in text
    for person in (member, coordinator):
        assert person.email not in text
        assert str(person) not in text
    assert "assessment" not in text
    body = detail.json()
    assert body["steps"] == ["acknowledge", "respond"]
    assert body["events"][0]["by"] == panel.name
    assert body["finding"]["records"] == [review.item.record_id]

    # Nothing of the panel's review work is open to the force.
    for name, pk in [
        ("api-session-detail", review.session.pk),
        ("api-item-detail", review.item.pk),
        ("api-item-assessments", review.item.pk),
        ("api-my-assessment", review.item.pk),
        ("api-finding-detail", review.finding.pk),
    ]:
        assert client.get(reverse(name, kwargs={"pk": pk})).status_code in (403, 404), name
    assert client.get(reverse("api-session-list", kwargs={"slug": panel.slug})).status_code == 403

    url = reverse("api-escalation-step", kwargs={"pk": e})
    assert client.post(url, {"step": "accept", "version": 1}, format="json").status_code == 403
    assert client.post(url, {"step": "acknowledge", "version": 1}, format="json").json()["status"] == "acknowledged"
    missing = client.post(url, {"step": "respond", "version": 2, "response": ""}, format="json")
    assert missing.status_code == 400
    assert "Write the force's response." in " ".join(missing.json()["detail"])
    responded = client.post(
        url,
        {"step": "respond", "version": 2, "response": "Officer briefed.", "action_taken": "officer_feedback"},
        format="json",
    )
    assert responded.status_code == 200, responded.content
    assert responded.json()["status"] == "responded"
    assert responded.json()["events"][-1]["by"] == review.force.name


def test_members_cannot_answer_for_the_force_and_the_coordinator_decides(
    review: Review, member: User, coordinator: User
) -> None:
    url = reverse("api-escalation-step", kwargs={"pk": review.escalation.pk})
    refused = signed_in(member).post(url, {"step": "acknowledge", "version": 1}, format="json")
    assert refused.status_code == 403
    assert (
        signed_in(member).get(reverse("api-escalation-detail", kwargs={"pk": review.escalation.pk})).json()["steps"]
        == []
    )
    liaison = signed_in(staff(review.force, StaffRole.Role.FORCE_LIAISON))
    liaison.post(url, {"step": "respond", "version": 1, "response": "Done.", "action_taken": "training"}, format="json")
    client = signed_in(coordinator)
    events = client.get(reverse("api-escalation-detail", kwargs={"pk": review.escalation.pk})).json()["events"]
    assert events[0]["by"] == str(coordinator)  # the panel's own people see who acted
    no_reason = client.post(url, {"step": "dispute", "version": 2}, format="json")
    assert no_reason.status_code == 400
    disputed = client.post(url, {"step": "dispute", "version": 2, "note": "No detail given."}, format="json")
    assert disputed.json()["status"] == "disputed"


def test_a_stale_escalation_step_is_a_409_and_changes_nothing(review: Review, coordinator: User) -> None:
    liaison = signed_in(staff(review.force, StaffRole.Role.FORCE_LIAISON))
    url = reverse("api-escalation-step", kwargs={"pk": review.escalation.pk})
    assert liaison.post(url, {"step": "acknowledge", "version": 1}, format="json").status_code == 200
    stale = signed_in(coordinator).post(url, {"step": "close", "version": 1, "outcome": "withdrawn"}, format="json")
    assert stale.status_code == 409
    assert "moved this escalation on" in stale.json()["detail"]
    review.escalation.refresh_from_db()
    assert (review.escalation.status, review.escalation.version) == (EscalationStatus.ACKNOWLEDGED, 2)
    unknown = signed_in(coordinator).post(url, {"step": "forget", "version": 2}, format="json")
    assert unknown.status_code == 400


def test_an_opcc_officer_of_the_area_reads_all_and_may_close(panel: Panel, review: Review, member: User) -> None:
    opcc = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=panel.force_area)
    client = signed_in(staff(opcc, StaffRole.Role.OPCC_OFFICER))
    detail = client.get(reverse("api-escalation-detail", kwargs={"pk": review.escalation.pk}))
    assert detail.status_code == 200
    assert detail.json()["steps"] == ["close"]
    assert client.get(reverse("api-session-detail", kwargs={"pk": review.session.pk})).status_code == 404
    url = reverse("api-escalation-step", kwargs={"pk": review.escalation.pk})
    assert client.post(url, {"step": "acknowledge", "version": 1}, format="json").status_code == 403
    closed = client.post(url, {"step": "close", "version": 1, "outcome": "not_resolved"}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"


def test_staff_need_two_factor_even_with_a_token(review: Review) -> None:
    liaison = StaffRoleFactory.create(organisation=review.force, role=StaffRole.Role.FORCE_LIAISON).user
    url = reverse("api-escalation-detail", kwargs={"pk": review.escalation.pk})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=liaison).key}")
    response = client.get(url)
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]
    enrol_totp(liaison)
    assert client.get(url).status_code == 200


def test_the_coordinator_escalates_a_finding(panel: Panel, review: Review, coordinator: User) -> None:
    finding = make_finding(panel, session=review.session, items=[review.second], by=coordinator)
    client = signed_in(coordinator)
    url = reverse("api-finding-escalate", kwargs={"pk": finding.pk})
    unknown = client.post(url, {"force": "nowhere"}, format="json")
    assert unknown.status_code == 400
    sent = client.post(url, {"force": review.force.police_uk_id, "question": "What happened?"}, format="json")
    assert sent.status_code == 201, sent.content
    assert sent.json()["status"] == "sent"
    assert client.post(url, {"force": review.force.police_uk_id}, format="json").status_code == 400


# --- Audit log --------------------------------------------------------------------------------------------------


def test_the_coordinator_reads_the_panels_audit_log_newest_first(
    panel: Panel, review: Review, member: User, coordinator: User
) -> None:
    url = reverse("api-audit-list", kwargs={"slug": panel.slug})
    assert signed_in(member).get(url).status_code == 403
    response = signed_in(coordinator).get(url, {"limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == AuditEvent.objects.filter(panel=panel).count()
    assert len(body["results"]) == 2
    assert body["results"][0]["action"] == AuditEvent.Action.ESCALATION_STEP
    assert body["results"][0]["actor"] == coordinator.email


# --- Schema -----------------------------------------------------------------------------------------------------


def test_the_schema_has_the_review_endpoints_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    paths = yaml.safe_load(out.read_text())["paths"]
    for expected in (
        "/api/panels/{slug}/sessions/",
        "/api/session-items/{id}/my-assessment/",
        "/api/findings/{id}/",
        "/api/escalations/{id}/steps/",
        "/api/panels/{slug}/audit/",
    ):
        assert expected in paths
    assert "409" in paths["/api/findings/{id}/"]["patch"]["responses"]


# --- Queries ----------------------------------------------------------------------------------------------------


def queries_for(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_session_detail_and_lists_do_not_grow_with_their_rows(
    panel: Panel, review: Review, member: User, coordinator: User
) -> None:
    client = signed_in(member)
    detail = reverse("api-session-detail", kwargs={"pk": review.session.pk})
    findings = reverse("api-finding-list", kwargs={"slug": panel.slug})
    escalations = reverse("api-escalation-list")
    before = [queries_for(client, u) for u in (detail, findings, escalations)]

    batch = review.records[0].batch
    more = [make_record(batch) for _ in range(4)]
    chair = signed_in(coordinator)
    for record in more:
        chair.post(reverse("api-session-add-record", kwargs={"pk": review.session.pk}), {"record": record.pk})
    for item in review.session.items.all():
        score(item, member, GroundsRating.UNCLEAR, 5)
        finding = make_finding(panel, session=review.session, items=[item], by=coordinator)
        make_escalation(finding, force=review.force, by=coordinator)
    assert review.session.items.count() == 6
    after = [queries_for(client, u) for u in (detail, findings, escalations)]
    assert after == before
