"""A record that data.police.uk withdraws after a review session sampled it stays in that session, with a note saying
so, on the pages and in the API; it is no longer counted or drawn in a new sample."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panels.models import Panel, User
from scrutiny.models import EncounterRecord, ReviewSession, SessionRecord
from scrutiny.records.selectors import withdrawn_note
from scrutiny.reviews.sampling import SampleSpec
from scrutiny.reviews.selectors import sample_population
from scrutiny.reviews.services import session_go_to
from tests.frontend.helpers import page_text
from tests.scrutiny.factories import make_session
from tests.scrutiny.sync.conftest import CHESHIRE_MONTHS, Sync, read_month, write_month

pytestmark = pytest.mark.django_db

SEP = CHESHIRE_MONTHS[-1]


def withdraw_one(sync: Sync, recordings: Path, panel: Panel, coordinator: User) -> tuple[ReviewSession, SessionRecord]:
    """Sync, sample two September records into a session on the first, then have data.police.uk drop the first."""
    sync(force_ids=["cheshire"])
    records = list(
        EncounterRecord.objects.filter(force__police_uk_id="cheshire", month=SEP).order_by("occurred_at")[:2]
    )
    session = make_session(panel, records, by=coordinator)
    item = session.items.get(record=records[0])
    session_go_to(session=session, item=item, by=coordinator)
    rows = read_month(recordings, "cheshire", SEP)
    first = records[0].occurred_at
    kept = [r for r in rows if r["datetime"] != first.strftime("%Y-%m-%dT%H:%M:%S+00:00")]
    assert len(kept) == len(rows) - 1, "the first record's time is unique in the month"
    write_month(recordings, "cheshire", SEP, kept)
    sync(force_ids=["cheshire"])
    item.record.refresh_from_db()
    assert item.record.withdrawn_at is not None
    return session, item


def test_the_note_says_when_data_police_uk_stopped_publishing_it() -> None:
    when = timezone.make_aware(datetime(2026, 3, 3, 9, 30))
    assert withdrawn_note(when) == "data.police.uk no longer publishes this record (withdrawn on 3 March 2026)."
    assert withdrawn_note(None) == ""


def test_a_withdrawn_record_is_still_shown_in_the_session_with_a_note(
    sync: Sync, recordings: Path, panel: Panel, coordinator: User, member: User
) -> None:
    session, item = withdraw_one(sync, recordings, panel, coordinator)
    note = withdrawn_note(item.record.withdrawn_at)
    client = Client()
    client.force_login(member)

    page = client.get(reverse("review-session-detail", args=[session.pk]))
    assert page.status_code == 200
    assert note in page_text(page)
    assert page.content.decode().count('govuk-tag--grey">Withdrawn<') == 1  # the other record is still published
    score = client.get(reverse("review-item-score", args=[session.pk, item.pk]))
    assert note in page_text(score)

    detail = client.get(reverse("api-session-detail", args=[session.pk])).json()
    records = {i["id"]: i["record"] for i in detail["items"]}
    assert records[item.pk]["withdrawn_note"] == note
    assert records[item.pk]["withdrawn_at"] is not None
    others = [r for pk, r in records.items() if pk != item.pk]
    assert [(r["withdrawn_at"], r["withdrawn_note"]) for r in others] == [(None, "")]
    assert client.get(reverse("api-item-detail", args=[item.pk])).json()["record"]["withdrawn_note"] == note


def test_a_record_still_published_has_no_note(sync: Sync, panel: Panel, coordinator: User, member: User) -> None:
    sync(force_ids=["cheshire"])
    record = EncounterRecord.objects.filter(force__police_uk_id="cheshire").first()
    assert record is not None
    session = make_session(panel, [record], by=coordinator)
    session_go_to(session=session, item=session.items.get(), by=coordinator)
    client = Client()
    client.force_login(member)

    text = page_text(client.get(reverse("review-session-detail", args=[session.pk])))

    assert "no longer publishes" not in text
    assert not re.search(
        r">Withdrawn<", client.get(reverse("review-session-detail", args=[session.pk])).content.decode()
    )


def test_a_withdrawn_record_is_left_out_of_counts_and_new_samples(
    sync: Sync, recordings: Path, panel: Panel, coordinator: User
) -> None:
    _, item = withdraw_one(sync, recordings, panel, coordinator)

    assert not EncounterRecord.objects.current().filter(pk=item.record_id).exists()
    population = sample_population(panel=panel, spec=SampleSpec(size=10, seed=1, month_from=SEP, month_to=SEP))
    assert not population.filter(pk=item.record_id).exists()
    assert population.count() == len(read_month(recordings, "cheshire", SEP))
