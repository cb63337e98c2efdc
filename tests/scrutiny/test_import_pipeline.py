"""The import pipeline on small made-up files: quirks of joined downloads, duplicates, bad rows, fatal errors."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.base import File
from django.db import connection
from django.db.utils import IntegrityError

from panels.models import Organisation
from scrutiny import choices
from scrutiny.models import AuditEvent, EncounterRecord, ImportBatch, RejectedRow
from scrutiny.records.importing import ImportFailed, detect_format, parse_file_name, run_import
from scrutiny.records.importing.cells import Dates
from scrutiny.records.models import financial_year
from tests.scrutiny.conftest import POLICE_UK_HEADER, ImportBytes
from tests.scrutiny.factories import ImportBatchFactory

ROW_A = (
    "Person search,2025-06-01T10:15:00+00:00,False,,53.190012,-2.890034,Male,18-24,"
    "White - English/Welsh/Scottish/Northern Irish/British,White,Misuse of Drugs Act 1971 (section 23),"
    "Controlled drugs,A no further action disposal,False,False"
)
ROW_B = (
    "Vehicle search,2025-06-02T23:40:00+00:00,,,,,,,,,Police and Criminal Evidence Act 1984 (section 1),"
    "Stolen goods,Arrest,True,"
)
ROW_C = (
    "Person and Vehicle search,2025-06-03T08:00:00+00:00,True,Operation Nightjar,53.201000,-2.900000,Female,"
    "over 34,Black or Black British - African (B2),Black,Criminal Justice and Public Order Act 1994 (section 60),"
    "Offensive weapons,Nothing found - no further action,,"
)


def csv_text(*rows: str, header: str = POLICE_UK_HEADER, end: str = "\r\n") -> str:
    return end.join([header, *rows]) + end


def table_counts() -> tuple[int, int, int, int]:
    return (
        EncounterRecord.objects.count(),
        ImportBatch.objects.count(),
        RejectedRow.objects.count(),
        AuditEvent.objects.count(),
    )


# --- quirks of real downloads -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bom_crlf_repeated_headers_and_trailing_blank_lines_import_cleanly(import_bytes: ImportBytes) -> None:
    text = "\ufeff" + csv_text(ROW_A, ROW_B) + "\ufeff" + csv_text(ROW_C, end="\n") + "\r\n\r\n  \n,,,,,,,,,,,,,,\n"
    result = import_bytes(text.encode("utf-8"))
    assert (result.read, result.imported, result.duplicates, result.rejected) == (3, 3, 0, 0)
    assert result.skipped == 5  # the repeated header, three blank lines and a line of empty cells


@pytest.mark.django_db
def test_mixed_line_ends_and_trailing_empty_cells(import_bytes: ImportBytes) -> None:
    text = POLICE_UK_HEADER + ",,\n" + ROW_A + ",,\r\n" + ROW_B + "\n" + ROW_C
    result = import_bytes(text)
    assert (result.read, result.imported, result.rejected) == (3, 3, 0)


@pytest.mark.django_db
def test_columns_blank_for_a_whole_force_are_not_recorded(import_bytes: ImportBytes) -> None:
    blank_gender_and_legislation = ROW_A.replace(",Male,", ",,").replace("Misuse of Drugs Act 1971 (section 23)", "")
    result = import_bytes(csv_text(blank_gender_and_legislation))
    assert result.rejected == 0
    record = EncounterRecord.objects.get()
    assert (record.gender, record.legislation) == ("", "")


@pytest.mark.django_db
def test_columns_in_another_order_are_matched_by_heading(import_bytes: ImportBytes) -> None:
    headings = POLICE_UK_HEADER.split(",")
    cells = ROW_A.split(",")
    order = list(reversed(range(len(headings))))
    text = ",".join(headings[i] for i in order) + "\n" + ",".join(cells[i] for i in order) + "\n"
    import_bytes(text)
    import_bytes(csv_text(ROW_A))  # the same record, columns in the usual order
    assert EncounterRecord.objects.count() == 1


@pytest.mark.django_db
def test_a_record_holds_the_normalised_values(import_bytes: ImportBytes) -> None:
    import_bytes(csv_text(ROW_A, ROW_B, ROW_C), name="2025-06-cheshire-stop-and-search.csv")
    a, b, c = EncounterRecord.objects.order_by("occurred_at")
    assert (a.search_type, a.gender, a.age_range, a.self_defined_ethnicity, a.ethnic_group) == (
        choices.SearchType.PERSON,
        choices.Gender.MALE,
        choices.AgeRange.A18_24,
        choices.SelfDefinedEthnicity.WHITE_BRITISH,
        choices.EthnicGroup.WHITE,
    )
    assert (a.part_of_policing_operation, a.outcome_linked_to_object, a.removal_of_more_than_outer_clothing) == (
        False,
        False,
        False,
    )
    assert str(a.latitude) == "53.190012"
    assert (a.month, a.financial_year, a.vehicle_only) == (date(2025, 6, 1), "2025-26", False)
    assert b.vehicle_only
    assert b.latitude is None
    assert b.ethnic_group == choices.EthnicGroup.NOT_STATED
    assert b.removal_of_more_than_outer_clothing is None
    assert c.policing_operation == "Operation Nightjar"
    assert (c.self_defined_ethnicity, c.legislation, c.outcome, c.anything_found) == (
        choices.SelfDefinedEthnicity.BLACK_AFRICAN,
        choices.Legislation.CJPOA_S60,
        choices.Outcome.NO_FURTHER_ACTION,
        False,
    )
    assert c.kind == choices.Kind.STOP_SEARCH


# --- nothing twice, nothing lost -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_a_file_twice_adds_nothing_the_second_time(import_bytes: ImportBytes) -> None:
    first = import_bytes(csv_text(ROW_A, ROW_B, ROW_C))
    second = import_bytes(csv_text(ROW_A, ROW_B, ROW_C))
    assert (first.imported, first.duplicates) == (3, 0)
    assert (second.read, second.imported, second.duplicates) == (3, 0, 3)
    assert EncounterRecord.objects.count() == 3


@pytest.mark.django_db
def test_an_overlapping_file_adds_only_what_is_new(import_bytes: ImportBytes) -> None:
    import_bytes(csv_text(ROW_A, ROW_B))
    result = import_bytes(csv_text(ROW_B, ROW_C, ROW_A))
    assert (result.imported, result.duplicates) == (1, 2)


@pytest.mark.django_db
def test_identical_searches_in_one_file_are_all_kept_and_not_added_again(import_bytes: ImportBytes) -> None:
    first = import_bytes(csv_text(ROW_A, ROW_A, ROW_A, ROW_B))
    assert first.imported == 4
    again = import_bytes(csv_text(ROW_A, ROW_A, ROW_A, ROW_B))
    assert (again.imported, again.duplicates) == (0, 4)
    # A later file with one more copy of the same search adds just that one.
    more = import_bytes(csv_text(ROW_A, ROW_A, ROW_A, ROW_A))
    assert (more.imported, more.duplicates) == (1, 3)
    fingerprints = list(EncounterRecord.objects.values_list("fingerprint", flat=True))
    assert len({bytes(f) for f in fingerprints}) == len(fingerprints) == 5


@pytest.mark.django_db
def test_old_and_new_spellings_of_one_search_are_one_record(import_bytes: ImportBytes) -> None:
    old = ROW_C
    new = ROW_C.replace("Black or Black British - African (B2)", "Black/African/Caribbean/Black British - African")
    new = new.replace("Nothing found - no further action", "A no further action disposal")
    import_bytes(csv_text(old))
    # Same ethnicity, but "nothing found" is more than the current outcome says: a different record.
    assert import_bytes(csv_text(new)).imported == 1
    assert (
        import_bytes(
            csv_text(ROW_C.replace("(B2)", "(B2)").replace("Black or Black British", "Black or  black british"))
        ).imported
        == 0
    )


@pytest.mark.django_db
def test_bad_rows_are_kept_with_their_reasons_and_the_counts_add_up(import_bytes: ImportBytes) -> None:
    bad_gender = ROW_A.replace(",Male,", ",Purple,")
    bad_date = ROW_B.replace("2025-06-02T23:40:00+00:00", "2025-02-30T10:00:00+00:00")
    bad_many = (
        ROW_C.replace("over 34", "over 35").replace("53.201000", "91.000000").replace("Person and Vehicle search", "")
    )
    short = "Person search,2025-06-04T10:00:00+00:00,False"
    result = import_bytes(csv_text(ROW_A, bad_gender, ROW_B, bad_date, bad_many, short))
    assert (result.read, result.imported, result.duplicates, result.rejected) == (6, 2, 0, 4)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert batch.read_count == batch.imported_count + batch.duplicate_count + batch.rejected_count
    rows = {row.line_number: row for row in RejectedRow.objects.filter(batch=batch)}
    assert rows[3].reasons == ['Gender: unknown value "Purple"']
    assert rows[3].raw_values["Gender"] == "Purple"
    assert rows[5].reasons == [
        'Date: "2025-02-30T10:00:00+00:00" is not a date and time (expected e.g. 2025-06-01T14:30:00+01:00)'
    ]
    assert rows[6].reasons == [
        "Type: a value is required but the cell is blank",
        'Age range: unknown value "over 35"',
        'Latitude: "91.000000" is out of range',
    ]
    assert rows[7].reasons == ["line 7: expected 15 cells, found 3"]
    assert rows[7].raw_values == {"cells": ["Person search", "2025-06-04T10:00:00+00:00", "False"]}


@pytest.mark.django_db
def test_unreadable_lines_are_rejected_not_lost(import_bytes: ImportBytes) -> None:
    data = (
        csv_text(ROW_A).encode()
        + b"Person search,\xff\xfe broken bytes\r\n"
        + b'Person search,"an unterminated quote,2025\r\n'
        + ROW_B.encode()
        + b"\r\nnul\x00byte\r\n"
        + ROW_C.encode()
        + b"\r\n"
    )
    result = import_bytes(data)
    assert (result.read, result.imported, result.rejected) == (6, 3, 3)
    reasons = sorted(r.reasons[0] for r in RejectedRow.objects.all())
    # Bytes that are not UTF-8, in a file with no UTF-8 beyond ASCII, make it a Windows-1252 file (docs/import.md):
    # the line reads as "Person search,ÿþ broken bytes", which is still not a record.
    assert reasons == [
        "line 3: expected 15 cells, found 2",
        "line 4: not readable as CSV: a quote is opened and not closed on this line",
        "line 6: contains a NUL character",
    ]


@pytest.mark.django_db
def test_a_batch_that_does_not_add_up_cannot_be_finished(force: Organisation) -> None:
    with pytest.raises(IntegrityError):
        ImportBatchFactory.create(
            force=force, status=choices.BatchStatus.FINISHED, read_count=3, imported_count=1, rejected_count=1
        )


# --- fatal errors ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_wrong_header_is_fatal_and_changes_nothing(import_bytes: ImportBytes) -> None:
    import_bytes(csv_text(ROW_A))
    before = table_counts()
    with pytest.raises(ImportFailed, match='unknown column\\(s\\) "Colour"'):
        import_bytes(csv_text(ROW_B, header=POLICE_UK_HEADER.replace("Gender", "Colour")))
    with pytest.raises(ImportFailed, match="cannot tell the format"):
        import_bytes("name,age\nBob,3\n")
    with pytest.raises(ImportFailed, match="empty"):
        import_bytes("")
    assert table_counts() == before


@pytest.mark.django_db
def test_a_failure_half_way_through_leaves_the_database_as_it_was(
    force: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("scrutiny.records.importing.pipeline.PROGRESS_EVERY_ROWS", 500)
    batch = ImportBatchFactory.create(force=force)
    before = table_counts()
    rows = [ROW_A.replace("10:15:00", f"10:{m:02d}:{s:02d}") for m in range(60) for s in range(0, 60, 2)]
    data = csv_text(*rows).encode()

    def explode(rows_done: int, bytes_read: int) -> None:
        raise RuntimeError("the disk fell off")

    with pytest.raises(RuntimeError, match="disk fell off"):
        run_import(batch=batch, source=io.BytesIO(data), progress=explode)
    assert table_counts() == before
    # The connection is usable afterwards (a COPY left open would make this fail on PostgreSQL).
    assert EncounterRecord.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


# --- formats, names and months -----------------------------------------------------------------------------


def test_the_format_is_told_from_the_content() -> None:
    assert detect_format(POLICE_UK_HEADER.encode()) == choices.SourceFormat.POLICE_UK_CSV
    assert detect_format(b"\xef\xbb\xbf" + POLICE_UK_HEADER.encode()) == choices.SourceFormat.POLICE_UK_CSV
    assert detect_format(b'  [\n {"age_range": null}]') == choices.SourceFormat.POLICE_UK_JSON
    assert detect_format(b"[]") == choices.SourceFormat.POLICE_UK_JSON
    assert detect_format(b"Date,Tactics,Officer identifier\n") == choices.SourceFormat.USE_OF_FORCE
    assert detect_format((POLICE_UK_HEADER + ",Grounds,Officer identifier").encode()) == (
        choices.SourceFormat.FORCE_EXTRACT
    )
    with pytest.raises(ImportFailed):
        detect_format(b"[project]\nname = 1\n")
    with pytest.raises(ImportFailed):
        detect_format(b'{"error": "not found"}')


def test_the_force_and_month_are_read_from_data_police_uk_names() -> None:
    info = parse_file_name("downloads/2016-06-metropolitan-stop-and-search.csv")
    assert info is not None
    assert (info.force, info.month) == ("metropolitan", date(2016, 6, 1))
    info = parse_file_name("2023-01-avon-and-somerset-stops-force.json")
    assert info is not None
    assert info.force == "avon-and-somerset"
    assert parse_file_name("2025-13-cheshire-stop-and-search.csv") is None
    assert parse_file_name("records.csv") is None


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (date(2025, 3, 1), "2024-25"),
        (date(2025, 4, 1), "2025-26"),
        (date(2025, 12, 1), "2025-26"),
        (date(2000, 1, 1), "1999-00"),
    ],
)
def test_financial_years_run_april_to_march(month: date, expected: str) -> None:
    assert financial_year(month) == expected


def test_the_month_is_local_unless_the_source_says_which_month_it_covers() -> None:
    today = date(2026, 1, 1)
    plain = Dates(declared_month=None, today=today)
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (summer time).
    assert plain.resolve("2025-05-31T23:30:00+00:00", "Date")[1] == "2025-06-01"
    assert plain.resolve("2025-06-30T23:30:00+00:00", "Date")[1] == "2025-07-01"
    assert plain.resolve("2025-01-31T23:30:00+00:00", "Date")[1] == "2025-01-01"  # winter: London is UTC
    june = Dates(declared_month=date(2025, 6, 1), today=today)
    # Merseyside's local times written with +00:00 stay in the file's month ...
    assert june.resolve("2025-06-30T23:30:00+00:00", "Date")[1] == "2025-06-01"
    # ... and the usual UTC times at the start of the file still count in it.
    assert june.resolve("2025-05-31T23:30:00+00:00", "Date")[1] == "2025-06-01"
    # A time that is not near the declared month keeps its own month.
    assert june.resolve("2025-09-10T12:00:00+00:00", "Date")[1] == "2025-09-01"


def test_other_ways_of_writing_a_time_are_understood() -> None:
    dates = Dates(declared_month=None, today=date(2026, 1, 1))
    assert dates.resolve("2025-06-01T14:30:00+01:00", "Date")[0] == "2025-06-01T13:30:00+00:00"
    assert dates.resolve("2025-06-01T13:30:00Z", "Date")[0] == "2025-06-01T13:30:00+00:00"
    assert dates.resolve("2025-06-01 14:30", "Date")[0] == "2025-06-01T13:30:00+00:00"  # no offset: London
    assert dates.resolve("01/06/2025 14:30", "Date")[0] == "2025-06-01T13:30:00+00:00"  # UK day/month/year
    for bad in ("2025-06-31T10:00:00+00:00", "yesterday", "2031-01-01T00:00:00+00:00", "1999-12-31T10:00:00+00:00"):
        with pytest.raises(ValueError, match="Date: "):
            dates.resolve(bad, "Date")


@pytest.mark.django_db
def test_the_declared_month_comes_from_a_data_police_uk_file_name(import_bytes: ImportBytes) -> None:
    late = ROW_A.replace("2025-06-01T10:15:00+00:00", "2025-06-30T23:30:00+00:00")
    import_bytes(csv_text(late), name="2025-06-cheshire-stop-and-search.csv", declared_month=date(2025, 6, 1))
    import_bytes(csv_text(late.replace("Male", "Female")), name="joined.csv")
    assert sorted(str(m) for m in EncounterRecord.objects.values_list("month", flat=True)) == [
        "2025-06-01",
        "2025-07-01",
    ]


# --- JSON ----------------------------------------------------------------------------------------------------------

API_RECORD = (
    '{"age_range": "18-24", "outcome": "", "involved_person": true, "self_defined_ethnicity": null, '
    '"gender": "Male", "legislation": "Misuse of Drugs Act 1971 (section 23)", '
    '"outcome_linked_to_object_of_search": null, "datetime": "2023-01-01T00:05:22+00:00", '
    '"removal_of_more_than_outer_clothing": false, "outcome_object": {"id": "bu-arrest", "name": "Arrest"}, '
    '"location": {"latitude": "50.883462", "street": {"id": 1, "name": "On or near Market Street"}, '
    '"longitude": "-2.795848"}, "operation": null, "officer_defined_ethnicity": "Mixed", '
    '"type": "Person search", "operation_name": null, "object_of_search": "Controlled drugs"}'
)


@pytest.mark.django_db
def test_api_json_records_with_ids_nulls_and_no_location(import_bytes: ImportBytes) -> None:
    no_location = API_RECORD.replace(
        '{"latitude": "50.883462", "street": {"id": 1, "name": "On or near Market Street"}, "longitude": "-2.795848"}',
        "null",
    ).replace("00:05:22", "00:06:00")
    result = import_bytes(f'[{API_RECORD},\n {no_location}, 42, {{"type": "Person search"}}]')
    assert (result.read, result.imported, result.rejected) == (4, 2, 2)
    first = EncounterRecord.objects.order_by("occurred_at").first()
    assert first is not None
    assert first.outcome == choices.Outcome.ARREST  # from outcome_object when outcome is blank
    assert first.officer_defined_ethnicity == choices.OfficerDefinedEthnicity.MIXED
    reasons = sorted(r.reasons[0] for r in RejectedRow.objects.all())
    assert reasons == ["datetime: a value is required but the cell is blank", "line 3: not a stop-and-search object"]


@pytest.mark.django_db
def test_broken_json_is_fatal(import_bytes: ImportBytes) -> None:
    before = table_counts()
    for text in (f"[{API_RECORD}, {API_RECORD[:50]}", f"[{API_RECORD} {API_RECORD}]", f"[{API_RECORD}"):
        with pytest.raises(ImportFailed, match="unreadable"):
            import_bytes(text)
    assert table_counts() == before


@pytest.mark.django_db
def test_a_django_file_is_read_once_from_the_start(force: Organisation) -> None:
    # Django's File rewinds when iterated; the importer must read it line by line instead.
    batch = ImportBatchFactory.create(force=force)
    result = run_import(batch=batch, source=File(io.BytesIO(csv_text(ROW_A, ROW_B, ROW_C).encode())))
    assert (result.read, result.imported, result.skipped) == (3, 3, 0)
