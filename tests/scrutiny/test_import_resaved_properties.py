"""Property tests over the ways a file is re-saved: any mix of them, over any rows of a real month, never crashes,
never loses a row (read = the rows written = imported + duplicates + rejected), rejects nothing, and adds nothing
after the original. The one refusal allowed is the one the rules call for: slash dates whose order nothing in the
file decides (docs/import.md, "Dates")."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from scrutiny.models import RejectedRow
from scrutiny.records.importing import ImportFailed
from tests.scrutiny import resaved_support as resave
from tests.scrutiny.conftest import ImportBytes

ROWS = resave.with_operations(resave.read_rows())
HEADER, RECORDS = ROWS[0], ROWS[1:]
NAME = "2025-06-cheshire-stop-and-search"
YES_NO = [("True", "False"), ("TRUE", "FALSE"), ("true", "false"), ("1", "0"), ("1.0", "0.0"), ("Yes", "No")]
DATES = ["published", "local", "local T", "local minutes", "day first", "month first", "month first 12h"]


@dataclass(frozen=True)
class Resave:
    """One way of re-saving: each field a thing spreadsheets or dataframes do to a file."""

    workbook: bool
    delimiter: str
    end: str
    encoding: str
    index: int | None  # a leading row-number column numbered from 0 or 1
    index_heading: str
    yes_no: tuple[str, str]
    coordinates: str  # "as published", "floating point" (a unit in the last place off), "trailing zeros dropped"
    dates: str
    typed: bool  # a workbook's cells typed (date-times, numbers, booleans) rather than text


resaves = st.builds(
    Resave,
    workbook=st.booleans(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    end=st.sampled_from(["\r\n", "\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    index=st.sampled_from([None, 0, 1]),
    index_heading=st.sampled_from(["", "Unnamed: 0"]),
    yes_no=st.sampled_from(YES_NO),
    coordinates=st.sampled_from(["as published", "floating point", "trailing zeros dropped"]),
    dates=st.sampled_from(DATES),
    typed=st.booleans(),
)


def write_date(published: str, how: str) -> str:
    moment = resave.local(published)
    if how == "published":
        return published
    if how == "local":
        return moment.isoformat(sep=" ")
    if how == "local T":
        return moment.isoformat()
    if how == "local minutes":
        # Only for times on the minute: dropping the seconds of another would be another instant.
        return moment.strftime("%Y-%m-%d %H:%M") if moment.second == 0 else moment.isoformat(sep=" ")
    if how == "day first":
        return moment.strftime("%d/%m/%Y %H:%M:%S")
    if how == "month first":
        return f"{moment.month}/{moment.day}/{moment.year} {moment:%H:%M:%S}"
    hour = moment.hour % 12 or 12
    return (
        f"{moment.month:02d}/{moment.day:02d}/{moment:%y} {hour}:{moment:%M:%S} {'PM' if moment.hour >= 12 else 'AM'}"
    )


def write_coordinate(value: str, how: str, row: int) -> str:
    if not value or how == "as published":
        return value
    if how == "trailing zeros dropped":
        return resave.six_places_dropped(value)
    return repr(float(np.nextafter(float(value), np.inf if row % 2 else -np.inf)))


def resaved_rows(rows: list[list[str]], how: Resave) -> list[list[str]]:
    out: list[list[str]] = []
    for i, row in enumerate(rows):
        row = list(row)
        row[resave.DATE] = write_date(row[resave.DATE], how.dates)
        for c in (resave.LAT, resave.LNG):
            row[c] = write_coordinate(row[c], how.coordinates, i)
        for c in resave.YES_NO_COLUMNS:
            row[c] = {"True": how.yes_no[0], "False": how.yes_no[1]}.get(row[c], row[c])
        out.append(row)
    return out


def as_workbook(header: list[str], rows: list[list[str]], originals: list[list[str]], how: Resave) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append(header)
    for i, (row, original) in enumerate(zip(rows, originals, strict=True)):
        cells: list[object] = [c if c != "" else None for c in row]
        if how.typed:
            cells[resave.DATE] = resave.local(original[resave.DATE])  # a date-time cell, as Excel keeps one
            for c in (resave.LAT, resave.LNG):
                cells[c] = float(row[c]) if row[c] else None
            for c in resave.YES_NO_COLUMNS:
                cells[c] = {"True": True, "False": False}.get(original[c], cells[c])
        if how.index is not None:
            cells = [how.index + i, *cells]  # a number cell, as pandas' to_excel writes its index
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(records: list[list[str]], how: Resave) -> bytes:
    rows = resaved_rows(records, how)
    header = list(HEADER) if how.index is None else [how.index_heading, *HEADER]
    if how.workbook:
        return as_workbook(header, rows, records, how)
    if how.index is not None:
        rows = [[str(how.index + i), *row] for i, row in enumerate(rows)]
    return resave.csv_bytes([header, *rows], delimiter=how.delimiter, end=how.end, encoding=how.encoding)


def slash_order_undecided(records: list[list[str]], how: Resave) -> bool:
    """Whether nothing decides the order of these slash dates (slashdates.decide): no part over 12 anywhere, and
    both orders put every date in or next to June 2025, the month the file's name says it covers."""
    if how.dates not in ("day first", "month first", "month first 12h"):
        return False
    if how.workbook and how.typed:
        return False  # date-time cells, not text
    days = [resave.local(r[resave.DATE]).day for r in records]
    months = [resave.local(r[resave.DATE]).month for r in records]
    if any(d > 12 for d in days) or any(m != 6 for m in months):
        return False  # a part over 12, or a date (1 July, local) that only one order puts near June
    # Read the other way, day d of June is 6 <d-th month>: next to June only for May, June and July.
    return all(d in (5, 6, 7) for d in days) and any(d != 6 for d in days)


# Rows searched on 5 and 7 June (UK time): written 05/06/2025 and 07/06/2025, either order puts them next to June.
FIFTH_AND_SEVENTH = [
    next(i for i, r in enumerate(RECORDS) if resave.local(r[resave.DATE]).day == day) for day in (5, 7)
]
UNDECIDED = Resave(False, ";", "\r\n", "utf-8-sig", None, "", ("TRUE", "FALSE"), "as published", "day first", False)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.integers(0, len(RECORDS) - 1), min_size=1, max_size=20),
    how=resaves,
)
@example(picks=FIFTH_AND_SEVENTH, how=UNDECIDED)  # the one refusal, so it is always tried
@example(picks=FIFTH_AND_SEVENTH, how=replace(UNDECIDED, dates="local"))  # the same rows, dates unambiguous
def test_any_way_of_re_saving_a_real_month_loses_nothing_and_adds_nothing(
    import_bytes: ImportBytes, picks: list[int], how: Resave
) -> None:
    records = [RECORDS[i] for i in picks]
    june = date(2025, 6, 1)
    original = import_bytes(resave.csv_bytes([HEADER, *records]), name=f"{NAME}.csv", declared_month=june)
    assert (original.read, original.rejected) == (len(records), 0)

    data = build(records, how)
    name = f"{NAME}.{'xlsx' if how.workbook else 'csv'}"
    if slash_order_undecided(records, how):
        with pytest.raises(ImportFailed, match=r"ambiguous dates: .* could be day first or month first"):
            import_bytes(data, name=name, declared_month=june)
        return
    result = import_bytes(data, name=name, declared_month=june)
    assert result.read == len(records)
    assert result.read == result.imported + result.duplicates + result.rejected
    assert RejectedRow.objects.filter(batch_id=result.batch_id).count() == result.rejected == 0, list(
        RejectedRow.objects.filter(batch_id=result.batch_id).values_list("reasons", flat=True)
    )
    assert result.imported == 0  # the same searches as the original, already held


def test_the_generated_dates_keep_the_instant() -> None:
    published = "2025-06-13T13:04:05+00:00"
    assert write_date(published, "day first") == "13/06/2025 14:04:05"
    assert write_date(published, "month first 12h") == "06/13/25 2:04:05 PM"
    assert resave.local(published) == datetime(2025, 6, 13, 14, 4, 5)
