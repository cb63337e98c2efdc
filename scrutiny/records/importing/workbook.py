"""Excel workbooks (.xlsx): one sheet's rows, read as a stream (openpyxl's sheet parser, the one its read-only mode
uses), so a million-row workbook takes no more memory than a few rows (bench/import_xlsx.py measures it).

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

from scrutiny.records.importing import slashdates
from scrutiny.records.importing.errors import ImportFailed
from scrutiny.records.importing.formats import column_parts
from scrutiny.records.importing.layout import Layout, SourceRow

# Excel serial dates from 1 January 2000 (the earliest the importer takes) to the end of Excel's calendar.
_SERIAL_RANGE = (36526, 2958465)


class _Book:
    """What openpyxl reads of a workbook up front (its parts list, shared strings, styles for telling date cells,
    the sheets and the date epoch), and one sheet's rows as a stream through openpyxl's own sheet parser.

    Not load_workbook(read_only=True): that reads every sheet whole, at once, to find its size when the sheet does
    not state it (openpyxl's write-only mode and pandas through it state none), so a million-row workbook was
    parsed once more each time it was opened (checking the header, importing) before a row was read.
    """

    def __init__(self, fh: IO[bytes]) -> None:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        try:
            reader = ExcelReader(fh, read_only=True, data_only=True)
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            self.sheets: dict[str, str] = {
                sheet.name: rel.target
                for sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            }
        except ImportFailed:
            raise
        except Exception as error:  # openpyxl raises many kinds for a damaged file; each means the same here
            raise ImportFailed(f"unreadable: the Excel workbook cannot be opened ({type(error).__name__})") from None
        self._reader = reader
        self.epoch: datetime = reader.wb.epoch

    def sheet(self, name: str | None) -> str:
        """The sheet's name: the one asked for, or the first."""
        if name is None:
            if not self.sheets:
                raise ImportFailed("unreadable: the workbook has no worksheet")
            return next(iter(self.sheets))
        if name not in self.sheets:
            shown = ", ".join(f'"{n}"' for n in self.sheets)
            raise ImportFailed(f'the workbook has no sheet "{name}"; its sheets are {shown}')
        return name

    def rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cell values from column A to the row's last cell), for the rows the sheet holds."""
        wb = self._reader.wb
        with self._reader.archive.open(self.sheets[name]) as source:
            parser = _sheet_parser()(
                source,
                self._reader.shared_strings,
                data_only=True,
                epoch=wb.epoch,
                date_formats=wb._date_formats,
                timedelta_formats=wb._timedelta_formats,
            )
            for number, cells in parser.parse():
                values: list[Any] = [None] * (cells[-1]["column"] if cells else 0)
                for cell in cells:
                    values[cell["column"] - 1] = cell["value"]
                yield number, values

    def dimension_rows(self, name: str) -> int | None:
        """The last row the sheet's <dimension> states, read from the sheet's start only (None if it states none)."""
        from openpyxl.worksheet.dimensions import SheetDimension
        from openpyxl.xml.constants import SHEET_MAIN_NS
        from openpyxl.xml.functions import iterparse

        with self._reader.archive.open(self.sheets[name]) as source:
            for _event, element in iterparse(source, events=("start",)):
                if element.tag == f"{{{SHEET_MAIN_NS}}}dimension":
                    bounds = SheetDimension.from_tree(element).boundaries
                    return int(bounds[3]) if bounds and bounds[3] else None
                if element.tag == f"{{{SHEET_MAIN_NS}}}sheetData":
                    return None
        return None

    def close(self) -> None:
        self._reader.archive.close()


_PARSER: Any = None


def _sheet_parser() -> Any:
    """openpyxl's sheet parser, reading inline strings (what openpyxl itself and pandas write) without building
    openpyxl's rich-text objects for each: half the time of a workbook's import went there. The value is the
    same: the plain text and the text of each formatted run, without phonetic guides (Text.content)."""
    global _PARSER
    if _PARSER is None:
        from openpyxl.utils.cell import coordinate_to_tuple
        from openpyxl.worksheet._reader import INLINE_STRING, WorkSheetParser
        from openpyxl.xml.constants import SHEET_MAIN_NS

        text, run = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"

        class Parser(WorkSheetParser):
            def parse_cell(self, element: Any) -> dict[str, Any]:
                if element.get("t") != "inlineStr":
                    return super().parse_cell(element)
                coordinate = element.get("r")
                if coordinate:
                    row, column = coordinate_to_tuple(coordinate)
                    self.col_counter = column
                else:
                    self.col_counter += 1
                    row, column = self.row_counter, self.col_counter
                style = element.get("s", 0)
                value, data_type = None, "inlineStr"
                child = element.find(INLINE_STRING)
                if child is not None:
                    parts = [child.findtext(text) or ""]
                    parts.extend(r.findtext(text) or "" for r in child.iterfind(run))
                    value, data_type = "".join(parts), "s"
                return {
                    "row": row,
                    "column": column,
                    "value": value,
                    "data_type": data_type,
                    "style_id": int(style) if style else 0,
                }

        _PARSER = Parser
    return _PARSER


def sheet_rows(fh: IO[bytes]) -> int | None:
    """The first sheet's row count, as its <dimension> says (None if it does not say): for progress."""
    book = _Book(fh)
    try:
        return book.dimension_rows(book.sheet(None))
    finally:
        book.close()


def header_of(fh: IO[bytes], sheet: str | None = None) -> list[str]:
    """The sheet's first non-empty row, as text (to tell the format); leaves fh where it was."""
    start = fh.tell()
    book = _Book(fh)
    try:
        for _number, row in book.rows(book.sheet(sheet)):
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
        self.names, self.labels, self.sensitive = column_parts(source_format)
        self._fh = fh
        self._start = fh.tell()
        self._sheet_asked = sheet
        self._book = _Book(fh)
        self.sheet = self._book.sheet(sheet)
        self._sheet_count = len(self._book.sheets)
        self._epoch: datetime = self._book.epoch
        self._rows = self._book.rows(self.sheet)
        self.number = 0
        self._skipped = 0
        header: list[str] | None = None
        for number, row in self._rows:
            self._skipped += number - self.number - 1  # rows the sheet does not hold at all are blank
            self.number = number
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
            for number, row in self._rows:
                self._skipped += number - self.number - 1  # rows the sheet does not hold at all are blank
                self.number = number
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
