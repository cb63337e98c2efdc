"""Each rule for re-saved files on its own (docs/import.md, "Re-saved files"): what is read through, with a note,
and what is refused or rejected, saying what to do, with nothing of a refused file left behind."""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from panels.models import Organisation
from scrutiny import choices
from scrutiny.models import AuditEvent, EncounterRecord, ImportBatch, RejectedRow
from scrutiny.records.importing import ImportFailed, detect_format, slashdates
from scrutiny.records.importing.cells import Dates, coordinate
from scrutiny.records.importing.formats import split_header
from scrutiny.records.importing.sniff import container, count_rows, text_encoding
from scrutiny.records.importing.workbook import _Book
from tests.scrutiny import resaved_support as resave
from tests.scrutiny.conftest import POLICE_UK_HEADER, ImportBytes

# Three searches, in the layout data.police.uk publishes.
ROWS = [
    "Person search,2025-06-01T10:15:00+00:00,False,,53.190012,-2.890034,Male,18-24,"
    "White - English/Welsh/Scottish/Northern Irish/British,White,Misuse of Drugs Act 1971 (section 23),"
    "Controlled drugs,A no further action disposal,False,False",
    "Vehicle search,2025-06-02T23:40:00+00:00,,,,,,,,,Police and Criminal Evidence Act 1984 (section 1),"
    "Stolen goods,Arrest,True,",
    "Person and Vehicle search,2025-06-03T08:00:00+00:00,True,Operation Nightjar,53.201000,-2.900000,Female,"
    "over 34,Black or Black British - African (B2),Black,Criminal Justice and Public Order Act 1994 (section 60),"
    "Offensive weapons,Nothing found - no further action,,",
]


def csv_text(*rows: str, header: str = POLICE_UK_HEADER, end: str = "\r\n") -> str:
    return end.join([header, *rows]) + end


def cells(row: str) -> list[str]:
    return row.split(",")


def joined(rows: list[list[str]], header: str = POLICE_UK_HEADER, delimiter: str = ",") -> str:
    return "\r\n".join([header.replace(",", delimiter), *(delimiter.join(r) for r in rows)]) + "\r\n"


def table_counts() -> tuple[int, int, int, int]:
    return (
        EncounterRecord.objects.count(),
        ImportBatch.objects.count(),
        RejectedRow.objects.count(),
        AuditEvent.objects.count(),
    )


def notes_of(batch_id: int) -> list[str]:
    return ImportBatch.objects.get(pk=batch_id).notes


# --- a leading row-index column ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headings", "first"),
    [([""], 0), ([""], 1), (["Unnamed: 0"], 0), (["", "Unnamed: 0"], 0)],
    ids=["blank from 0", "blank from 1", "Unnamed: 0", "pandas twice"],
)
def test_a_leading_row_index_column_is_ignored_with_a_note(
    import_bytes: ImportBytes, headings: list[str], first: int
) -> None:
    original = import_bytes(csv_text(*ROWS))
    header = ",".join([*headings, POLICE_UK_HEADER])
    rows = [[*(str(first + i) for _ in headings), *cells(row)] for i, row in enumerate(ROWS)]
    result = import_bytes(joined(rows, header))
    assert (result.read, result.imported, result.duplicates, result.rejected) == (3, 0, 3, 0)
    assert original.imported == 3
    assert f"row-number column without a heading (numbered {first} to {first + 2}" in notes_of(result.batch_id)[0]


@pytest.mark.django_db
def test_an_empty_first_column_without_a_heading_is_ignored(import_bytes: ImportBytes) -> None:
    result = import_bytes(joined([["", *cells(row)] for row in ROWS], "," + POLICE_UK_HEADER))
    assert (result.imported, result.rejected) == (3, 0)
    assert notes_of(result.batch_id) == ["An empty first column without a heading was ignored."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("index", "line", "found"),
    [(["0", "1", "5"], 4, "5"), (["7", "8", "9"], 2, "7"), (["0", "1", "x"], 4, "x"), (["a", "b", "c"], 2, "a")],
    ids=["rows filtered out", "not from 0 or 1", "not a number", "data"],
)
def test_a_first_column_that_is_not_a_row_index_is_refused_and_nothing_is_kept(
    import_bytes: ImportBytes, index: list[str], line: int, found: str
) -> None:
    import_bytes(csv_text(ROWS[0]))
    before = table_counts()
    rows = [[i, *cells(row)] for i, row in zip(index, ROWS, strict=True)]
    with pytest.raises(ImportFailed, match=rf'column 1 has no heading .* line {line} has "{found}".*index=False'):
        import_bytes(joined(rows, "," + POLICE_UK_HEADER))
    assert table_counts() == before


@pytest.mark.django_db
def test_a_row_index_that_breaks_half_way_through_a_real_file_leaves_nothing_behind(
    import_bytes: ImportBytes,
) -> None:
    rows = resave.read_rows()
    data = resave.pandas_to_csv(rows).decode().splitlines(keepends=True)
    data[601] = "9999" + data[601][data[601].index(",") :]  # record 601 of the file, numbered 600
    with pytest.raises(ImportFailed, match='line 602 has "9999" where "600" was expected'):
        import_bytes("".join(data))
    assert table_counts() == (0, 0, 0, 0)


# --- yes/no ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("yes", "no"), [("True", "False"), ("TRUE", "FALSE"), ("true", "false"), ("1", "0"), ("1.0", "0.0"), ("Yes", "No")]
)
def test_every_spreadsheet_spelling_of_yes_and_no_is_the_same_search(
    import_bytes: ImportBytes, yes: str, no: str
) -> None:
    import_bytes(csv_text(*ROWS))
    spelt = [
        row.replace("True", "\x01").replace("False", "\x02").replace("\x01", yes).replace("\x02", no) for row in ROWS
    ]
    result = import_bytes(csv_text(*spelt))
    assert (result.read, result.duplicates, result.rejected) == (3, 3, 0)
    notes = notes_of(result.batch_id)
    if yes in ("True", "Yes"):
        assert notes == []
    else:
        assert notes == [
            f'Yes/no columns written as "{no}", "{yes}" (not True/False or Yes/No) were read as yes and no.'
        ]


@pytest.mark.django_db
def test_a_yes_no_cell_that_is_neither_is_rejected_saying_what_to_write(import_bytes: ImportBytes) -> None:
    result = import_bytes(csv_text(ROWS[0].replace(",False,False", ",Maybe,TRUE"), ROWS[1]))
    assert (result.imported, result.rejected) == (1, 1)
    assert notes_of(result.batch_id) == []  # a spelling is noted only where it was read (not in a rejected row)
    row = RejectedRow.objects.get()
    assert row.reasons == [
        'Outcome linked to object of search: unknown value "Maybe": write True or False (Yes/No and 1/0 are read '
        "too), or leave the cell blank if it was not recorded"
    ]


# --- coordinates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("51.480217", "51.480217"),
        ("51.480216999999996", "51.480217"),
        ("51.480217000000006", "51.480217"),
        ("-2.8900340000000003", "-2.890034"),
        ("51.480217001", "51.480217"),  # 1e-9 away: the limit
        ("53.19", "53.190000"),
        ("53", "53.000000"),
        ("-1.2e-05", "-0.000012"),  # pandas' way of writing a longitude near Greenwich
        ("+0.5", "0.500000"),
    ],
)
def test_coordinates_are_read_to_6_places_when_they_are_6_place_values(raw: str, stored: str) -> None:
    reasons: list[str] = []
    assert coordinate(raw, "Latitude", 90, reasons) == stored
    assert reasons == []


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("51.4802171", "has more than 6 decimal places and is not a 6-place value written as floating point"),
        ("51.4802170011", "has more than 6 decimal places"),  # 1.1e-9 away
        ("51,480217", "is not a coordinate in decimal degrees"),
        ("N51.48", "is not a coordinate in decimal degrees"),
        ("91", "is out of range"),
    ],
)
def test_coordinates_with_a_real_seventh_place_or_not_numbers_are_rejected_saying_why(raw: str, reason: str) -> None:
    reasons: list[str] = []
    assert coordinate(raw, "Latitude", 90, reasons) is None
    assert len(reasons) == 1
    assert reasons[0].startswith("Latitude: ")
    assert reason in reasons[0]


def test_the_noise_limit_is_well_above_what_floating_point_leaves_and_well_below_a_seventh_place() -> None:
    # The largest gap between a double and the decimal it stands for, near 180 degrees, against the limit.
    worst = abs(Decimal(float("179.999999")) - Decimal("179.999999"))
    assert worst < Decimal("1e-13") < Decimal("1e-9") < Decimal("1e-7")


@pytest.mark.django_db
def test_a_row_with_a_real_seventh_decimal_place_is_rejected_and_the_rest_imported(import_bytes: ImportBytes) -> None:
    result = import_bytes(csv_text(ROWS[0].replace("53.190012", "53.1900123"), ROWS[1], ROWS[2]))
    assert (result.imported, result.rejected) == (2, 1)
    assert "round it to 6 places if that is what it means" in RejectedRow.objects.get().reasons[0]


# --- encodings ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_file_mixing_utf8_with_other_bytes_is_refused_asking_for_utf8(import_bytes: ImportBytes) -> None:
    before = table_counts()
    data = csv_text(ROWS[0], ROWS[2].replace("Nightjar", "Café")).encode() + "Person search,Crème\r\n".encode("cp1252")
    with pytest.raises(ImportFailed, match=r"mixes UTF-8 text \(line 3\) with bytes that are not UTF-8 \(line 4\)"):
        import_bytes(data)
    assert table_counts() == before


@pytest.mark.django_db
def test_a_byte_that_windows_1252_does_not_define_is_refused(import_bytes: ImportBytes) -> None:
    data = csv_text(ROWS[0], ROWS[2].replace("Nightjar", "Caf\x81")).encode("latin-1")
    with pytest.raises(ImportFailed, match=r"byte 0x81 on line 3 is not a character in Windows-1252.*save it as UTF-8"):
        import_bytes(data)
    assert table_counts() == (0, 0, 0, 0)


def test_the_encoding_is_decided_from_the_whole_file() -> None:
    plain = csv_text(*ROWS).encode()
    assert text_encoding(io.BytesIO(plain)).codec == "utf-8"
    assert text_encoding(io.BytesIO(codecs.BOM_UTF8 + plain)).bom
    # Latin-1 and Windows-1252 differ only in 0x80-0x9F: without those bytes they read the file the same.
    latin = text_encoding(io.BytesIO(plain.replace(b"Nightjar", "Café".encode("latin-1"))))
    assert latin.codec == "cp1252"
    assert "Latin-1 reads this file the same" in latin.label
    curly = text_encoding(io.BytesIO(plain.replace(b"Nightjar", "Zoë’s".encode("cp1252"))))
    assert curly.codec == "cp1252"
    assert "Latin-1" not in curly.label
    assert text_encoding(io.BytesIO(csv_text(*ROWS, end="\r").encode())).newline == "\r"
    assert text_encoding(io.BytesIO(csv_text(*ROWS).encode("utf-16"))).codec == "utf-16"
    # A file of a few megabytes, whose only non-ASCII character is split between two of the blocks read.
    big = b"x" * ((1 << 20) - 1) + "é".encode() + b"\n" + b"y" * (2 << 20)
    assert text_encoding(io.BytesIO(big)).codec == "utf-8"
    # ... and one whose only UTF-8 is that character and whose other byte comes megabytes later.
    with pytest.raises(ImportFailed, match=r"UTF-8 text \(line 1\) with bytes that are not UTF-8 \(line 3\)"):
        text_encoding(io.BytesIO(big + b"\n\xe9\n"))
    fh = io.BytesIO(plain)
    fh.seek(5)
    text_encoding(fh)
    assert fh.tell() == 5  # left where it was


# --- line ends and delimiters -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sep_line_names_the_delimiter_and_is_skipped(import_bytes: ImportBytes) -> None:
    result = import_bytes("sep=;\r\n" + joined([cells(r) for r in ROWS], delimiter=";"))
    assert (result.imported, result.rejected, result.skipped) == (3, 0, 1)
    assert notes_of(result.batch_id) == [
        "Cells are separated by semicolons, not commas.",
        'The first line, "sep=", only named the delimiter and was skipped.',
    ]


def test_the_delimiter_is_the_one_that_splits_the_header_into_known_headings() -> None:
    for delimiter in (",", ";", "\t"):
        header, found = split_header(POLICE_UK_HEADER.replace(",", delimiter))
        assert found == delimiter
        assert header[:2] == ["Type", "Date"]
    # A misspelt heading still gives the delimiter, so the error can name the heading.
    header, found = split_header(POLICE_UK_HEADER.replace(",", ";").replace("Gender", "Gendre"))
    assert found == ";"
    assert "Gendre" in header
    assert detect_format(POLICE_UK_HEADER.replace(",", "\t").encode("utf-16")) == choices.SourceFormat.POLICE_UK_CSV
    assert detect_format(b"sep=;\r" + POLICE_UK_HEADER.replace(",", ";").encode()) == choices.SourceFormat.POLICE_UK_CSV


@pytest.mark.django_db
def test_a_semicolon_file_with_a_misspelt_heading_names_the_heading(import_bytes: ImportBytes) -> None:
    text = joined([cells(r) for r in ROWS], POLICE_UK_HEADER.replace("Gender", "Gendre"), ";")
    with pytest.raises(ImportFailed, match='unknown column\\(s\\) "Gendre"'):
        import_bytes(text, source_format=choices.SourceFormat.POLICE_UK_CSV)


def test_rows_are_counted_for_progress_whatever_the_line_ends() -> None:
    for end in ("\r\n", "\n", "\r"):
        assert count_rows(io.BytesIO(csv_text(*ROWS, end=end).encode())) == 3


# --- dates -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "order", "read"),
    [
        ("01/06/2016 00:03", slashdates.DAY_FIRST, "2016-06-01 00:03:00"),
        ("01/06/2016 00:03:00", slashdates.DAY_FIRST, "2016-06-01 00:03:00"),
        ("1/6/16 0:03", slashdates.DAY_FIRST, "2016-06-01 00:03:00"),
        ("6/1/2016 12:03 AM", slashdates.MONTH_FIRST, "2016-06-01 00:03:00"),
        ("6/1/2016 12:03:09 p.m.", slashdates.MONTH_FIRST, "2016-06-01 12:03:09"),
        ("06/01/2016", slashdates.MONTH_FIRST, "2016-06-01 00:00:00"),
        ("01/06/2016 00:03:00.250", slashdates.DAY_FIRST, "2016-06-01 00:03:00.250000"),
    ],
)
def test_dates_as_spreadsheets_write_them_back_are_read_in_the_files_order(raw: str, order: str, read: str) -> None:
    assert slashdates.rewrite(raw, order) == read


@pytest.mark.parametrize("raw", ["31/06/2016", "13/13/2016 00:00", "01/06/2016 13:00 PM", "2016/06/01"])
def test_a_slash_date_that_is_not_a_date_in_the_files_order_is_left_for_the_normaliser_to_reject(raw: str) -> None:
    assert slashdates.rewrite(raw, slashdates.DAY_FIRST) is None


def evidence(*dates: str) -> slashdates.Evidence:
    found = slashdates.Evidence()
    for line, raw in enumerate(dates, start=2):
        found.add(raw, line)
    return found


def test_the_order_is_decided_for_the_whole_file_and_never_guessed() -> None:
    june = date(2016, 6, 1)
    assert slashdates.decide(evidence("01/06/2016", "13/06/2016"), None)[0] == slashdates.DAY_FIRST
    assert slashdates.decide(evidence("06/01/2016", "06/13/2016"), None)[0] == slashdates.MONTH_FIRST
    # Neither part over 12 anywhere: the month the file covers decides, if only one order fits it.
    order, note = slashdates.decide(evidence("01/06/2016", "02/06/2016"), june)
    assert order == slashdates.DAY_FIRST
    assert "June 2016, the month the file covers" in note
    assert slashdates.decide(evidence("06/01/2016", "06/02/2016"), june)[0] == slashdates.MONTH_FIRST
    assert slashdates.decide(evidence("06/06/2016"), None) == (slashdates.DAY_FIRST, "")  # the same either way
    with pytest.raises(ImportFailed, match=r'line 2 has "13/06/2016".* line 3 has "06/13/2016"'):
        slashdates.decide(evidence("13/06/2016", "06/13/2016"), None)
    with pytest.raises(ImportFailed, match=r"nothing in the file tells which.*data\.police\.uk does"):
        slashdates.decide(evidence("01/06/2016", "02/06/2016"), None)
    with pytest.raises(ImportFailed, match="every date falls in or next to June 2016"):
        slashdates.decide(evidence("05/06/2016", "06/05/2016"), june)  # 5 June and 6 May, or 6 May and 5 June
    with pytest.raises(ImportFailed, match="neither order puts every date in or next to June 2016"):
        slashdates.decide(evidence("01/02/2016", "02/01/2016"), june)


@pytest.mark.django_db
def test_slash_dates_take_the_order_of_the_file_and_its_month(import_bytes: ImportBytes) -> None:
    def slashed(day_month: list[str]) -> str:
        rows = [row.replace(row.split(",")[1], f"{dm}/2025 10:00") for row, dm in zip(ROWS, day_month, strict=True)]
        return csv_text(*rows)

    early = slashed(["01/06", "02/06", "03/06"])  # 1, 2 and 3 June, or 6 January, 6 February and 6 March
    before = table_counts()
    with pytest.raises(ImportFailed, match="could be day first or month first, and nothing in the file tells which"):
        import_bytes(early, name="june.csv")
    assert table_counts() == before
    result = import_bytes(early, name="2025-06-cheshire-stop-and-search.csv", declared_month=date(2025, 6, 1))
    assert result.imported == 3
    assert sorted(str(d) for d in EncounterRecord.objects.values_list("occurred_at", flat=True)) == [
        "2025-06-01 09:00:00+00:00",
        "2025-06-02 09:00:00+00:00",
        "2025-06-03 09:00:00+00:00",
    ]
    assert "the only order that puts every date in or next to June 2025" in " ".join(notes_of(result.batch_id))
    # The same file with one date that can only be day first needs no month.
    assert import_bytes(slashed(["01/06", "02/06", "13/06"]), name="june.csv").rejected == 0
    with pytest.raises(ImportFailed, match='line 2 has "13/06/2025 10:00", which can only be day first'):
        import_bytes(slashed(["13/06", "06/14", "01/06"]), name="june.csv")


def test_a_date_without_an_offset_is_uk_local_time() -> None:
    dates = Dates(declared_month=None, today=date(2026, 1, 1))
    assert dates.resolve("2025-06-01 00:03:00", "Date")[0] == "2025-05-31T23:03:00+00:00"  # summer: UTC+1
    assert dates.resolve("2025-12-01 00:03", "Date")[0] == "2025-12-01T00:03:00+00:00"  # winter: UTC
    assert dates.notes == [
        "2 dates had no offset from UTC (as spreadsheets write dates back): they were read as UK local time "
        "(Europe/London), so 2025-06-01 00:03:00 is 2025-05-31T23:03:00+00:00."
    ]


def test_a_local_time_the_clocks_make_ambiguous_or_impossible_is_rejected_not_guessed() -> None:
    dates = Dates(declared_month=None, today=date(2026, 1, 1))
    with pytest.raises(ValueError, match=r"happened twice in UK time.*2025-10-26T01:30:00\+01:00 for the first"):
        dates.resolve("2025-10-26 01:30:00", "Date")
    with pytest.raises(ValueError, match="did not happen in UK time"):
        dates.resolve("2025-03-30 01:30:00", "Date")
    # With an offset it is one instant, and either side of the changes a local time is too.
    assert dates.resolve("2025-10-26T01:30:00+00:00", "Date")[0] == "2025-10-26T01:30:00+00:00"
    assert dates.resolve("2025-10-26 02:30:00", "Date")[0] == "2025-10-26T02:30:00+00:00"
    assert dates.resolve("2025-03-30 02:30:00", "Date")[0] == "2025-03-30T01:30:00+00:00"


# --- other spreadsheets and containers -------------------------------------------------------------------------


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


XLSM_TYPES = (
    b'<Types><Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
)
OTHER_FILES = {
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, r"Excel 97-2003 workbook \(.xls\)"),
    "ods": (zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), r"OpenDocument .*\(.ods\)"),
    "xlsm": (zip_of({"[Content_Types].xml": XLSM_TYPES}), r"macro-enabled Excel workbook \(.xlsm\)"),
    "zip": (zip_of({"2025-06-cheshire-stop-and-search.csv": b"Type,Date\r\n"}), "a ZIP archive.*unzip it"),
    "damaged": (b"PK\x03\x04" + b"\x00" * 100, "cannot be opened"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(OTHER_FILES))
def test_other_spreadsheets_are_refused_saying_how_to_save_them(
    import_bytes: ImportBytes, kind: str, force: Organisation
) -> None:
    data, message = OTHER_FILES[kind]
    with pytest.raises(ImportFailed, match=message):
        container(io.BytesIO(data))
    for source_format in (None, choices.SourceFormat.POLICE_UK_CSV, choices.SourceFormat.FORCE_EXTRACT):
        with pytest.raises(ImportFailed, match=message):
            import_bytes(data, name=f"file.{kind}", source_format=source_format)
    assert table_counts() == (0, 0, 0, 0)


def workbook(*sheets: tuple[str, Sequence[Sequence[object]]]) -> bytes:
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_named_sheet_is_read_and_a_missing_one_is_named(import_bytes: ImportBytes) -> None:
    data = workbook(
        ("Notes", [["This workbook holds June's searches"]]),
        ("June", [POLICE_UK_HEADER.split(","), *[cells(r) for r in ROWS]]),
    )
    result = import_bytes(data, name="june.xlsx", sheet="June")
    assert (result.imported, result.rejected) == (3, 0)
    assert notes_of(result.batch_id)[0] == 'Read from the sheet "June" (the chosen of 2) of an Excel workbook.'
    with pytest.raises(ImportFailed, match='no sheet "July"; its sheets are "Notes", "June"'):
        import_bytes(data, name="june.xlsx", sheet="July")
    with pytest.raises(ImportFailed, match="cannot tell the format from the first line \\(This workbook"):
        import_bytes(data, name="june.xlsx")  # the first sheet is not the data
    with pytest.raises(ImportFailed, match="only be chosen in an Excel workbook"):
        import_bytes(csv_text(*ROWS), sheet="June")


@pytest.mark.django_db
def test_a_workbook_row_keeps_its_excel_row_number_and_blank_rows_are_skipped(import_bytes: ImportBytes) -> None:
    header = POLICE_UK_HEADER.split(",")
    bad = cells(ROWS[1])
    bad[6] = "Purple"
    data = workbook(("Data", [[], header, cells(ROWS[0]), [], [None, None], bad, [*cells(ROWS[2]), None, None]]))
    result = import_bytes(data, name="june.xlsx")
    assert (result.read, result.imported, result.rejected, result.skipped) == (3, 2, 1, 3)
    row = RejectedRow.objects.get()
    assert (row.line_number, row.reasons) == (6, ['Gender: unknown value "Purple"'])


@pytest.mark.django_db
def test_a_workbook_value_beyond_the_headings_is_a_rejected_row(import_bytes: ImportBytes) -> None:
    data = workbook(("Data", [POLICE_UK_HEADER.split(","), cells(ROWS[0]), [*cells(ROWS[1]), None, "stray"]]))
    result = import_bytes(data, name="june.xlsx")
    assert (result.imported, result.rejected) == (1, 1)
    assert RejectedRow.objects.get().reasons == ["line 3: expected 15 cells, found 17"]


@pytest.mark.django_db
def test_an_empty_sheet_or_a_damaged_workbook_is_refused(import_bytes: ImportBytes) -> None:
    with pytest.raises(ImportFailed, match='the sheet "Empty" is empty'):
        import_bytes(workbook(("Empty", [])), source_format=choices.SourceFormat.POLICE_UK_CSV)
    good = workbook(("Data", [POLICE_UK_HEADER.split(","), cells(ROWS[0])]))
    with pytest.raises(ImportFailed, match="cannot be opened"):
        import_bytes(good[: len(good) // 2])
    with pytest.raises(ImportFailed, match="an Excel workbook, not the JSON array"):
        import_bytes(good, source_format=choices.SourceFormat.POLICE_UK_JSON)
    assert table_counts() == (0, 0, 0, 0)


def test_a_workbook_as_excel_writes_it_reads_cell_for_cell_as_openpyxl_reads_it() -> None:
    # Shared strings with rich text, a date style, booleans, numbers, and inline rich text with a phonetic guide,
    # read by the importer's own sheet stream (workbook._Book) and by openpyxl's read-only worksheet.
    rows = [POLICE_UK_HEADER.split(","), cells(ROWS[0]), cells(ROWS[1]), cells(ROWS[2])]
    inline = {
        0: '<is><r><t>Person </t></r><r><rPr><b/></rPr><t>search</t></r><rPh sb="0" eb="1"><t>x</t></rPh></is>',
        1: "<is><t>Vehicle search</t></is>",
    }
    data = resave.excel_xlsx(rows, inline=inline)
    book = _Book(io.BytesIO(data))
    ours = [values for _, values in book.rows("Stop and search")]
    book.close()
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    theirs = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [row + [None] * (len(theirs[0]) - len(row)) for row in ours] == theirs
    assert ours[0][0] == "Type"  # the heading in two runs
    assert [ours[1][0], ours[2][0]] == ["Person search", "Vehicle search"]
    assert ours[1][1] == datetime(2025, 6, 1, 11, 15)  # a serial number with a date style: a date-time
    assert (ours[1][2], ours[2][13]) == (False, True)


@pytest.mark.django_db
def test_a_workbook_sheet_that_states_its_size_gives_the_progress_total() -> None:
    rows = [POLICE_UK_HEADER.split(","), cells(ROWS[0]), cells(ROWS[1]), cells(ROWS[2])]
    assert count_rows(io.BytesIO(resave.excel_xlsx(rows))) == 3
    assert count_rows(io.BytesIO(workbook(("Data", rows)))) is None  # openpyxl's write-only mode states none


@pytest.mark.django_db
def test_slash_dates_typed_as_text_in_a_workbook_take_the_order_of_the_whole_sheet(import_bytes: ImportBytes) -> None:
    header = POLICE_UK_HEADER.split(",")
    rows = [cells(row) for row in ROWS]
    for row, written in zip(rows, ["01/06/2025 11:15", "02/06/2025 10:00", "03/06/2025 09:00"], strict=True):
        row[1] = written  # text cells, as a sheet holds dates pasted in as text
    data = workbook(("Data", [header, *rows]))
    before = table_counts()
    with pytest.raises(ImportFailed, match="could be day first or month first"):
        import_bytes(data, name="june.xlsx")
    assert table_counts() == before
    result = import_bytes(data, name="2025-06-cheshire-stop-and-search.xlsx", declared_month=date(2025, 6, 1))
    assert (result.imported, result.rejected) == (3, 0)
    assert "read day first (dd/mm/yyyy), the only order" in " ".join(notes_of(result.batch_id))
    first = EncounterRecord.objects.order_by("occurred_at").first()
    assert first is not None
    assert first.occurred_at.isoformat() == "2025-06-01T10:15:00+00:00"


@pytest.mark.django_db
@pytest.mark.parametrize("written", ["Oct-17", "17-Oct", "OCT-17"])
def test_an_age_range_excel_turned_into_a_date_is_still_10_to_17(import_bytes: ImportBytes, written: str) -> None:
    young = ROWS[0].replace(",18-24,", ",10-17,")
    import_bytes(csv_text(young))
    result = import_bytes(csv_text(young.replace(",10-17,", f",{written},")))
    assert (result.duplicates, result.rejected) == (1, 0)
    assert notes_of(result.batch_id) == [
        f'Age range written as "{written}" (Excel turns 10-17 into a date) was read as 10-17.'
    ]
    assert import_bytes(csv_text(young.replace(",10-17,", ",Oct-18,"))).rejected == 1  # no other age is a date
