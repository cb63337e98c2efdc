"""Forces, import batches, records and rejected rows for the page, API and consumer tests of encounter records."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from itertools import count
from typing import Any

from panels.models import ForceArea, Organisation, Panel
from scrutiny import choices
from scrutiny.models import (
    EncounterRecord,
    Escalation,
    Finding,
    ImportBatch,
    RejectedRow,
    ReviewSession,
    SessionRecord,
)
from tests.factories import force_area

_n = count(1)


def make_force(
    code: str = "E23000006", police_uk_id: str = "cheshire", name: str = "Cheshire Constabulary"
) -> Organisation:
    """The force with this data.police.uk id: one of the forces every database has from its first migrate
    (panels/forces.py), or, for an id that is not one of them, a new force in the given area."""
    existing = Organisation.objects.filter(kind=Organisation.Kind.FORCE, police_uk_id=police_uk_id).first()
    if existing is not None:
        return existing
    return Organisation.objects.create(
        name=name,
        slug=police_uk_id,
        kind=Organisation.Kind.FORCE,
        force_area=ForceArea.objects.get(code=code) if code else force_area(),
        police_uk_id=police_uk_id,
    )


def area_of(force: Organisation) -> ForceArea:
    """The force's area (every force the tests use has one; only British Transport Police has none)."""
    assert force.force_area is not None, f"{force} has no force area"
    return force.force_area


def make_batch(force: Organisation, **extra: Any) -> ImportBatch:
    fields: dict[str, Any] = {
        "source_format": choices.SourceFormat.POLICE_UK_CSV,
        "file_name": f"2025-06-{force.police_uk_id}-stop-and-search.csv",
        "file_sha256": "0" * 64,
        "status": choices.BatchStatus.FINISHED,
        "read_count": 2,
        "imported_count": 1,
        "rejected_count": 1,
    }
    fields.update(extra)
    return ImportBatch.objects.create(force=force, **fields)


def make_record(batch: ImportBatch, **extra: Any) -> EncounterRecord:
    occurred = extra.pop("occurred_at", datetime(2025, 6, 15, 12, 0, tzinfo=UTC))
    fields: dict[str, Any] = {
        "kind": choices.Kind.STOP_SEARCH,
        "search_type": choices.SearchType.PERSON,
        "month": occurred.date().replace(day=1),
        "legislation": choices.Legislation.MISUSE_OF_DRUGS_S23,
        "outcome": choices.Outcome.NO_FURTHER_ACTION,
        "ethnic_group": choices.EthnicGroup.WHITE,
        "self_defined_ethnicity": choices.SelfDefinedEthnicity.WHITE_BRITISH,
    }
    fields.update(extra)
    return EncounterRecord.objects.create(
        force=batch.force,
        batch=batch,
        fingerprint=hashlib.sha256(str(next(_n)).encode()).digest()[:16],
        occurred_at=occurred,
        **fields,
    )


def make_rejected_row(batch: ImportBatch, **extra: Any) -> RejectedRow:
    fields: dict[str, Any] = {
        "line_number": 3,
        "raw_values": {"Type": "Person search", "Date": "not a date"},
        "reasons": ["Date: not a date and time"],
    }
    fields.update(extra)
    return RejectedRow.objects.create(batch=batch, **fields)


# --- review work ------------------------------------------------------------------------------------------------


def make_session(panel: Panel, records: list[EncounterRecord], *, by: Any, title: str = "June review") -> ReviewSession:
    """A session with exactly these records, hand-picked (through the service, so the spec is stored)."""
    from scrutiny.reviews.sampling import SampleSpec
    from scrutiny.reviews.services import session_create

    spec = SampleSpec(size=0, seed=1, hand_picked=tuple(r.pk for r in records))
    return session_create(panel=panel, title=title, day=date(2025, 7, 1), spec=spec, by=by)


def make_finding(panel: Panel, *, session: ReviewSession | None, items: list[SessionRecord], by: Any) -> Finding:
    from scrutiny.reviews.services import FindingInput, finding_create

    data = FindingInput(
        title="Grounds not recorded",
        category=Finding.Category.GROUNDS,
        rag=Finding.Rag.RED,
        observation="The record gives no grounds beyond the smell of cannabis.",
        recommendation="Brief officers on recording grounds.",
        item_ids=[i.pk for i in items],
    )
    return finding_create(panel=panel, session=session, data=data, by=by)


def make_escalation(finding: Finding, *, force: Organisation, by: Any) -> Escalation:
    from scrutiny.escalations.services import escalation_send

    return escalation_send(finding=finding, force=force, question="Was the officer spoken to?", by=by)


# --- factory_boy factories (the importer's tests) ------------------------------------------------------------

import factory  # noqa: E402

from panels.census import POLICE_UK_IDS  # noqa: E402

_AREA_OF = {police_uk_id: code for code, police_uk_id in POLICE_UK_IDS.items()}


class ForceFactory(factory.django.DjangoModelFactory[Organisation]):
    """A police force. `police_uk_id` picks its force area from the Census table (Cheshire by default)."""

    class Meta:
        model = Organisation
        django_get_or_create = ("police_uk_id",)

    police_uk_id = "cheshire"
    name = factory.LazyAttribute(lambda o: f"{o.police_uk_id.replace('-', ' ').title()} Police")
    slug = factory.LazyAttribute(lambda o: f"force-{o.police_uk_id}")
    kind = Organisation.Kind.FORCE
    force_area = factory.LazyAttribute(lambda o: ForceArea.objects.get(code=_AREA_OF[o.police_uk_id]))


class ImportBatchFactory(factory.django.DjangoModelFactory[ImportBatch]):
    class Meta:
        model = ImportBatch

    force = factory.SubFactory(ForceFactory)
    source_format = choices.SourceFormat.POLICE_UK_CSV
    file_name = factory.LazyAttribute(lambda o: f"2025-06-{o.force.police_uk_id}-stop-and-search.csv")
    status = choices.BatchStatus.RUNNING


class EncounterRecordFactory(factory.django.DjangoModelFactory[EncounterRecord]):
    class Meta:
        model = EncounterRecord

    batch = factory.SubFactory(ImportBatchFactory)
    force = factory.LazyAttribute(lambda o: o.batch.force)
    kind = choices.Kind.STOP_SEARCH
    fingerprint = factory.Sequence(lambda n: hashlib.sha256(f"factory record {n}".encode()).digest()[:16])
    occurred_at = factory.LazyFunction(lambda: datetime(2025, 6, 15, 12, 0, tzinfo=UTC))
    month = factory.LazyAttribute(lambda o: o.occurred_at.date().replace(day=1))
    search_type = choices.SearchType.PERSON
    gender = choices.Gender.MALE
    age_range = choices.AgeRange.A18_24
    self_defined_ethnicity = choices.SelfDefinedEthnicity.WHITE_BRITISH
    ethnic_group = choices.EthnicGroup.WHITE
    officer_defined_ethnicity = choices.OfficerDefinedEthnicity.WHITE
    legislation = choices.Legislation.MISUSE_OF_DRUGS_S23
    object_of_search = choices.ObjectOfSearch.CONTROLLED_DRUGS
    outcome = choices.Outcome.NO_FURTHER_ACTION


class RejectedRowFactory(factory.django.DjangoModelFactory[RejectedRow]):
    class Meta:
        model = RejectedRow

    batch = factory.SubFactory(ImportBatchFactory)
    line_number = factory.Sequence(lambda n: n + 2)
    raw_values = factory.LazyFunction(lambda: {"Type": "Person search", "Date": "yesterday"})
    reasons = factory.LazyFunction(lambda: ['Date: "yesterday" is not a date and time'])
