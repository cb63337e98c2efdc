"""The importer's two paths agree (issue 14).

A data.police.uk CSV going to PostgreSQL is read by a hand-written hot loop (`pipeline._Run.police_uk_csv`), on
bytes, with caches keyed by raw bytes; anything it does not recognise goes to the general path (`_Run.handle`), which
is also what every other file and every SQLite import takes (`_Run.general`). The hot loop is only an optimisation:
for any file, it must store exactly what the general path would, give the same fingerprints, and refuse the same rows
for the same reasons.

The property tests build rows from the real vocabularies (every accepted spelling, re-spelt as spreadsheets and
people write them), arbitrary text, blank cells, quotes and commas (which send a line to the general path), and dates
and coordinates in every form the importer reads, and run each file through both paths from the same start.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from panels.models import Organisation
from scrutiny import vocab
from scrutiny.choices import BatchStatus, SourceFormat
from scrutiny.records.importing import ImportFailed, ImportResult, run_import
from scrutiny.records.importing.columns import CATEGORICAL_COLUMNS, EXTRA_COLUMNS, JSON_COLUMNS, ROW_COLUMNS
from scrutiny.records.importing.normalise import Normalised, StopSearchNormaliser, make_normaliser
from scrutiny.records.importing.pipeline import _Run
from scrutiny.records.importing.readers import CsvReader, open_reader
from scrutiny.records.importing.sinks import PostgresSink, Sink
from scrutiny.records.models import EncounterRecord, ImportBatch, RejectedRow
from tests.scrutiny.conftest import POLICE_UK_HEADER

TODAY = date(2026, 12, 7)  # dates after the 9th are in the future, and refused
REPO_DATA = Path(__file__).resolve().parents[3] / "data" / "police-uk"

# --- rows --------------------------------------------------------------------------------------------------------


def spellings(vocabulary: vocab.Vocabulary[Any]) -> list[str]:
    return sorted({spelling for spelling, _ in vocabulary.entries})


# The vocabulary of each column, by position (None: not a vocabulary column).
VOCABULARIES: list[vocab.Vocabulary[Any] | None] = [
    vocab.SEARCH_TYPE,
    None,  # Date
    vocab.YES_NO,
    None,  # Policing operation
    None,  # Latitude
    None,  # Longitude
    vocab.GENDER,
    vocab.AGE_RANGE,
    vocab.SELF_DEFINED_ETHNICITY,
    vocab.OFFICER_DEFINED_ETHNICITY,
    vocab.LEGISLATION,
    vocab.OBJECT_OF_SEARCH,
    vocab.OUTCOME,
    vocab.YES_NO,
    vocab.YES_NO,
]
VOCABULARY_COLUMNS = [i for i, v in enumerate(VOCABULARIES) if v is not None]

# Arbitrary text: line breaks, quotes, commas and other separators included (no NUL here: it has its own case).
junk = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
odd_text = st.sampled_from(['a, "b"', '"', ",", "x\r", "\r", "\t", " ", "\x00", "\ufeff", "Operation Hawk", "é"])


def respelled(text: str) -> st.SearchStrategy[str]:
    """The same value as spreadsheets, other systems and people write it: case, spacing, dashes."""
    return st.sampled_from(
        [
            text.upper(),
            text.lower(),
            text.title(),
            f" {text}",
            f"{text} ",
            f"  {text}\t",
            text.replace(" ", "  "),
            text.replace("-", " - "),
            text.replace("-", "\u2013"),
            text.replace(" ", "\u00a0"),
        ]
    )


def two_digits(n: int) -> str:
    return f"{n:02d}"


@st.composite
def dates(draw: st.DrawFn, *, common: bool = False) -> str:
    """A Date cell: mostly data.police.uk's own form, around month ends, the clock changes and the last day the
    importer takes (so the hour caches are hit, and missed); otherwise (never when `common`) another accepted form,
    or not a date."""
    year = draw(st.sampled_from([2025] * 6 + [2016, 2026, 1999, 2000, 2027]))
    month = draw(st.sampled_from([6, 6, 6, 3, 7, 10, 12, 1, 2]))
    last = calendar.monthrange(year, month)[1]
    # The first and last hours of a month, when its UK month and its UTC month (and the declared one) can differ.
    day, hours = draw(
        st.sampled_from([(1, [0, 1]), (last, [22, 23]), (last, [23]), (15, [0, 12, 23]), (last + 1, [0])])
    )
    if (year, month) == (TODAY.year, TODAY.month):
        day = draw(st.sampled_from([TODAY.day, TODAY.day + 1, TODAY.day + 2, TODAY.day + 3]))
    hour = draw(st.sampled_from(hours))
    minute = draw(st.sampled_from([0, 3, 30, 45, 59]))
    second = draw(st.sampled_from([0, 0, 59]))
    ymd = f"{year}-{two_digits(month)}-{two_digits(day)}"
    hms = f"{two_digits(hour)}:{two_digits(minute)}:{two_digits(second)}"
    form = draw(st.integers(0, 19))
    if common or form < 15:
        return f"{ymd}T{hms}+00:00"
    return draw(
        st.sampled_from(
            [
                f"{ymd}T{hms}+01:00",
                f"{ymd}T{hms}Z",
                f"{ymd}T{hms}z",
                f"{ymd} {hms}",  # no offset: UK local time, as spreadsheets write dates back
                f"{ymd}T{hms}",
                f"{ymd}T{hms}.5+00:00",
                f"{ymd}T{hms}.123456+00:00",
                f" {ymd}T{hms}+00:00",
                f"{ymd}T{hms}+00:00 ",
                f"{ymd}t{hms}+00:00",
                f"{two_digits(day)}/{two_digits(month)}/{year} {two_digits(hour)}:{two_digits(minute)}",
                f"{month}/{day}/{year} {hour % 12 + 1}:{two_digits(minute)} PM",
                "2025-10-26 01:30:00",  # happened twice in UK time
                "2025-03-30 01:30:00",  # did not happen in UK time
                f"{ymd}T24:00:00+00:00",
                f"{ymd}T{two_digits(hour)}:60:00+00:00",
                "",
            ]
        )
        | junk
    )


def six_places(limit: int) -> st.SearchStrategy[str]:
    def text(n: int) -> str:
        sign = "-" if n < 0 else ""
        return f"{sign}{abs(n) // 1_000_000}.{abs(n) % 1_000_000:06d}"

    return st.one_of(
        st.sampled_from([53_190_012, -2_890_034, 51_500_000, -123_456, 0]),  # a few places, seen again and again
        st.integers(-limit * 1_000_000, limit * 1_000_000),
    ).map(text)


@st.composite
def coordinates(draw: st.DrawFn, *, common: bool = False) -> tuple[str, str]:
    """Latitude and longitude: mostly data.police.uk's six places (or both blank), otherwise (never when `common`)
    as re-saved files and mistakes write them."""
    form = draw(st.integers(0, 9))
    if form < 6:
        return draw(six_places(90)), draw(six_places(180))
    if common or form < 8:
        return "", ""
    return draw(
        st.sampled_from(
            [
                ("53.19", "-2.5"),  # trailing zeros dropped
                ("51.480216999999996", "-0.123456"),  # floating point
                ("53.190012", "-1.2e-05"),  # exponent form
                (" 53.190012", "-2.890034 "),
                ("+53.190012", "-2.890034"),
                ("53.1900123", "-2.890034"),  # a real seventh place
                ("91.000000", "0.000000"),
                ("0.000000", "-180.000001"),
                ("999.000000", "1.000000"),
                ("-0.000000", "-0.000000"),
                ("53.190012", ""),
                ("", "-2.890034"),
            ]
        )
        | st.tuples(junk, junk)
    )


@st.composite
def rows(draw: st.DrawFn) -> list[str]:
    """The cells of one row: half the time in data.police.uk's common shape (the hot loop's case, though its date
    may still be refused), otherwise with other forms of date and place, and perhaps a few cells changed."""
    common = draw(st.booleans())
    cells = [""] * 15
    for i in VOCABULARY_COLUMNS:
        vocabulary = VOCABULARIES[i]
        assert vocabulary is not None
        cells[i] = draw(st.sampled_from(spellings(vocabulary)))
    cells[1] = draw(dates(common=common))
    cells[4], cells[5] = draw(coordinates(common=common))
    if common:
        return cells
    cells[3] = draw(st.sampled_from(["", "", "", "Operation Hawk", " "]))
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 4]))):
        column = draw(st.sampled_from([*VOCABULARY_COLUMNS, 3]))
        cells[column] = draw(
            st.one_of(
                st.just(cells[column]).flatmap(respelled),
                st.just(""),
                odd_text,
                junk,
            )
        )
    shape = draw(st.integers(0, 19))
    if shape == 0:
        cells += ["", ""]  # trailing empty cells, as spreadsheets save them
    elif shape == 1:
        cells = cells[: draw(st.integers(1, 14))]
    elif shape == 2:
        cells.append(draw(junk))
    return cells


@st.composite
def lines(draw: st.DrawFn, cells: list[str], end: str) -> str:
    """One row as a line (or more, for a quoted line break): quoted where needed (as the csv module and spreadsheets
    write), every cell quoted, or joined with commas as a tool that never quotes does."""
    how = draw(st.sampled_from(["minimal"] * 8 + ["all", "raw"]))
    if how == "raw":
        return ",".join(cells) + end
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=end, quoting=csv.QUOTE_ALL if how == "all" else csv.QUOTE_MINIMAL)
    writer.writerow(cells)
    return out.getvalue()


@dataclass
class Case:
    data: bytes
    declared_month: date | None


def header_line(end: str) -> str:
    return POLICE_UK_HEADER + end


@st.composite
def files(draw: st.DrawFn, *, most_rows: int = 12) -> Case:
    """A data.police.uk CSV: rows drawn from a few distinct ones (so some repeat: identical searches, and cache hits
    in the hot loop), with blank lines and repeated headers between them, and a declared month or none."""
    # A carriage return doubled before the line feed is what some conversions of a re-saved file leave.
    ends = draw(st.sampled_from([["\r\n"], ["\n"], ["\r\n", "\n"], ["\r\n", "\r\r\n"]]))
    distinct = draw(st.lists(rows(), min_size=1, max_size=5))
    text = ("\ufeff" if draw(st.booleans()) else "") + header_line(ends[0])
    for _ in range(draw(st.integers(1, most_rows))):
        kind = draw(st.sampled_from(["row"] * 8 + ["blank", "header"]))
        end = draw(st.sampled_from(ends))
        if kind == "row":
            text += draw(lines(draw(st.sampled_from(distinct)), end))
        elif kind == "blank":
            text += draw(st.sampled_from(["", " ", ",,,"])) + end
        else:
            text += header_line(end)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no line end after the last row
    month = draw(st.sampled_from([None, date(2025, 6, 1), date(2025, 7, 1), date(2016, 6, 1)]))
    return Case(text.encode(), month)


@st.composite
def one_row(draw: st.DrawFn) -> Case:
    end = draw(st.sampled_from(["\r\n", "\n", "\r\r\n"]))
    text = header_line(end) + draw(lines(draw(rows()), end))
    return Case(text.encode(), draw(st.sampled_from([None, date(2025, 6, 1)])))


# --- the two paths -----------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one path made of a file: every row it would send to the records table (COPY's binary fields by column,
    the fingerprint among them), every row it refused as it would be stored, the counts and the batch's notes; or
    why the whole file was refused."""

    records: list[dict[str, bytes | None]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    read: int = 0
    skipped: int = 0
    occurrences: dict[bytes, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failed: str | None = None
    general_rows: int = 0  # rows the general path handled (in the hot loop: the lines it handed over)


def copy_fields(row: bytes, columns: Sequence[str]) -> dict[str, bytes | None]:
    """A binary COPY row (pgbinary) split into its fields, by column, so a difference names its column."""
    assert int.from_bytes(row[:2], "big") == len(columns)
    out: dict[str, bytes | None] = {}
    pos = 2
    for name in columns:
        size = int.from_bytes(row[pos : pos + 4], "big", signed=True)
        pos += 4
        out[name] = None if size < 0 else row[pos : pos + size]
        pos += max(size, 0)
    assert pos == len(row)
    return out


def read_spool(run: _Run) -> list[dict[str, Any]]:
    run.rejects.seek(0)
    return [json.loads(line) for line in run.rejects]


def start(case: Case) -> tuple[CsvReader, StopSearchNormaliser]:
    """A fresh reader and normaliser for the file, made as run_import makes them."""
    reader = open_reader(io.BytesIO(case.data), SourceFormat.POLICE_UK_CSV, declared_month=case.declared_month)
    normaliser = make_normaliser(
        SourceFormat.POLICE_UK_CSV,
        labels=reader.labels,
        force="cheshire",
        pseudonym_key=django_settings.PSEUDONYM_KEY,
        declared_month=case.declared_month,
        today=TODAY,
    )
    assert isinstance(reader, CsvReader)
    assert isinstance(normaliser, StopSearchNormaliser)
    return reader, normaliser


def through(case: Case, *, hot: bool) -> Outcome:
    """The file through the hot loop (`hot`) or the general path alone, from a fresh reader, normaliser and sink, as
    run_import sets them up for a data.police.uk CSV going to PostgreSQL. The sink is never opened: rows wait in its
    `fresh` list (it sends them only when it holds 65,536) and nothing is stored yet, so no database is needed."""
    reader, normaliser = start(case)
    sink = PostgresSink(force_id=1, batch_id=1, extra_columns=False)
    run = _Run(reader, normaliser, sink, None)
    handle = run.handle
    general_rows = 0

    def counted(line: int, values: Sequence[str], problem: str | None) -> None:
        nonlocal general_rows
        general_rows += 1
        handle(line, values, problem)

    run.handle = counted  # type: ignore[method-assign]
    try:
        if hot:
            assert reader.identity  # what else run_import checks before it takes the hot loop
            run.police_uk_csv(reader, normaliser, sink)
        else:
            run.general()
    except ImportFailed as error:
        return Outcome(failed=str(error))
    try:
        return Outcome(
            records=[copy_fields(row, sink.columns) for row in sink.fresh],
            rejected=read_spool(run),
            read=run.read,
            skipped=reader.skipped,
            occurrences=dict(run.seen),
            notes=[*reader.notes, *normaliser.notes],
            general_rows=general_rows,
        )
    finally:
        run.rejects.close()


def assert_same(hot: Outcome, general: Outcome) -> None:
    assert hot.failed == general.failed
    assert hot.records == general.records
    assert hot.occurrences == general.occurrences  # the same fingerprints, each as often
    assert hot.rejected == general.rejected  # the same rows refused, with the same reasons
    assert (hot.read, hot.skipped) == (general.read, general.skipped)
    assert hot.notes == general.notes


def note_paths(hot: Outcome) -> None:
    """Hypothesis statistics (--hypothesis-show-statistics): how many rows the hot loop took itself, so a generator
    that sent everything to the general path would show."""
    if hot.failed is not None:
        event("file refused")
        return
    event("some rows taken by the hot loop" if hot.read > hot.general_rows else "no row taken by the hot loop")
    event("some rows refused" if hot.rejected else "no row refused")


@settings(max_examples=400, deadline=None)
@given(case=one_row())
def test_any_row_gets_the_same_record_or_the_same_refusal_from_the_hot_loop_and_the_general_path(case: Case) -> None:
    hot = through(case, hot=True)
    note_paths(hot)
    assert_same(hot, through(case, hot=False))


@settings(max_examples=250, deadline=None)
@given(case=files())
def test_a_file_of_such_rows_gets_the_same_records_fingerprints_and_refusals_from_both_paths(case: Case) -> None:
    hot = through(case, hot=True)
    note_paths(hot)
    assert_same(hot, through(case, hot=False))


def real_months(folder: Path) -> list[Path]:
    found = sorted(folder.glob("*-stop-and-search.csv"))
    assert found, f"no data.police.uk files in {folder}"
    return found


def declared(path: Path) -> date:
    year, month = path.name.split("-")[:2]
    return date(int(year), int(month), 1)


def test_the_hot_loop_reads_real_months_itself_and_agrees_with_the_general_path() -> None:
    # Not vacuous: on data.police.uk's own files the hot loop takes every row itself.
    for path in real_months(REPO_DATA):
        case = Case(path.read_bytes(), declared(path))
        hot = through(case, hot=True)
        assert hot.read > 1000
        assert hot.general_rows == 0
        assert_same(hot, through(case, hot=False))


def test_every_shared_month_gets_the_same_records_from_both_paths(shared_data: Path) -> None:
    for path in real_months(shared_data / "police-uk"):
        case = Case(path.read_bytes(), declared(path))
        assert_same(through(case, hot=True), through(case, hot=False))


# --- whole files through the importer, into the database ---------------------------------------------------------


class Collected(Sink):
    """The general path's rows as it hands them to a sink, with their fingerprints."""

    def __init__(self) -> None:
        super().__init__(force_id=0, batch_id=0)
        self.rows: list[tuple[Normalised, bytes]] = []

    def write(self, row: Normalised, fingerprint: bytes) -> bool:
        self.rows.append((row, fingerprint))
        return True


@dataclass
class Expected:
    records: list[dict[str, Any]]  # as the records table holds them, in Python values
    rejected: list[dict[str, Any]]  # as RejectedRow holds them
    read: int
    notes: list[str]


STORED = [*ROW_COLUMNS, *CATEGORICAL_COLUMNS, *EXTRA_COLUMNS]


def record_values(row: Normalised, fingerprint: bytes) -> dict[str, Any]:
    """What the records table should hold for a normalised row: the columns its segments carry, decoded."""
    values: dict[str, Any] = {
        "fingerprint": fingerprint,
        "occurred_at": datetime.fromisoformat(row.occurred_at),
        "month": date.fromisoformat(row.month),
        "latitude": None if row.latitude is None else Decimal(row.latitude),
        "longitude": None if row.longitude is None else Decimal(row.longitude),
        "policing_operation": row.policing_operation,
    }
    values.update(zip(CATEGORICAL_COLUMNS, row.categorical.values, strict=True))
    for name, value in zip(EXTRA_COLUMNS, row.extra.values, strict=True):
        values[name] = json.loads(value) if name in JSON_COLUMNS else value
    return values


def general_alone(case: Case) -> Expected | str:
    """What the general path alone makes of the file (or why it refuses the whole file)."""
    reader, normaliser = start(case)
    sink = Collected()
    run = _Run(reader, normaliser, sink, None)
    try:
        run.general()
    except ImportFailed as error:
        return str(error)
    try:
        rejected = [
            {"line_number": r["line"], "raw_values": r["raw"], "protected": r["protected"], "reasons": r["reasons"]}
            for r in read_spool(run)
        ]
    finally:
        run.rejects.close()
    return Expected(
        records=[record_values(row, fingerprint) for row, fingerprint in sink.rows],
        rejected=rejected,
        read=run.read,
        notes=[*reader.notes, *normaliser.notes],
    )


def import_case(force: Organisation, case: Case, data: bytes | None = None) -> ImportResult:
    """The file through run_import, the importer's entry point, as the command and the background task call it."""
    batch = ImportBatch.objects.create(
        force=force,
        source_format=SourceFormat.POLICE_UK_CSV,
        file_name="upload.csv",
        declared_month=case.declared_month,
        status=BatchStatus.RUNNING,
        started_at=timezone.now(),
    )
    return run_import(batch=batch, source=io.BytesIO(case.data if data is None else data), today=TODAY)


def stored(force: Organisation) -> list[dict[str, Any]]:
    found = []
    for record in EncounterRecord.objects.filter(force=force).values(*STORED):
        record["fingerprint"] = bytes(record["fingerprint"])
        found.append(record)
    return sorted(found, key=lambda r: r["fingerprint"])


def rejected_rows(batch_id: int) -> list[dict[str, Any]]:
    found = RejectedRow.objects.filter(batch_id=batch_id).order_by("id")
    return [dict(row) for row in found.values("line_number", "raw_values", "protected", "reasons")]


def assert_imported_as_the_general_path_would(force: Organisation, case: Case, expected: Expected) -> None:
    result = import_case(force, case)
    assert stored(force) == sorted(expected.records, key=lambda r: r["fingerprint"])
    assert not EncounterRecord.objects.filter(force=force).exclude(batch_id=result.batch_id).exists()
    assert (result.read, result.imported, result.duplicates, result.rejected) == (
        expected.read,
        len(expected.records),
        0,
        len(expected.rejected),
    )
    assert rejected_rows(result.batch_id) == expected.rejected
    assert ImportBatch.objects.get(pk=result.batch_id).notes == expected.notes
    # Again: every row is found stored (on PostgreSQL, by the hot loop's own check against the stored fingerprints).
    again = import_case(force, case)
    assert (again.read, again.imported, again.duplicates) == (expected.read, 0, len(expected.records))
    assert rejected_rows(again.batch_id) == expected.rejected


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=files())
def test_an_import_stores_what_the_general_path_alone_makes_of_the_file(force: Organisation, case: Case) -> None:
    # One database transaction for every example: start each from a force that holds nothing.
    EncounterRecord.objects.filter(force=force).delete()
    expected = general_alone(case)
    if isinstance(expected, str):
        with pytest.raises(ImportFailed) as refused:
            import_case(force, case)
        assert str(refused.value) == expected
        return
    assert_imported_as_the_general_path_would(force, case, expected)


# One row for each form a cell may take that the two sinks store differently (fractions of a second, offsets, local
# times, coordinates to be rounded or padded, blanks and yes/no spellings), and rows the hot loop takes itself.
EVERY_FORM = [
    "Person search,2025-06-01T00:38:00+00:00,False,,53.100992,-2.473827,Male,18-24,"
    "White - English/Welsh/Scottish/Northern Irish/British,White,Misuse of Drugs Act 1971 (section 23),"
    "Controlled drugs,Arrest,True,False",
    "Person search,2025-06-01T00:38:00+00:00,False,,53.100992,-2.473827,Male,18-24,"
    "White - English/Welsh/Scottish/Northern Irish/British,White,Misuse of Drugs Act 1971 (section 23),"
    "Controlled drugs,Arrest,True,False",  # the same search again: kept, with its own fingerprint
    "Vehicle search,2025-06-30T23:30:00+00:00,,,,,,,,,,,,,",  # blanks; the UK's 1 July, declared June
    "Person and Vehicle search,2025-06-02T10:15:30.5+00:00,TRUE,Operation Hawk,53.19,-2.5,female,Oct-17,"
    '"Asian, Asian British or Asian Welsh: Indian",Asian,PACE s1,Stolen goods,Community resolution,1,0',
    "person,2025-06-03T11:00:00.123456+01:00,N,,51.480216999999996,-1.2e-05,M,over 34,B1,Black,"
    "section 60,Offensive weapons,Khat or Cannabis warning,Y,N",
    "Person search,2025-06-04 12:00:00,no,,-0.000000,0.000000,Other,under 10,W1,Other,cjpoa_s60,Firearms,"
    "Summons / charged by post,,",  # no offset: UK local time
    "Person search,2025-06-05T13:00:00Z,,,53.100992,-2.473827,Male,25-34,W1,White,PACE s1,Stolen goods,"
    "Suspect arrested,False,True",
]


@pytest.mark.django_db
def test_every_form_a_cell_takes_is_stored_as_the_general_path_makes_it(force: Organisation) -> None:
    case = Case((POLICE_UK_HEADER + "\r\n" + "\r\n".join(EVERY_FORM) + "\r\n").encode(), date(2025, 6, 1))
    expected = general_alone(case)
    assert isinstance(expected, Expected)
    assert (len(expected.records), expected.rejected) == (len(EVERY_FORM), [])
    assert_imported_as_the_general_path_would(force, case, expected)


@pytest.mark.django_db
def test_a_real_month_and_a_file_overlapping_it_store_what_the_general_path_makes(force: Organisation) -> None:
    path = REPO_DATA / "2025-06-cheshire-stop-and-search.csv"
    case = Case(path.read_bytes(), declared(path))
    expected = general_alone(case)
    assert isinstance(expected, Expected)
    assert len(expected.records) > 1000
    assert_imported_as_the_general_path_would(force, case, expected)

    # The first half alone, then the whole month: the second import adds exactly the rest, and the force then
    # holds what the general path makes of the whole file.
    EncounterRecord.objects.filter(force=force).delete()
    lines_of = case.data.split(b"\r\n")
    half = b"\r\n".join(lines_of[: len(lines_of) // 2]) + b"\r\n"
    first = import_case(force, case, half)
    whole = import_case(force, case)
    assert first.imported + whole.imported == len(expected.records)
    assert whole.duplicates == first.imported > 500
    assert stored(force) == sorted(expected.records, key=lambda r: r["fingerprint"])
