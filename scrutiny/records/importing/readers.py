"""Streaming readers: a file in, one (line number, values, problem) per record out, never the whole file in memory.

CSV: UTF-8 (with or without a BOM), Windows-1252/Latin-1 or UTF-16 (sniff.py decides, for the whole file), CRLF,
LF or CR line ends, comma, semicolon or tab delimiters (told from the header), blank lines, repeated header rows,
trailing blank cells and a leading row-index column (layout.py) are all taken in stride. Lines without a quote
character are split directly (most police data has none); lines with one go through the csv module, which may
join physical lines for a quoted field that spans them. A record that cannot be read (a NUL, the wrong number of
cells, a runaway quote) is still yielded, with a problem, so it is rejected rather than lost.

Excel workbooks (.xlsx): workbook.WorkbookReader, with the same layout rules.

JSON: the array that /api/stops-force returns, parsed one element at a time.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import date
from typing import IO, Any

from scrutiny.choices import SourceFormat
from scrutiny.records.importing import slashdates
from scrutiny.records.importing.errors import ImportFailed
from scrutiny.records.importing.formats import (
    DELIMITERS,
    FIELDS,
    POLICE_UK_FIELDS,
    POLICE_UK_JSON_LABELS,
    SEP_LINE,
    column_parts,
    split_header,
)
from scrutiny.records.importing.layout import Layout, SourceRow
from scrutiny.records.importing.sniff import XLSX, LineSource, Recoded, Text, container, text_encoding
from scrutiny.records.importing.workbook import WorkbookReader

__all__ = ["CsvReader", "JsonReader", "Reader", "SourceRow", "WorkbookReader", "open_reader", "without_line_end"]

_MAX_RECORD_LINES = 2000  # a quoted field longer than this is taken to be a runaway quote


def without_line_end(text: str) -> str:
    """A physical line without its line end (CRLF, LF or CR), and nothing more: a carriage return before a CRLF
    belongs to the last cell. The pipeline's hot loop cuts its lines with this too, so both paths read the same
    cells."""
    if text.endswith("\n"):
        return text[:-2] if text.endswith("\r\n") else text[:-1]
    return text[:-1] if text.endswith("\r") else text


class _Lines:
    """Decoded physical lines with their numbers, with push-back, for both the fast path and the csv module."""

    def __init__(self, fh: LineSource) -> None:
        self._fh = fh
        self.number = 0  # physical lines read from the file so far
        self.bytes_read = 0
        self._pending: deque[tuple[int, str, bool]] = deque()
        self.taken: list[tuple[int, str, bool]] = []  # lines handed to the csv module for the current record

    def next_line(self) -> tuple[int, str, bool] | None:
        """(line number, text without line end, decoded cleanly?) or None at the end."""
        if self._pending:
            return self._pending.popleft()
        raw = self._fh.readline()
        if not raw:
            return None
        self.number += 1
        self.bytes_read += len(raw)
        try:
            text = raw.decode("utf-8")
            ok = True
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            ok = False
        return self.number, without_line_end(text), ok

    @property
    def raw(self) -> LineSource:
        return self._fh

    def next_pending(self) -> tuple[int, str, bool] | None:
        """A pushed-back line, if any (without reading the file)."""
        return self._pending.popleft() if self._pending else None

    def push_back(self, lines: Sequence[tuple[int, str, bool]]) -> None:
        self._pending.extendleft(reversed(lines))

    # The csv module's view: an iterator of lines ending in "\n".
    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if len(self.taken) >= _MAX_RECORD_LINES:
            raise csv.Error("a quoted field runs on for too many lines")
        item = self.next_line()
        if item is None:
            raise StopIteration
        self.taken.append(item)
        return item[1] + "\n"


class CsvReader:
    """Rows of a CSV source in one of the CSV formats, after its header has been checked.

    The whole file is looked at first (sniff.text_encoding): a file that is not UTF-8, or whose lines end in CR
    alone, is read through sniff.Recoded. The delimiter is the one that splits the header into the format's
    headings (formats.split_header). `identity` is True only when the raw lines can be split on commas as they
    are and the columns are exactly the format's, in order: what the pipeline's hot loop needs.
    """

    def __init__(
        self,
        fh: IO[bytes],
        source_format: str,
        *,
        declared_month: date | None = None,
        text: Text | None = None,
        prepass: bool = False,
    ) -> None:
        self.source_format = source_format
        self.names, self.labels, self.sensitive = column_parts(source_format)
        self._fh = fh
        self._start = fh.tell()
        self.text = text if text is not None else text_encoding(fh)
        self._lines = _Lines(fh if self.text.plain else Recoded(fh, self.text))
        self._skipped = 0
        first = self._next_nonblank()
        if first is None:
            raise ImportFailed("wrong header: the file is empty")
        if not first[2]:
            raise ImportFailed("unreadable: the header line is not UTF-8 text")
        self.header_line = first[1].lstrip("\ufeff")
        forced: str | None = None
        sep = SEP_LINE.fullmatch(self.header_line)
        if sep is not None and sep[1] in DELIMITERS:
            forced = sep[1]  # Excel's "sep=;" line: says the delimiter, holds no record
            self._skipped += 1
            first = self._next_nonblank()
            if first is None:
                raise ImportFailed("wrong header: the file has no header after its sep= line")
            self.header_line = first[1].lstrip("\ufeff")
        if forced is None:
            self.header, self.delimiter = split_header(self.header_line, source_format)
        else:
            self.header, self.delimiter = next(csv.reader([self.header_line], delimiter=forced), []), forced
        self._sep_line = forced is not None
        self.layout = Layout(
            source_format,
            self.header,
            gather_dates=self._gather_dates,
            declared_month=declared_month,
            prepass=prepass,
        )
        self.positions = self.layout.positions
        self.ncols = self.layout.ncols
        self._identity = self.layout.identity and self.text.plain and self.delimiter == ","
        self._csv = csv.reader(self._lines, delimiter=self.delimiter, strict=False)

    def _next_nonblank(self) -> tuple[int, str, bool] | None:
        line = self._lines.next_line()
        while line is not None and not line[1].strip():
            self._skipped += 1
            line = self._lines.next_line()
        return line

    @property
    def skipped(self) -> int:
        return self._skipped + self.layout.skipped

    @property
    def bytes_read(self) -> int:
        return self._lines.bytes_read

    @property
    def lines(self) -> _Lines:
        return self._lines

    @property
    def identity(self) -> bool:
        """True when the file's columns are exactly the format's, in order, in UTF-8 lines split on commas (the
        hot loop's case)."""
        return self._identity

    @property
    def notes(self) -> list[str]:
        """What was seen and read through, one sentence each (kept on the batch: ImportBatch.notes)."""
        out = self.text.notes()
        if self.delimiter != ",":
            out.append(f"Cells are separated by {DELIMITERS[self.delimiter]}, not commas.")
        if self._sep_line:
            out.append('The first line, "sep=", only named the delimiter and was skipped.')
        return out + self.layout.notes

    def _gather_dates(self) -> slashdates.Evidence:
        """The first pass: every Date cell of the file, from its start, read by a second reader over the same file;
        the file is left exactly where this reader had it."""
        fh = self._fh
        here = fh.tell()
        evidence = slashdates.Evidence()
        try:
            fh.seek(self._start)
            scan = CsvReader(fh, self.source_format, text=self.text, prepass=True)
            field = scan.layout.date_field
            for line, values, problem in scan:
                if problem is None:
                    evidence.add(values[field], line)
        finally:
            fh.seek(here)
        return evidence

    def __iter__(self) -> Iterator[SourceRow]:
        next_line = self._lines.next_line
        record = self.record
        while (item := next_line()) is not None:
            row = record(item)
            if row is not None:
                yield row

    def record(self, item: tuple[int, str, bool]) -> SourceRow | None:
        """The record starting at this physical line (reading on if a quoted field spans lines), or None for a
        line that holds no record (blank, or a repeated header)."""
        lines = self._lines
        number, text, ok = item
        problem: str | None = None
        if '"' in text:
            lines.push_back([item])
            lines.taken = []
            try:
                cells = next(self._csv)
            except csv.Error as error:
                taken = lines.taken
                lines.push_back(taken[1:])
                return number, [taken[0][1]], f"not readable as CSV: {error}"
            taken = lines.taken
            if len(taken) > 1 and len(cells) < self.ncols:
                # A quote opened and never closed: reject the first line alone and read on from the next.
                lines.push_back(taken[1:])
                return number, [text], "not readable as CSV: a quote is opened and not closed on this line"
            if not all(t[2] for t in taken):
                problem = "not valid UTF-8 text"
        else:
            cells = text.split(self.delimiter)
            if not ok:
                problem = "not valid UTF-8 text"
        if "\x00" in text:
            problem = "contains a NUL character"
        return self.layout.row(number, cells, problem)


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, str):
        return value
    return json.dumps(value)


class JsonReader:
    """Elements of a /api/stops-force array. The "line number" of a record is its position in the array (from 1)."""

    names: tuple[str, ...] = tuple(f.name for f in POLICE_UK_FIELDS)
    labels = POLICE_UK_JSON_LABELS
    sensitive: tuple[bool, ...] = (False,) * len(POLICE_UK_JSON_LABELS)
    source_format = SourceFormat.POLICE_UK_JSON
    skipped = 0

    _CHUNK = 1 << 16
    _MAX_ELEMENT = 1 << 20

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.bytes_read = 0
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._fill()
        self._skip_space()
        if self._pos >= len(self._buf) or self._buf[self._pos] != "[":
            raise ImportFailed("wrong format: expected the JSON array that data.police.uk's /api/stops-force returns")
        self._pos += 1

    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = self._fh.read(self._CHUNK)
        self.bytes_read += len(chunk)
        try:
            text = self._decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            raise ImportFailed(f"unreadable: the JSON is not UTF-8 text ({error.reason})") from None
        if not chunk:
            self._eof = True
        self._buf = self._buf[self._pos :] + text
        self._pos = 0
        return True

    def _skip_space(self) -> None:
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buf) or not self._fill():
                return

    def _element(self) -> Any:
        decoder = json.JSONDecoder()
        while True:
            try:
                value, end = decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as error:
                if self._eof or len(self._buf) - self._pos > self._MAX_ELEMENT:
                    raise ImportFailed(f"unreadable: not valid JSON ({error.msg})") from None
                self._fill()
                continue
            if end == len(self._buf) and not self._eof:
                # A number at the very end of the buffer may continue in the next chunk.
                self._fill()
                continue
            self._pos = end
            return value

    def __iter__(self) -> Iterator[SourceRow]:
        index = 0
        self._skip_space()
        if self._pos < len(self._buf) and self._buf[self._pos] == "]":
            return
        while True:
            self._skip_space()
            element = self._element()
            index += 1
            yield self._row(index, element)
            self._skip_space()
            if self._pos >= len(self._buf):
                raise ImportFailed("unreadable: the JSON array is not closed")
            char = self._buf[self._pos]
            self._pos += 1
            if char == "]":
                return
            if char != ",":
                raise ImportFailed(f'unreadable: not valid JSON (expected "," or "]" after element {index})')

    @staticmethod
    def _row(index: int, element: Any) -> SourceRow:
        if not isinstance(element, dict):
            return index, [_json_text(element)[:500]], "not a stop-and-search object"
        location = element.get("location")
        if location is None:
            location = {}
        elif not isinstance(location, dict):
            return index, [_json_text(element)[:2000]], "location: expected an object or null"
        outcome = element.get("outcome")
        outcome_text = "" if outcome is None or outcome is False else _json_text(outcome)
        if not outcome_text:
            outcome_object = element.get("outcome_object")
            if isinstance(outcome_object, dict) and outcome_object.get("id"):
                outcome_text = _json_text(outcome_object["id"])
        values = [
            _json_text(element.get("type")),
            _json_text(element.get("datetime")),
            _json_text(element.get("operation")),
            _json_text(element.get("operation_name")),
            _json_text(location.get("latitude")),
            _json_text(location.get("longitude")),
            _json_text(element.get("gender")),
            _json_text(element.get("age_range")),
            _json_text(element.get("self_defined_ethnicity")),
            _json_text(element.get("officer_defined_ethnicity")),
            _json_text(element.get("legislation")),
            _json_text(element.get("object_of_search")),
            outcome_text,
            _json_text(element.get("outcome_linked_to_object_of_search")),
            _json_text(element.get("removal_of_more_than_outer_clothing")),
        ]
        return index, values, None


Reader = CsvReader | JsonReader | WorkbookReader


def open_reader(
    fh: IO[bytes], source_format: str, *, declared_month: date | None = None, sheet: str | None = None
) -> Reader:
    """A reader for the file, its header already checked (ImportFailed if wrong).

    `declared_month` (the month a data.police.uk file name or --fetch says the file covers) can decide the order of
    dates written with slashes; `sheet` names a workbook's sheet (default: the first).
    """
    kind = container(fh)
    if source_format == SourceFormat.POLICE_UK_JSON:
        if kind == XLSX:
            raise ImportFailed("wrong format: an Excel workbook, not the JSON array data.police.uk's API returns")
        return JsonReader(fh)
    if source_format not in FIELDS:
        raise ImportFailed(f'unknown format "{source_format}"')
    if kind == XLSX:
        return WorkbookReader(fh, source_format, sheet=sheet, declared_month=declared_month)
    if sheet:
        raise ImportFailed(f'a sheet ("{sheet}") can only be chosen in an Excel workbook, and this file is text')
    return CsvReader(fh, source_format, declared_month=declared_month)
