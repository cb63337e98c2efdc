"""Re-saved copies of real data.police.uk files, built the way people make them: pandas' to_csv with its index,
Excel's CSV (byte-order mark, CRLF, semicolons, day-first dates, TRUE/FALSE, trailing zeros dropped), Windows-1252
text, Excel's "Unicode text", old Mac line ends, and .xlsx workbooks through openpyxl and pandas.

Each takes the original file's rows (header first, as the csv module reads them) and returns the bytes of the
copy. None changes a search: every date is written for the same instant, every coordinate for the same 6-place
value, so the importer must read the same records from it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.conf import settings
from openpyxl import Workbook

LONDON = ZoneInfo("Europe/London")
REPO_DATA = Path(settings.BASE_DIR) / "data" / "police-uk"
JUNE = REPO_DATA / "2025-06-cheshire-stop-and-search.csv"

Rows = list[list[str]]
Variant = Callable[[Rows], bytes]

# Columns of a data.police.uk file.
DATE, PART_OF_OPERATION, OPERATION, LAT, LNG = 1, 2, 3, 4, 5
YES_NO_COLUMNS = (2, 13, 14)
# Accented place names as panels' analysts type them into the free-text operation column, all in Windows-1252.
ACCENTED = ["Opération Café Crème", "Ynys Môn Ymgyrch", "Pen-y-ffordd – Fête", "Señor Ñandú", "Zoë’s Ørsted"]


def read_rows(path: Path = JUNE) -> Rows:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return [row for row in csv.reader(fh) if row]


def csv_bytes(
    rows: Sequence[Sequence[str]], *, delimiter: str = ",", end: str = "\r\n", encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator=end).writerows(rows)
    return out.getvalue().encode(encoding)


def with_operations(rows: Rows) -> Rows:
    """The rows with accented operation names on every third row (and "True" in Part of a policing operation)."""
    out = [list(rows[0])]
    for i, row in enumerate(rows[1:]):
        row = list(row)
        if i % 3 == 0:
            row[OPERATION] = ACCENTED[i // 3 % len(ACCENTED)]
            row[PART_OF_OPERATION] = "True"
        out.append(row)
    return out


def local(iso: str) -> datetime:
    """A published time (ISO 8601 with its offset) as UK local time without an offset, as a spreadsheet shows it."""
    return datetime.fromisoformat(iso).astimezone(LONDON).replace(tzinfo=None)


def six_places_dropped(value: str) -> str:
    """53.190010 as Excel writes it back: 53.19001."""
    return value.rstrip("0").rstrip(".") if "." in value else value


def pandas_to_csv(rows: Rows) -> bytes:
    """pandas read_csv then to_csv with its index, LF line ends; coordinates nudged by a unit in the last place on
    every other row, as older pandas parsers and any arithmetic leave them (51.480216999999996 for 51.480217)."""
    frame = pd.read_csv(io.BytesIO(csv_bytes(rows)))
    noisy = np.arange(len(frame)) % 2 == 0
    for column in ("Latitude", "Longitude"):
        values = frame[column].to_numpy(dtype=float)
        frame[column] = np.where(noisy, np.nextafter(values, np.inf), values)
    return frame.to_csv().encode()


def excel_csv(rows: Rows) -> bytes:
    """Excel's "CSV UTF-8" where the comma is the decimal mark: a BOM, semicolons, CRLF, day-first dates in UK
    local time, TRUE/FALSE, trailing zeros dropped from coordinates."""
    out = [rows[0]]
    for row in rows[1:]:
        row = list(row)
        row[DATE] = local(row[DATE]).strftime("%d/%m/%Y %H:%M:%S")
        row[LAT], row[LNG] = six_places_dropped(row[LAT]), six_places_dropped(row[LNG])
        for c in YES_NO_COLUMNS:
            row[c] = row[c].upper()
        out.append(row)
    return b"\xef\xbb\xbf" + csv_bytes(out, delimiter=";")


def windows_1252(rows: Rows) -> bytes:
    """The same text saved in Windows-1252, with LF line ends and dates as "YYYY-MM-DD HH:MM:SS" in UK time."""
    out = [rows[0]]
    for row in rows[1:]:
        row = list(row)
        row[DATE] = local(row[DATE]).isoformat(sep=" ")
        out.append(row)
    return csv_bytes(out, end="\n", encoding="cp1252")


def unicode_text(rows: Rows) -> bytes:
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-delimited, CRLF."""
    return csv_bytes(rows, delimiter="\t", encoding="utf-16")


def mac_csv(rows: Rows) -> bytes:
    """Old Mac Excel's CSV: lines ending in CR alone, month-first dates as "m/d/yyyy h:mm:ss AM/PM"."""
    out = [rows[0]]
    for row in rows[1:]:
        row = list(row)
        moment = local(row[DATE])
        hour = moment.hour % 12 or 12
        suffix = "AM" if moment.hour < 12 else "PM"
        row[DATE] = f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment:%M:%S} {suffix}"
        out.append(row)
    return csv_bytes(out, end="\r")


def _typed(row: Sequence[str]) -> list[object]:
    """A data.police.uk row as typed cells: the date a date-time in UK time, coordinates numbers, yes/no booleans."""
    cells: list[object] = list(row)
    cells[DATE] = local(row[DATE])
    for c in (LAT, LNG):
        cells[c] = float(row[c]) if row[c] else None
    for c in YES_NO_COLUMNS:
        cells[c] = {"True": True, "False": False}.get(row[c], row[c] or None)
    return [None if cell == "" else cell for cell in cells]


def openpyxl_xlsx(rows: Rows, *, serial_dates: bool = False, sheet: str = "Stop and search") -> bytes:
    """An .xlsx with typed cells, written by openpyxl (write-only), after a first sheet of notes when the sheet is
    not the first. `serial_dates` stores the dates as plain numbers (Excel serial dates, format lost)."""
    book = Workbook(write_only=True)
    if sheet != "Stop and search":
        book.create_sheet("About").append(["Exported for the panel"])
    data = book.create_sheet(sheet)
    data.append(rows[0])
    for row in rows[1:]:
        cells = _typed(row)
        if serial_dates:
            moment = cells[DATE]
            assert isinstance(moment, datetime)
            cells[DATE] = (moment - datetime(1899, 12, 30)).total_seconds() / 86400
        data.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pandas_xlsx(rows: Rows) -> bytes:
    """pandas' to_excel with its index (openpyxl underneath), the dates as date-times in UK time."""
    frame = pd.read_csv(io.BytesIO(csv_bytes(rows)))
    frame["Date"] = [local(d) for d in frame["Date"]]
    out = io.BytesIO()
    frame.to_excel(out)
    return out.getvalue()


def force_extract_xlsx(path: Path) -> bytes:
    """A force-extract or use-of-force CSV as an .xlsx of text cells, each cell as the CSV has it."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Extract")
    for row in rows:
        sheet.append([cell if cell else None for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def excel_xlsx(rows: Rows, *, inline: dict[int, str] | None = None) -> bytes:
    """An .xlsx laid out as Excel writes one (openpyxl writes none like it): text in a shared-strings table, a
    <dimension>, dates as serial numbers with a date style, booleans as boolean cells, the first heading as rich
    text in runs. `inline` puts raw <is> XML in column 0 of the given data rows (rich text with a phonetic guide)."""
    from xml.sax.saxutils import escape

    strings: dict[str, int] = {}

    def shared(text: str) -> int:
        return strings.setdefault(text, len(strings))

    shared(rows[0][0])  # the rich-text heading below is string 0
    body: list[str] = []
    for r, row in enumerate(rows, start=1):
        cells: list[str] = []
        for c, value in enumerate(row):
            ref = f"{_column(c)}{r}"
            if r > 1 and inline and (r - 2) in inline and c == 0:
                cells.append(f'<c r="{ref}" t="inlineStr">{inline[r - 2]}</c>')
            elif value == "":
                continue
            elif r > 1 and c == DATE:
                serial = (local(value) - datetime(1899, 12, 30)).total_seconds() / 86400
                cells.append(f'<c r="{ref}" s="1"><v>{serial!r}</v></c>')
            elif r > 1 and c in (LAT, LNG):
                cells.append(f'<c r="{ref}"><v>{float(value)!r}</v></c>')
            elif r > 1 and c in YES_NO_COLUMNS and value in ("True", "False"):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value == "True")}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="s"><v>{shared(value)}</v></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    last = f"{_column(len(rows[0]) - 1)}{len(rows)}"
    sheet = f'<worksheet xmlns="{_MAIN}"><dimension ref="A1:{last}"/><sheetData>{"".join(body)}</sheetData></worksheet>'
    first, *others = sorted(strings, key=strings.__getitem__)
    items = [f"<si><r><t>{escape(first[:2])}</t></r><r><rPr><b/></rPr><t>{escape(first[2:])}</t></r></si>"]
    items += [f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in others]
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Target="xl/workbook.xml" '
            f'Type="{_REL}/officeDocument"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="Stop and search" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{_MAIN}" count="{len(items)}" uniqueCount="{len(items)}">{"".join(items)}</sst>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml)
    return out.getvalue()
