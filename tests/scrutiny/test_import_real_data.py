"""The real data.police.uk files and the API sample: nothing rejected, and the counts match the raw files.

The expected counts are made here, independently of the importer, with the csv and json modules and a small
explicit table of the five groups.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from django.db.models import Count

from panels.models import Organisation
from scrutiny import choices
from scrutiny.models import EncounterRecord, ImportBatch, RejectedRow
from scrutiny.records.importing import parse_file_name
from scrutiny.records.imports import batch_import
from tests.scrutiny.factories import ForceFactory

API_SAMPLE = "2023-01-avon-and-somerset-stops-force.json"

# The five groups by the first word of the label (2011 and 2001 vocabularies), with the few exceptions spelled out.
FIRST_WORD = {"White": "white", "Black": "black", "Asian": "asian", "Mixed": "mixed", "Other": "other"}
EXCEPTIONS = {
    "": "not_stated",
    "Other ethnic group - Not stated": "not_stated",
    "Not Stated (NS)": "not_stated",
    "Chinese or other ethnic group - Chinese (O1)": "asian",
    "Chinese or other ethnic group - Any other ethnic group (O9)": "other",
}


def expected_group(label: str | None) -> str:
    label = (label or "").strip()
    if label in EXCEPTIONS:
        return EXCEPTIONS[label]
    return FIRST_WORD[label.split()[0].split("/")[0]]


def import_file(path: Path) -> ImportBatch:
    info = parse_file_name(path.name)
    assert info is not None
    force = ForceFactory.create(police_uk_id=info.force)
    with open(path, "rb") as fh:
        batch, _ = batch_import(source=fh, file_name=path.name, force=force, declared_month=info.month)
    return batch


@pytest.mark.django_db
def test_every_shared_file_imports_with_nothing_rejected_and_counts_that_match_the_raw_files(
    shared_data: Path,
) -> None:
    by_month: Counter[tuple[str, str]] = Counter()
    by_group: Counter[tuple[str, str]] = Counter()
    files = sorted((shared_data / "police-uk").glob("*.csv"))
    assert len(files) == 65
    for path in files:
        info = parse_file_name(path.name)
        assert info is not None
        with open(path, newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                by_month[info.force, info.month.strftime("%Y-%m")] += 1
                by_group[info.force, expected_group(row["Self-defined ethnicity"])] += 1
    api = json.loads((shared_data / "police-uk-api" / API_SAMPLE).read_text())
    for record in api:
        by_month["avon-and-somerset", record["datetime"][:7]] += 1
        by_group["avon-and-somerset", expected_group(record["self_defined_ethnicity"])] += 1

    batches = [import_file(path) for path in [*files, shared_data / "police-uk-api" / API_SAMPLE]]

    assert [b.file_name for b in batches if b.rejected_count] == []
    assert RejectedRow.objects.count() == 0
    assert sum(b.read_count for b in batches) == sum(by_month.values()) == 68_654 + 507
    assert all(b.read_count == b.imported_count + b.duplicate_count + b.rejected_count for b in batches)
    got_month = Counter(
        {
            (row["force__police_uk_id"], row["month"].strftime("%Y-%m")): row["n"]
            for row in EncounterRecord.objects.values("force__police_uk_id", "month").annotate(n=Count("pk"))
        }
    )
    got_group = Counter(
        {
            (row["force__police_uk_id"], row["ethnic_group"]): row["n"]
            for row in EncounterRecord.objects.values("force__police_uk_id", "ethnic_group").annotate(n=Count("pk"))
        }
    )
    assert got_month == by_month
    assert got_group == by_group

    # Importing everything again adds nothing.
    again = [import_file(path) for path in files[:10]]
    assert [b.imported_count for b in again] == [0] * 10
    assert [b.duplicate_count for b in again] == [b.read_count for b in again]
    assert EncounterRecord.objects.count() == 68_654 + 507


def _raw(path: Path, column: str) -> Counter[str]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return Counter(row[column] for row in csv.DictReader(fh))


@pytest.mark.django_db
def test_the_2016_metropolitan_file_lands_on_the_current_vocabulary(shared_data: Path) -> None:
    path = shared_data / "police-uk" / "2016-06-metropolitan-stop-and-search.csv"
    batch = import_file(path)
    assert batch.rejected_count == 0
    records = EncounterRecord.objects.filter(batch=batch)
    ethnicity = _raw(path, "Self-defined ethnicity")
    outcomes = _raw(path, "Outcome")

    # 2001-census coded groups become the same detailed values the current files use.
    assert (
        records.filter(self_defined_ethnicity=choices.SelfDefinedEthnicity.BLACK_AFRICAN).count()
        == (ethnicity["Black or Black British - African (B2)"])
    )
    assert (
        records.filter(self_defined_ethnicity=choices.SelfDefinedEthnicity.WHITE_BRITISH).count()
        == (ethnicity["White - White British (W1)"])
    )
    assert (
        records.filter(self_defined_ethnicity=choices.SelfDefinedEthnicity.NOT_STATED).count()
        == (ethnicity["Not Stated (NS)"])
    )
    # Old outcomes become the current scheme, keeping whether anything was found.
    nothing_found = records.filter(outcome=choices.Outcome.NO_FURTHER_ACTION, anything_found=False)
    assert nothing_found.count() == outcomes["Nothing found - no further action"] > 0
    assert records.filter(outcome=choices.Outcome.ARREST).count() == outcomes["Suspect arrested"] > 0
    assert (
        records.filter(outcome=choices.Outcome.NOT_RECORDED, anything_found=True).count()
        == (outcomes["Article found - Detailed outcome unavailable"])
    )
    assert set(records.values_list("outcome", flat=True)) <= set(choices.Outcome.values)


@pytest.mark.django_db
def test_old_and_current_spellings_give_the_same_values_across_files(shared_data: Path) -> None:
    met = import_file(shared_data / "police-uk" / "2016-06-metropolitan-stop-and-search.csv")
    wm17 = import_file(shared_data / "police-uk" / "2017-06-west-midlands-stop-and-search.csv")
    current = import_file(shared_data / "police-uk" / "2025-06-merseyside-stop-and-search.csv")
    values = {
        batch.pk: set(EncounterRecord.objects.filter(batch=batch).values_list("self_defined_ethnicity", flat=True))
        for batch in (met, wm17, current)
    }
    shared = {
        choices.SelfDefinedEthnicity.BLACK_AFRICAN,
        choices.SelfDefinedEthnicity.BLACK_CARIBBEAN,
        choices.SelfDefinedEthnicity.WHITE_BRITISH,
    }
    for found in values.values():
        assert shared <= found
        assert found <= set(choices.SelfDefinedEthnicity.values)

    # West Midlands 2017's stray space ("Black/ African/...") is the same group as the current spelling.
    raw = _raw(shared_data / "police-uk" / "2017-06-west-midlands-stop-and-search.csv", "Self-defined ethnicity")
    caribbean = (
        raw["Black/ African/Caribbean/Black British - Caribbean"]
        + raw["Black/African/Caribbean/Black British - Caribbean"]
    )
    assert caribbean > 0
    assert (
        EncounterRecord.objects.filter(
            batch=wm17, self_defined_ethnicity=choices.SelfDefinedEthnicity.BLACK_CARIBBEAN
        ).count()
        == caribbean
    )
    # Gender is blank on every West Midlands row: stored as not recorded, not rejected.
    assert set(EncounterRecord.objects.filter(batch=wm17).values_list("gender", flat=True)) == {""}


@pytest.mark.django_db
def test_merseyside_local_times_stay_in_the_month_of_their_file(shared_data: Path) -> None:
    # Merseyside writes local time with a +00:00 offset: its last-hour searches of a summer month must not
    # move into the next month.
    batch = import_file(shared_data / "police-uk" / "2025-06-merseyside-stop-and-search.csv")
    months = set(EncounterRecord.objects.filter(batch=batch).values_list("month", flat=True))
    assert {m.isoformat() for m in months} == {"2025-06-01"}
    assert {r.financial_year for r in EncounterRecord.objects.filter(batch=batch).only("month")} == {"2025-26"}


@pytest.mark.django_db
def test_south_yorkshire_without_coordinates_and_merseyside_without_legislation_import(shared_data: Path) -> None:
    south_yorkshire = import_file(shared_data / "police-uk" / "2025-07-south-yorkshire-stop-and-search.csv")
    assert south_yorkshire.rejected_count == 0
    assert not EncounterRecord.objects.filter(batch=south_yorkshire, latitude__isnull=False).exists()
    merseyside = import_file(shared_data / "police-uk" / "2025-07-merseyside-stop-and-search.csv")
    assert merseyside.rejected_count == 0
    assert set(EncounterRecord.objects.filter(batch=merseyside).values_list("legislation", flat=True)) == {""}


@pytest.mark.django_db
def test_the_api_sample_keeps_locations_as_published_and_vehicle_only_searches(shared_data: Path) -> None:
    force: Organisation = ForceFactory.create(police_uk_id="avon-and-somerset")
    path = shared_data / "police-uk-api" / API_SAMPLE
    with open(path, "rb") as fh:
        batch, result = batch_import(source=fh, file_name=path.name, force=force)
    assert batch.source_format == choices.SourceFormat.POLICE_UK_JSON
    assert result.read == result.imported == 507
    api = json.loads(path.read_text())
    first = api[0]
    record = EncounterRecord.objects.filter(batch=batch).order_by("occurred_at", "pk").first()
    assert record is not None
    assert str(record.latitude) == first["location"]["latitude"]
    assert str(record.longitude) == first["location"]["longitude"]
    vehicle_only = sum(1 for r in api if r["type"] == "Vehicle search")
    assert EncounterRecord.objects.filter(batch=batch, vehicle_only=True).count() == vehicle_only > 0
    without_location = sum(1 for r in api if r["location"] is None)
    assert EncounterRecord.objects.filter(batch=batch, latitude__isnull=True).count() == without_location
