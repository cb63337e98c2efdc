"""Re-saved copies of real data.police.uk files import losslessly (issue 13).

Each copy (tests/scrutiny/resaved_support.py) of a Cheshire month in the repository imports with nothing rejected
and the same counts by month and five-group ethnicity as the original, the counts also worked out here from the
raw file; imported after the original it adds nothing; and the batch's notes say what was read through.

On PostgreSQL the original goes through the hot loop (COPY) and every copy through the general path, so the two
paths are checked to make the same fingerprints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from panels.models import Organisation
from scrutiny.models import EncounterRecord, ImportBatch, RejectedRow
from scrutiny.records.importing import parse_file_name
from scrutiny.records.importing.pipeline import _Run
from tests.scrutiny import resaved_support as resave
from tests.scrutiny.conftest import ImportBytes
from tests.scrutiny.factories import ForceFactory
from tests.scrutiny.test_import_real_data import expected_group

pytestmark = pytest.mark.django_db

NAME = "2025-06-cheshire-stop-and-search.csv"


@dataclass(frozen=True)
class Copy:
    name: str  # the copy's file name
    make: resave.Variant
    notes: tuple[str, ...]  # words each of the batch's notes must hold, one tuple entry a note
    accented: bool = False  # the original has accented operation names (for an encoding that must carry them)


COPIES = [
    Copy(
        "pandas.csv",
        resave.pandas_to_csv,
        (
            "row-number column without a heading (numbered 0 to 1184",
            "Coordinates written as floating point (e.g. ",
            "6-place values on",
        ),
    ),
    Copy(
        "excel.csv",
        resave.excel_csv,
        (
            "UTF-8 byte-order mark",
            "separated by semicolons",
            "read day first (dd/mm/yyyy)",
            "no offset from UTC",
            'written as "FALSE", "TRUE"',
            "fewer than 6 decimal places",
        ),
    ),
    Copy("windows-1252.csv", resave.windows_1252, ("read as Windows-1252", "no offset from UTC"), accented=True),
    Copy("unicode.txt", resave.unicode_text, ("read as UTF-16", "separated by tabs"), accented=True),
    Copy("mac.csv", resave.mac_csv, ("carriage return alone", "read month first (mm/dd/yyyy)", "no offset from UTC")),
    Copy(
        "openpyxl.xlsx",
        resave.openpyxl_xlsx,
        (
            'sheet "Stop and search" of an Excel workbook',
            "Excel date-times",
            "2025-06-01 00:45:00 is 2025-05-31T23:45:00+00:00",
        ),
    ),
    Copy(
        "serial.xlsx",
        lambda rows: resave.openpyxl_xlsx(rows, serial_dates=True),
        ("Excel serial dates (days since 30 December 1899)", "no offset from UTC"),
    ),
    Copy("pandas.xlsx", resave.pandas_xlsx, ("row-number column without a heading", "Excel date-times")),
    Copy("excel.xlsx", resave.excel_xlsx, ('sheet "Stop and search" of an Excel workbook', "Excel date-times")),
]


def counts(force: Organisation) -> Counter[tuple[str, str]]:
    rows = EncounterRecord.objects.filter(force=force).values("month", "ethnic_group").annotate(n=Count("id"))
    return Counter({(str(r["month"])[:7], r["ethnic_group"]): r["n"] for r in rows})


def expected_counts(rows: resave.Rows) -> Counter[tuple[str, str]]:
    """From the raw rows: each search's month in UK time (docs/import.md, "Months"), its group from the label."""
    header = rows[0]
    date_at, group_at = header.index("Date"), header.index("Self-defined ethnicity")
    return Counter((resave.local(row[date_at]).strftime("%Y-%m"), expected_group(row[group_at])) for row in rows[1:])


def batch_of(result_id: int) -> ImportBatch:
    return ImportBatch.objects.get(pk=result_id)


@pytest.mark.parametrize("copy", COPIES, ids=[c.name for c in COPIES])
def test_a_re_saved_copy_imports_like_the_original_and_adds_nothing_after_it(
    import_bytes: ImportBytes, force: Organisation, copy: Copy
) -> None:
    rows = resave.read_rows()
    if copy.accented:
        rows = resave.with_operations(rows)
        original_bytes = resave.csv_bytes(rows)
    else:
        original_bytes = resave.JUNE.read_bytes()
    june = date(2025, 6, 1)
    original = import_bytes(original_bytes, name=NAME, declared_month=june)
    assert (original.read, original.rejected) == (len(rows) - 1, 0)
    assert batch_of(original.batch_id).notes == []  # a pristine file: nothing to say

    other = ForceFactory.create(police_uk_id="merseyside")  # a second force, empty, for the copy on its own
    data = copy.make(rows)
    alone = import_bytes(data, name=copy.name, force=other)
    assert (alone.read, alone.imported, alone.rejected) == (len(rows) - 1, len(rows) - 1, 0)
    assert counts(other) == counts(force) == expected_counts(rows)
    notes = batch_of(alone.batch_id).notes
    for words in copy.notes:
        assert any(words in note for note in notes), f"no note says {words!r}: {notes}"

    again = import_bytes(data, name=copy.name)
    assert (again.read, again.imported, again.duplicates, again.rejected) == (len(rows) - 1, 0, len(rows) - 1, 0)
    # And the other way round: the original after the copy adds nothing either.
    back = import_bytes(original_bytes, name=NAME, force=other, declared_month=june)
    assert (back.imported, back.duplicates) == (0, len(rows) - 1)
    if copy.accented:
        stored = set(EncounterRecord.objects.filter(force=other).values_list("policing_operation", flat=True))
        assert set(resave.ACCENTED) <= stored


def test_every_month_in_the_repository_survives_pandas_and_excel(
    import_bytes: ImportBytes, force: Organisation
) -> None:
    other = ForceFactory.create(police_uk_id="merseyside")
    for path in sorted(resave.REPO_DATA.glob("*.csv")):
        info = parse_file_name(path.name)
        assert info is not None
        rows = resave.read_rows(path)
        import_bytes(path.read_bytes(), name=path.name, declared_month=info.month)
        for make in (resave.pandas_to_csv, resave.excel_csv):
            result = import_bytes(make(rows), name="copy.csv", force=other)
            assert result.rejected == 0, path.name
            again = import_bytes(make(rows), name="copy.csv")
            assert (again.imported, again.rejected) == (0, 0), path.name
    assert counts(other) == counts(force)
    assert RejectedRow.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the hot loop is PostgreSQL's (set DATABASE_URL)")
def test_on_postgresql_the_original_takes_the_hot_loop_and_a_copy_the_general_path(
    import_bytes: ImportBytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[str] = []
    hot, general = _Run.police_uk_csv, _Run.general

    def spy_hot(self: _Run, *args: Any) -> None:
        taken.append("hot loop")
        hot(self, *args)

    def spy_general(self: _Run) -> None:
        taken.append("general path")
        general(self)

    monkeypatch.setattr(_Run, "police_uk_csv", spy_hot)
    monkeypatch.setattr(_Run, "general", spy_general)
    rows = resave.read_rows()
    assert import_bytes(resave.JUNE.read_bytes(), name=NAME).imported == len(rows) - 1
    assert import_bytes(resave.excel_csv(rows), name="excel.csv").duplicates == len(rows) - 1
    assert taken == ["hot loop", "general path"]


SHARED_FILES = [
    "2016-06-metropolitan-stop-and-search.csv",  # the 2001 Census groups and the pre-2017 outcomes
    "2017-06-west-midlands-stop-and-search.csv",
    "2018-10-city-of-london-stop-and-search.csv",  # the month the clocks go back
    "2019-12-essex-stop-and-search.csv",
    "2025-06-south-yorkshire-stop-and-search.csv",  # no coordinates at all
]


@pytest.mark.parametrize("name", SHARED_FILES)
def test_shared_months_survive_pandas_and_excel(import_bytes: ImportBytes, shared_data: Path, name: str) -> None:
    path = shared_data / "police-uk" / name
    info = parse_file_name(name)
    assert info is not None
    force = ForceFactory.create(police_uk_id=info.force)
    rows = resave.read_rows(path)
    original = import_bytes(path.read_bytes(), name=name, force=force, declared_month=info.month)
    assert (original.read, original.rejected) == (len(rows) - 1, 0)
    for make, copy_force in ((resave.pandas_to_csv, "merseyside"), (resave.excel_csv, "kent")):
        other = ForceFactory.create(police_uk_id=copy_force)
        data = make(rows)
        alone = import_bytes(data, name=name, force=other, declared_month=info.month)
        assert (alone.read, alone.rejected) == (len(rows) - 1, 0), make.__name__
        assert counts(other) == counts(force), make.__name__
        again = import_bytes(data, name=name, force=force, declared_month=info.month)
        assert (again.imported, again.duplicates, again.rejected) == (0, len(rows) - 1, 0), make.__name__
