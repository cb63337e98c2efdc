"""From a row's cells to the format's values: what the CSV reader and the workbook reader share.

The header says which cell is which field (formats.map_header). Besides that, a `Layout`:

- leaves out leading row-index columns: a column with a blank or pandas "Unnamed: 0" heading, before the named
  ones, whose values are the row numbers 0, 1, 2 ... or 1, 2, 3 ... (as pandas' to_csv and to_excel write the
  index), or blank on every row (a spreadsheet's empty first column). Anything else in such a column is data the
  importer does not know, so the file is refused (ImportFailed, mid-file: the import is one transaction, so
  nothing of it stays);
- drops trailing empty cells, and skips blank rows and header rows repeated where files were joined;
- rewrites Date cells written with slashes (01/06/2016 00:03) in the order decided for the whole file
  (slashdates.py), from a first pass over the file's Date column that the reader runs when the first such date
  turns up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from scrutiny.records.importing import slashdates
from scrutiny.records.importing.errors import ImportFailed
from scrutiny.records.importing.formats import FIELDS, leading_index_columns, map_header
from scrutiny.vocab import normalise_key

# (line number of the record's first line, values in the format's canonical order or the raw cells, problem)
SourceRow = tuple[int, Sequence[str], str | None]

_BLANK_COLUMN = -1  # an index column that is empty on every row


class Layout:
    def __init__(
        self,
        source_format: str,
        header: Sequence[str],
        *,
        gather_dates: Callable[[], slashdates.Evidence] | None = None,
        declared_month: date | None = None,
        pad: bool = False,
        prepass: bool = False,
    ) -> None:
        """`gather_dates` reads the whole file's Date column (the first pass); `pad` fills a short row with blank
        cells (a workbook row ends at its last value) instead of rejecting it; a `prepass` layout only maps
        cells to values, for that first pass."""
        fields = FIELDS[source_format]
        header = list(header)
        self.index_columns = leading_index_columns(header)
        self.positions = map_header(source_format, header, first=self.index_columns)
        ncols = len(header)
        while ncols > self.index_columns + 1 and not header[ncols - 1].strip():
            ncols -= 1  # trailing empty headings from a spreadsheet
        self.ncols = ncols
        self.identity = self.index_columns == 0 and self.positions == list(range(len(fields))) and ncols == len(fields)
        self.header_key = [normalise_key(h.lstrip("\ufeff")) for h in header[:ncols]]
        # Whether the first heading is the same stripped and casefolded as fully normalised ("type", "date", ""):
        # then a row can be told not to be a repeated header by its first cell without normalising it.
        self._plain_first = self.header_key[0] == header[0].lstrip("\ufeff").strip().casefold()
        self.date_field = [f.name for f in fields].index("datetime")
        self.skipped = 0
        self.records = 0
        self.prepass = prepass
        self._pad = pad
        self._gather = gather_dates
        self._declared = declared_month
        self._index_start: list[int | None] = [None] * self.index_columns
        self.date_order: str | None = None
        self._date_note = ""

    def _first_key(self, cell: str) -> str:
        cell = cell.lstrip("\ufeff")
        return cell.strip().casefold() if self._plain_first else normalise_key(cell)

    def is_header(self, cells: Sequence[str]) -> bool:
        return [normalise_key(c.lstrip("\ufeff")) for c in cells[: self.ncols]] == self.header_key

    def row(self, number: int, cells: list[str], problem: str | None) -> SourceRow | None:
        """The record in these cells (mapped to the format's fields), or None for a row that holds none."""
        ncols = self.ncols
        n = len(cells)
        if n != ncols:
            if n > ncols and not any(c.strip() for c in cells[ncols:]):
                del cells[ncols:]  # trailing empty cells
                n = ncols
            elif not any(c.strip() for c in cells):
                self.skipped += 1
                return None
            elif n < ncols and self._pad and problem is None:
                cells.extend([""] * (ncols - n))
                n = ncols
        if n == ncols and self._first_key(cells[0]) == self.header_key[0] and self.is_header(cells):
            self.skipped += 1  # a header row repeated where files were joined
            return None
        if problem is None and n != ncols:
            problem = f"expected {ncols} cells, found {n}"
        ordinal = self.records
        if problem is not None:
            self.records += 1
            return number, cells, problem
        if not any(c.strip() for c in cells):
            self.skipped += 1  # a line of empty cells
            return None
        self.records += 1
        if self.prepass:
            return number, [cells[p] if p >= 0 else "" for p in self.positions], None
        if self.index_columns:
            self._check_index(number, cells, ordinal)
        values = cells if self.identity else [cells[p] if p >= 0 else "" for p in self.positions]
        when = values[self.date_field]
        if "/" in when:
            values[self.date_field] = self._slash_date(when)
        return number, values, None

    # --- row-index columns ---------------------------------------------------------------------------------

    def _check_index(self, number: int, cells: Sequence[str], ordinal: int) -> None:
        for column in range(self.index_columns):
            value = cells[column].strip()
            start = self._index_start[column]
            if start is None:
                if not value:
                    start = _BLANK_COLUMN
                elif value.isdigit() and int(value) - ordinal in (0, 1):
                    start = int(value) - ordinal
                else:
                    raise ImportFailed(self._not_an_index(column, number, value, f"0 or 1 (or {ordinal})"))
                self._index_start[column] = start
            expected = "" if start == _BLANK_COLUMN else str(start + ordinal)
            if value != expected:
                raise ImportFailed(self._not_an_index(column, number, value, expected))

    @staticmethod
    def _not_an_index(column: int, number: int, value: str, expected: str) -> str:
        return (
            f"wrong header: column {column + 1} has no heading and is not a row number or empty: line {number} has "
            f'"{value}" where "{expected}" was expected, so it is data the format does not have; remove the '
            "column (pandas: to_csv or to_excel with index=False) and import the file again"
        )

    # --- dates written with slashes ------------------------------------------------------------------------

    def _slash_date(self, raw: str) -> str:
        if self.date_order is None:
            if slashdates.SLASH_DATE.fullmatch(raw) is None or self._gather is None:
                return raw
            self.date_order, self._date_note = slashdates.decide(self._gather(), self._declared)
        # A date that is not valid in the file's order stays as written: the normaliser rejects it, saying why.
        return slashdates.rewrite(raw, self.date_order) or raw

    # --- what was seen -------------------------------------------------------------------------------------

    @property
    def notes(self) -> list[str]:
        out: list[str] = []
        for start in self._index_start:
            if start == _BLANK_COLUMN:
                out.append("An empty first column without a heading was ignored.")
            elif start is not None:
                last = start + self.records - 1
                out.append(
                    f"A leading row-number column without a heading (numbered {start} to {last}, as pandas writes "
                    "its index) was ignored."
                )
        if self._date_note:
            out.append(self._date_note)
        return out
