"""What a file is before it is read: a text file or an Excel workbook, and for text its encoding and line ends.

Files that people have opened and saved again arrive in other encodings and with other line ends than
data.police.uk's UTF-8 with CRLF. Everything here is decided for the whole file, from the whole file, before any
row is read, and never guessed (docs/import.md, "Re-saved files"):

- **Encoding.** Strict UTF-8 first (with or without a byte-order mark). If any byte is not UTF-8, the file is one
  of the single-byte Western encodings spreadsheets write, Windows-1252 or Latin-1, which agree on every byte but
  0x80-0x9F: there Windows-1252 has letters and punctuation (€ ‘ ’ “ ” …) and Latin-1 has invisible control
  codes that no text contains, so such bytes mean Windows-1252. The file is refused, asking for UTF-8, when it
  cannot be told: when some of it is valid multi-byte UTF-8 and some is not (UTF-8 damaged, or text in two
  encodings), or when it holds one of the five bytes Windows-1252 leaves undefined (only a control code in
  Latin-1). UTF-16 with a byte-order mark (Excel's "Unicode text") is read too.

  A statistical detector (charset-normalizer, chardet) was not used: it ranks dozens of encodings by likelihood
  and picks one, which is the guess the importer must not make; the rule above is exact for what spreadsheets
  write and says why when it cannot decide.
- **Line ends.** CRLF, LF or a mix are read as they are; a file with carriage returns and no line feed at all
  (old Mac spreadsheets) has CR line ends.
- **Container.** An .xlsx workbook (a ZIP of XML parts) is read by scrutiny.records.importing.workbook; the older and
  other spreadsheet files (.xls, .xlsm, .xlsb, .ods) are refused, saying how to save them instead.

The file must be seekable (uploads and fetched files are); every function leaves it where it found it.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections import deque
from dataclasses import dataclass
from typing import IO, Protocol

from scrutiny.records.importing.errors import ImportFailed

_CHUNK = 1 << 20

TEXT = "text"
XLSX = "xlsx"

_SAVE_AS = "save it as an Excel workbook (.xlsx) or as CSV UTF-8 and import that"


def container(fh: IO[bytes]) -> str:
    """TEXT or XLSX; ImportFailed, saying what to do, for another kind of spreadsheet or a ZIP of something else."""
    start = fh.tell()
    head = fh.read(8)
    fh.seek(start)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ImportFailed(f"unreadable: an Excel 97-2003 workbook (.xls) cannot be imported; {_SAVE_AS}")
    if not head.startswith(b"PK\x03\x04"):
        return TEXT
    try:
        with zipfile.ZipFile(fh) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError, EOFError):
        raise ImportFailed(
            "unreadable: the file starts like a ZIP archive (as an Excel workbook does) but cannot be opened; "
            "it may be damaged or cut short"
        ) from None
    finally:
        fh.seek(start)
    if b"opendocument.spreadsheet" in mimetype:
        raise ImportFailed(f"unreadable: an OpenDocument spreadsheet (.ods) cannot be imported; {_SAVE_AS}")
    if b"sheet.macroEnabled.main+xml" in types:
        raise ImportFailed(
            "unreadable: a macro-enabled Excel workbook (.xlsm) cannot be imported (its macros are not run or "
            f"kept); {_SAVE_AS}"
        )
    if b"sheet.binary.macroEnabled.main" in types:
        raise ImportFailed(f"unreadable: an Excel binary workbook (.xlsb) cannot be imported; {_SAVE_AS}")
    if b"spreadsheetml.sheet.main+xml" in types:
        return XLSX
    if b"spreadsheetml.template.main+xml" in types:
        raise ImportFailed(f"unreadable: an Excel template (.xltx) cannot be imported; {_SAVE_AS}")
    raise ImportFailed(
        "unreadable: a ZIP archive, not a spreadsheet or a CSV file; unzip it and import the CSV files inside"
    )


@dataclass(frozen=True)
class Text:
    """How a text file is encoded and where its lines end."""

    codec: str  # a Python codec name: "utf-8", "cp1252" or "utf-16"
    label: str  # what the batch's notes call it
    bom: bool = False
    newline: str = "\n"  # "\r" for a file whose lines end in CR alone

    @property
    def plain(self) -> bool:
        """True when the raw bytes can be read line by line as they are (UTF-8, lines ending in LF or CRLF)."""
        return self.codec == "utf-8" and self.newline == "\n"

    def notes(self) -> list[str]:
        out: list[str] = []
        if self.codec == "utf-8" and self.bom:
            out.append('The file begins with a UTF-8 byte-order mark (as Excel\'s "CSV UTF-8" writes); it was ignored.')
        elif self.codec != "utf-8":
            out.append(f"The file is not UTF-8: it was read as {self.label}.")
        if self.newline == "\r":
            out.append("Lines end with a carriage return alone (as older Mac spreadsheets write them).")
        return out


UTF8 = Text("utf-8", "UTF-8")

# One well-formed UTF-8 sequence of two to four bytes (no overlong forms, no surrogates, nothing past U+10FFFF).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# The five bytes Windows-1252 leaves undefined; Latin-1 has control codes there.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_C1 = re.compile(rb"[\x80-\x9f]")
_SAVE_UTF8 = 'save it as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)") and import it again'


def text_encoding(fh: IO[bytes]) -> Text:
    """The file's encoding and line ends, from all of it; ImportFailed if its encoding cannot be told."""
    start = fh.tell()
    try:
        head = fh.read(4)
        fh.seek(start)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return _utf16(fh)
        return _utf8_or_western(fh, head.startswith(codecs.BOM_UTF8))
    finally:
        fh.seek(start)


def _newline(has_lf: bool, has_cr: bool) -> str:
    return "\r" if has_cr and not has_lf else "\n"


def _utf8_or_western(fh: IO[bytes], bom: bool) -> Text:
    start = fh.tell()
    decoder = codecs.getincrementaldecoder("utf-8")()
    has_lf = has_cr = False
    valid = True
    while block := fh.read(_CHUNK):
        has_lf = has_lf or b"\n" in block
        has_cr = has_cr or b"\r" in block
        if valid:
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                valid = False
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    newline = _newline(has_lf, has_cr)
    if valid:
        return Text("utf-8", "UTF-8", bom=bom, newline=newline)
    fh.seek(start)
    return _western(fh, newline)


def _western(fh: IO[bytes], newline: str) -> Text:
    """A file that is not UTF-8: Windows-1252, or ImportFailed saying why its encoding cannot be told. Looks at
    every byte again, for the first well-formed multi-byte UTF-8 sequence, the first byte that is not UTF-8, the
    first byte Windows-1252 does not define, and whether any byte is 0x80-0x9F."""
    line = 1
    tail = b""  # the end of the previous block, so that a sequence split between blocks is still seen
    multibyte: int | None = None
    undefined: tuple[int, int] | None = None
    c1 = False
    broken: int | None = None
    decoder = codecs.getincrementaldecoder("utf-8")()
    ending = newline.encode()
    while block := fh.read(_CHUNK):
        if multibyte is None:
            data = tail + block
            if (found := _UTF8_MULTIBYTE.search(data)) is not None:
                # No sequence holds a line end, so one that starts in the tail is on the tail's last line.
                multibyte = line + data[: found.start()].count(ending) - tail.count(ending)
        if undefined is None and (found := _CP1252_UNDEFINED.search(block)) is not None:
            undefined = (line + block[: found.start()].count(ending), block[found.start()])
        c1 = c1 or _C1.search(block) is not None
        if broken is None:
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                broken = line + block[: error.start].count(ending)
        tail = block[-3:]
        line += block.count(ending)
    if broken is None:
        broken = line  # a sequence cut off at the very end
    if multibyte is not None:
        raise ImportFailed(
            f"unreadable: the file mixes UTF-8 text (line {multibyte}) with bytes that are not UTF-8 (line "
            f"{broken}), so its encoding cannot be told; {_SAVE_UTF8}"
        )
    if undefined is not None:
        raise ImportFailed(
            f"unreadable: the file is not UTF-8, and byte 0x{undefined[1]:02X} on line {undefined[0]} is not a "
            f"character in Windows-1252 (in Latin-1 it is an invisible control code), so its encoding cannot be "
            f"told; {_SAVE_UTF8}"
        )
    label = (
        "Windows-1252 (the encoding Excel on Windows saves CSV in)"
        if c1
        else "Windows-1252 (the encoding Excel on Windows saves CSV in; Latin-1 reads this file the same)"
    )
    return Text("cp1252", label, newline=newline)


def _utf16(fh: IO[bytes]) -> Text:
    decoder = codecs.getincrementaldecoder("utf-16")()
    has_lf = has_cr = False
    try:
        while block := fh.read(_CHUNK):
            text = decoder.decode(block)
            has_lf = has_lf or "\n" in text
            has_cr = has_cr or "\r" in text
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportFailed(f"unreadable: the file starts as UTF-16 text but is not; {_SAVE_UTF8}") from None
    return Text("utf-16", 'UTF-16 (Excel\'s "Unicode text")', newline=_newline(has_lf, has_cr))


class LineSource(Protocol):
    """What readers._Lines reads from: a binary file, or Recoded."""

    def readline(self) -> bytes: ...

    def tell(self) -> int: ...


class Recoded:
    """A text file's lines as UTF-8 bytes ending in LF, for one that is not plain UTF-8 with LF or CRLF ends.

    Only `readline` and `tell` (of the file underneath, for progress): what readers._Lines uses. The encoding has
    been checked for the whole file, so decoding is strict and cannot fail on a file that has not changed since.
    """

    def __init__(self, fh: IO[bytes], text: Text) -> None:
        self._fh = fh
        self._decoder = codecs.getincrementaldecoder(text.codec)()
        self._newline = text.newline
        self._lines: deque[bytes] = deque()
        self._rest = ""
        self._eof = False

    def readline(self) -> bytes:
        while not self._lines:
            if self._eof:
                return b""
            block = self._fh.read(1 << 16)
            text = self._rest + self._decoder.decode(block, final=not block)
            if not block:
                self._eof = True
                self._rest = ""
                if text:
                    self._lines.append(text.encode())
                continue
            parts = text.split(self._newline)
            self._rest = parts.pop()
            self._lines.extend((part + "\n").encode() for part in parts)
        return self._lines.popleft()

    def tell(self) -> int:
        return self._fh.tell()


def count_rows(fh: IO[bytes]) -> int | None:
    """Roughly how many records a file holds, for progress (None if it cannot be told cheaply); leaves fh where
    it was. Text: its lines less the header. A workbook: its first sheet's rows less the header, when the sheet
    says how many it has."""
    start = fh.tell()
    try:
        if container(fh) == XLSX:
            from scrutiny.records.importing.workbook import sheet_rows

            rows = sheet_rows(fh)
            return None if rows is None else max(rows - 1, 0)
        lf = cr = 0
        while block := fh.read(_CHUNK):
            lf += block.count(b"\n")
            cr += block.count(b"\r")
        return max((lf or cr) - 1, 0)
    except ImportFailed:
        return None
    finally:
        fh.seek(start)
