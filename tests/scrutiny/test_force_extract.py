"""Force extracts: grounds masked and flagged, officers and references only as keyed forms, and no raw value of
either (nor any unmasked personal data) anywhere in the database afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from panels.models import Organisation
from scrutiny import choices
from scrutiny.models import EncounterRecord, RejectedRow
from scrutiny.records.anonymise import force_reference_hash, officer_pseudonym
from scrutiny.records.services import rejected_row_correct
from tests.scrutiny.conftest import FIXTURES, ImportBytes

FORCE_EXTRACT = FIXTURES / "force-extract.csv"
USE_OF_FORCE = FIXTURES / "use-of-force.csv"

# Everything in the fixtures that must never be stored as written.
SECRETS = [
    "PC 4471",
    "PC4471",
    "DC 2231",
    "DC2231",
    "PS 118",
    "PS118",
    "PC 9090",
    "PC9090",
    "PC 7777",
    "PC7777",
    "CHE-2025-000123",
    "CHE-2025-000124",
    "CHE-2025-000125",
    "CHE-2025-000126",
    "CHE-2025-000127",
    "UOF-2025-000555",
    "UOF-2025-000556",
    "UOF-2025-000557",
    "Darren",
    "Whitfield",
    "14/02/2003",
    "CH1 4QT",
    "WX19 KTR",
    "07700 900456",
    "d.whit@example.com",
    "Karen",
    "Oduya",
    "CH2 3NL",
    "01244 123456",
]


def every_stored_text() -> str:
    """The text of every row of every table the project's models hold, one value after another."""
    parts: list[str] = []
    for model in apps.get_models(include_auto_created=True):
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model._base_manager.values_list(*fields):
            for value in row:
                if isinstance(value, bytes | memoryview):
                    data = bytes(value)
                    parts.append(data.hex())
                    parts.append(data.decode("utf-8", errors="ignore"))
                elif value is not None:
                    parts.append(str(value))
    return "\n".join(parts)


def rejected_for(column: str) -> RejectedRow:
    return next(row for row in RejectedRow.objects.all() if row.reasons and row.reasons[0].startswith(column))


def import_fixture(import_bytes: ImportBytes, path: Path) -> tuple[int, int, int]:
    result = import_bytes(path.read_bytes(), name=path.name)
    return result.read, result.imported, result.rejected


@pytest.mark.django_db
def test_no_officer_identifier_reference_or_personal_data_reaches_the_database(import_bytes: ImportBytes) -> None:
    assert import_fixture(import_bytes, FORCE_EXTRACT) == (5, 3, 2)
    assert import_fixture(import_bytes, USE_OF_FORCE) == (3, 2, 1)
    stored = every_stored_text()
    assert stored  # the records are there
    leaked = [secret for secret in SECRETS if secret in stored]
    assert leaked == []


@pytest.mark.django_db
def test_a_corrected_row_keeps_nothing_raw_either(import_bytes: ImportBytes) -> None:
    import_fixture(import_bytes, FORCE_EXTRACT)
    row = rejected_for("Gender")
    outcome = rejected_row_correct(row=row, values={"Gender": "Female", "Officer identifier": "PC 9090"}, by=None)
    assert outcome["status"] == "imported"
    leaked = [secret for secret in SECRETS if secret in every_stored_text()]
    assert leaked == []


@pytest.mark.django_db
def test_grounds_are_masked_flagged_and_officers_pseudonymised(import_bytes: ImportBytes, force: Organisation) -> None:
    import_fixture(import_bytes, FORCE_EXTRACT)
    key = settings.PSEUDONYM_KEY
    first = EncounterRecord.objects.get(
        force_reference_hash=force_reference_hash("CHE-2025-000123", force="cheshire", key=key)
    )
    assert first.grounds_text == ("Strong smell of cannabis. Male gave name as Mr [name], DOB [date], of [postcode].")
    assert first.pii_flagged
    assert first.redaction_pending
    assert first.officer_pseudonym == officer_pseudonym("pc4471", force="cheshire", key=key)
    assert (first.body_worn_video, first.supervisor_signed_off, first.initiation) == (
        True,
        True,
        choices.Initiation.SELF_GENERATED,
    )
    second = EncounterRecord.objects.get(officer_pseudonym=officer_pseudonym("DC 2231", force="cheshire", key=key))
    assert "[vehicle registration]" in second.grounds_text
    assert "[phone number]" in second.grounds_text
    assert "[email]" in second.grounds_text
    assert "[collar number]" in second.grounds_text
    assert second.initiation == choices.Initiation.DISPATCHED
    # A quoted field running over several lines is one record; grounds without personal data are not flagged.
    third = EncounterRecord.objects.get(officer_pseudonym=officer_pseudonym("PS 118", force="cheshire", key=key))
    assert third.grounds_text.count("\n") == 2
    assert not third.pii_flagged
    assert third.supervisor_signed_off is None


@pytest.mark.django_db
def test_rejected_extract_rows_keep_keyed_forms_and_masked_text_only(import_bytes: ImportBytes) -> None:
    import_fixture(import_bytes, FORCE_EXTRACT)
    unknown_gender = rejected_for("Gender")
    assert unknown_gender.reasons == ['Gender: unknown value "Unknownish"']
    assert unknown_gender.raw_values["Officer identifier"] == ""
    assert unknown_gender.raw_values["Force reference"] == ""
    assert "[postcode]" in unknown_gender.raw_values["Grounds"]
    assert unknown_gender.protected["officer_pseudonym"] == officer_pseudonym(
        "PC 9090", force="cheshire", key=settings.PSEUDONYM_KEY
    )
    assert unknown_gender.protected["pii_flagged"] is True
    misaligned = RejectedRow.objects.get(line_number=8)
    assert misaligned.raw_values == {}
    assert misaligned.reasons[0] == "line 8: expected 21 cells, found 22"
    assert "not kept" in misaligned.reasons[1]


@pytest.mark.django_db
def test_use_of_force_records_follow_the_home_office_form(import_bytes: ImportBytes) -> None:
    import_fixture(import_bytes, USE_OF_FORCE)
    records = EncounterRecord.objects.filter(kind=choices.Kind.USE_OF_FORCE).order_by("occurred_at")
    assert records.count() == 2
    first, second = records
    assert first.uof_tactics == ["handcuffing_compliant", "ground_restraint"]
    assert first.uof_impact_factors == ["alcohol", "drugs"]
    assert first.uof_reasons == ["protect_self", "effect_arrest"]
    assert (first.subject_age_band, first.subject_injured, first.subject_injury, first.uof_outcome) == (
        "18_34",
        False,
        "none",
        "arrested",
    )
    assert first.officer_defined_ethnicity == choices.OfficerDefinedEthnicity.WHITE
    assert first.ethnic_group == choices.EthnicGroup.NOT_STATED
    assert second.ethnic_group == choices.EthnicGroup.BLACK
    assert second.officer_defined_ethnicity == choices.OfficerDefinedEthnicity.BLACK
    assert second.uof_tactics == ["taser_drawn", "taser_red_dot"]
    assert second.search_type == ""
    rejected = RejectedRow.objects.get()
    assert rejected.reasons == ['Tactics: unknown value "Lasso"']


def test_the_fixture_holds_every_secret_it_is_checked_for() -> None:
    text = FORCE_EXTRACT.read_text() + USE_OF_FORCE.read_text()
    for secret in SECRETS:
        if " " in secret or "-" in secret or "@" in secret or "/" in secret:
            assert secret in text, secret
