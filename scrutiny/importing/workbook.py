"""Excel workbooks (.xlsx): one sheet's rows, read as a stream (openpyxl's read-only mode), so a million-row
workbook takes no more memory than a few rows (bench/import_xlsx.py measures it).

The sheet is the first unless one is named (`importrecords --sheet NAME`). Its first non-empty row is the
header; after that, rows are what a CSV's lines are, with the same layout rules (layout.py), and each cell
becomes the text the normaliser reads:

- a date-time cell in the Date column is the time as shown, with no offset, so UK local time (Europe/London) like
  any date written without one; a plain number there is an Excel serial date (days since the workbook's epoch,
  1900 or 1904) whose number format was lost; a text cell is read as text (slash dates included);
- numbers are written out in full (never in exponent form), so a coordinate saved as 51.480216999999996 goes
  through the same 6-place rule as in a CSV, and a whole number is written without ".0" (an officer's collar
  number 4471, not 4471.0, so its keyed pseudonym matches the CSV's);
- booleans are True and False; empty cells are blank; formulas give the value Excel last saved.

A row's cells are matched to the header's columns, so a rejected row of a force extract keeps only the protected
forms of its sensitive cells, exactly as a CSV row does (pipeline._reject_payload).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from scrutiny.importing import slashdates
from scrutiny.importing.errors import ImportFailed
from scrutiny.importing.formats import FIELDS
from scrutiny.importing.layout import Layout, SourceRow

# Excel serial dates from 1 January 2000 (the earliest the importer takes) to the end of Excel's calendar.
_SERIAL_RANGE = (36526, 2958465)


def _open(fh: IO[bytes]) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(fh, read_only=True, data_only=True)
    except ImportFailed:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged file; every one means the same here
        raise ImportFailed(f"unreadable: the Excel workbook cannot be opened ({type(error).__name__})") from None


def _sheet(book: Any, sheet: str | None) -> Any:
    names = list(book.sheetnames)
    if sheet is None:
        if not book.worksheets:
            raise ImportFailed("unreadable: the workbook has no worksheet")
        return book.worksheets[0]
    if sheet not in names:
        shown = ", ".join(f'"{n}"' for n in names)
        raise ImportFailed(f'the workbook has no sheet "{sheet}"; its sheets are {shown}')
    return book[sheet]


def sheet_rows(fh: IO[bytes]) -> int | None:
    """The first sheet's row count, as its <dimension> says (None if it does not say): for progress."""
    book = _open(fh)
    try:
        rows = book.worksheets[0].max_row if book.worksheets else None
        return rows if isinstance(rows, int) else None
    finally:
        book.close()


def header_of(fh: IO[bytes], sheet: str | None = None) -> list[str]:
    """The sheet's first non-empty row, as text (to tell the format); leaves fh where it was."""
    start = fh.tell()
    book = _open(fh)
    try:
        for row in _sheet(book, sheet).iter_rows(values_only=True):
            cells = [_plain(v) for v in row]
            if any(c.strip() for c in cells):
                return cells
        raise ImportFailed("wrong header: the sheet is empty")
    finally:
        book.close()
        fh.seek(start)


def _number(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def _plain(value: Any) -> str:
    """A cell's value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


class WorkbookReader:
    """Rows of one sheet of an .xlsx workbook in one of the CSV formats. "Line numbers" are the sheet's row
    numbers, as Excel shows them."""

    def __init__(
        self,
        fh: IO[bytes],
        source_format: str,
        *,
        sheet: str | None = None,
        declared_month: date | None = None,
        prepass: bool = False,
    ) -> None:
        self.source_format = source_format
        fields = FIELDS[source_format]
        self.names: tuple[str, ...] = tuple(f.name for f in fields)
        self.labels: tuple[str, ...] = tuple(f.label for f in fields)
        self.sensitive: tuple[bool, ...] = tuple(f.sensitive for f in fields)
        self._fh = fh
        self._start = fh.tell()
        self._sheet_asked = sheet
        self._book = _open(fh)
        worksheet = _sheet(self._book, sheet)
        self.sheet = str(worksheet.title)
        self._sheet_count = len(self._book.sheetnames)
        self._epoch: datetime = self._book.epoch
        self._rows = worksheet.iter_rows(values_only=True)
        self.number = 0
        self._skipped = 0
        header: list[str] | None = None
        for row in self._rows:
            self.number += 1
            cells = [_plain(v) for v in row]
            if any(c.strip() for c in cells):
                header = cells
                break
            self._skipped += 1
        if header is None:
            self._book.close()
            raise ImportFailed(f'wrong header: the sheet "{self.sheet}" is empty')
        self.layout = Layout(
            source_format,
            header,
            gather_dates=self._gather_dates,
            declared_month=declared_month,
            pad=True,
            prepass=prepass,
        )
        self._date_column = self.layout.positions[self.layout.date_field]
        self.date_cells = 0  # date-time cells in the Date column
        self.serial_cells = 0  # plain numbers there, read as serial dates

    @property
    def skipped(self) -> int:
        return self._skipped + self.layout.skipped

    @property
    def bytes_read(self) -> int:
        return self._fh.tell()  # of the compressed file: enough for progress

    @property
    def notes(self) -> list[str]:
        where = "the first" if self._sheet_asked is None else "the chosen"
        out = [
            f'Read from the sheet "{self.sheet}" ({where} of {self._sheet_count}) of an Excel workbook.'
            if self._sheet_count > 1
            else f'Read from the sheet "{self.sheet}" of an Excel workbook.'
        ]
        if self.date_cells:
            out.append(f"{self.date_cells:,} Date cells were Excel date-times.")
        if self.serial_cells:
            out.append(
                f"{self.serial_cells:,} Date cells were plain numbers: they were read as Excel serial dates (days "
                f"since {self._epoch:%d %B %Y}), whose date format had been lost."
            )
        return out + self.layout.notes

    def _date(self, value: Any) -> str:
        if isinstance(value, datetime):
            self.date_cells += 1
            return value.isoformat(sep=" ")
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]
        ):
            from openpyxl.utils.datetime import from_excel

            moment = from_excel(value, self._epoch)
            if isinstance(moment, datetime):
                self.serial_cells += 1
                return moment.isoformat(sep=" ")
        return _plain(value)

    def __iter__(self) -> Iterator[SourceRow]:
        date_column = self._date_column
        layout_row = self.layout.row
        try:
            for row in self._rows:
                self.number += 1
                cells = [_plain(v) if i != date_column else self._date(v) for i, v in enumerate(row)]
                while cells and not cells[-1]:
                    cells.pop()
                record = layout_row(self.number, cells, None)
                if record is not None:
                    yield record
        finally:
            self._book.close()

    def _gather_dates(self) -> slashdates.Evidence:
        """The first pass over the Date column: a second reader of the same sheet (the workbook's parts are read
        through their own handles, so this reader's place in the file is kept)."""
        here = self._fh.tell()
        evidence = slashdates.Evidence()
        try:
            self._fh.seek(self._start)
            scan = WorkbookReader(self._fh, self.source_format, sheet=self.sheet, prepass=True)
            field = scan.layout.date_field
            for line, values, problem in scan:
                if problem is None:
                    evidence.add(values[field], line)
        finally:
            self._fh.seek(here)
        return evidence
