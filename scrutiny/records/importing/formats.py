"""The four source formats: their columns, how to tell them apart, and what a file name says.

Each format lists its fields in a fixed canonical order; readers hand the normaliser one string per field in
that order, whatever order the file's columns were in. Header names are matched like vocabulary values
(case, spacing and dashes do not matter) and may use the aliases below (docs/force-extract.md).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from common import months as common_months
from scrutiny.choices import SourceFormat
from scrutiny.records.importing.errors import ImportFailed
from scrutiny.vocab import normalise_key


@dataclass(frozen=True)
class Field:
    name: str  # canonical field name, used by the normaliser
    label: str  # the template's column heading, used in messages and rejected-row values
    aliases: tuple[str, ...] = ()
    required: bool = False
    # Cells that must never be stored as read (officer identifiers, references, free text).
    sensitive: bool = False


POLICE_UK_FIELDS: tuple[Field, ...] = (
    Field("type", "Type", required=True),
    Field("datetime", "Date", required=True),
    Field("operation", "Part of a policing operation", required=True),
    Field("operation_name", "Policing operation", required=True),
    Field("latitude", "Latitude", required=True),
    Field("longitude", "Longitude", required=True),
    Field("gender", "Gender", required=True),
    Field("age_range", "Age range", required=True),
    Field("self_defined_ethnicity", "Self-defined ethnicity", required=True),
    Field("officer_defined_ethnicity", "Officer-defined ethnicity", required=True),
    Field("legislation", "Legislation", required=True),
    Field("object_of_search", "Object of search", required=True),
    Field("outcome", "Outcome", required=True),
    Field("outcome_linked", "Outcome linked to object of search", required=True),
    Field("removal", "Removal of more than just outer clothing", required=True),
)

# The API's field names, in the same canonical order.
POLICE_UK_JSON_LABELS: tuple[str, ...] = (
    "type",
    "datetime",
    "operation",
    "operation_name",
    "location.latitude",
    "location.longitude",
    "gender",
    "age_range",
    "self_defined_ethnicity",
    "officer_defined_ethnicity",
    "legislation",
    "object_of_search",
    "outcome",
    "outcome_linked_to_object_of_search",
    "removal_of_more_than_outer_clothing",
)

EXTRACT_ONLY_FIELDS: tuple[Field, ...] = (
    Field("grounds", "Grounds", ("Grounds for search", "Recorded grounds", "Grounds text"), sensitive=True),
    Field("body_worn_video", "Body-worn video", ("BWV", "Body worn video recorded", "BWV recorded")),
    Field("supervisor_signed_off", "Supervisor signed off", ("Supervisor sign-off", "Supervisor sign off")),
    Field("initiation", "Initiation", ("Self-generated or dispatched", "Self generated or dispatched")),
    Field(
        "officer_id",
        "Officer identifier",
        ("Officer ID", "Officer", "Officer number", "Collar number", "Warrant number"),
        sensitive=True,
    ),
    Field(
        "force_reference",
        "Force reference",
        ("Force reference number", "Reference", "Search reference", "Record reference", "Occurrence number"),
        sensitive=True,
    ),
)

FORCE_EXTRACT_FIELDS: tuple[Field, ...] = (
    *(
        Field(f.name, f.label, required=f.name in ("type", "datetime"), sensitive=f.name == "operation_name")
        for f in POLICE_UK_FIELDS
    ),
    *EXTRACT_ONLY_FIELDS,
)

USE_OF_FORCE_FIELDS: tuple[Field, ...] = (
    Field("datetime", "Date", ("Date and time", "Incident date"), required=True),
    Field("latitude", "Latitude"),
    Field("longitude", "Longitude"),
    Field("gender", "Gender", ("Subject gender",)),
    Field("subject_age", "Subject age", ("Age", "Subject age band")),
    Field("self_defined_ethnicity", "Self-defined ethnicity"),
    Field("officer_defined_ethnicity", "Perceived ethnicity", ("Officer-defined ethnicity", "Subject ethnicity")),
    Field("tactics", "Tactics", ("Tactics used",), required=True),
    Field("impact_factors", "Impact factors"),
    Field("reasons", "Reasons", ("Reasons for use of force",)),
    Field("subject_injured", "Subject injured"),
    Field("subject_injury", "Subject injury", ("Subject injury severity",)),
    Field("officer_injured", "Officer injured"),
    Field("outcome", "Outcome"),
    Field("officer_id", "Officer identifier", EXTRACT_ONLY_FIELDS[4].aliases, sensitive=True),
    Field("force_reference", "Force reference", EXTRACT_ONLY_FIELDS[5].aliases, sensitive=True),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    SourceFormat.POLICE_UK_CSV: POLICE_UK_FIELDS,
    SourceFormat.FORCE_EXTRACT: FORCE_EXTRACT_FIELDS,
    SourceFormat.USE_OF_FORCE: USE_OF_FORCE_FIELDS,
}


def column_parts(source_format: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[bool, ...]]:
    """A tabular format's columns as its readers give them: field names, headings and which are sensitive, in the
    format's order."""
    fields = FIELDS[source_format]
    return tuple(f.name for f in fields), tuple(f.label for f in fields), tuple(f.sensitive for f in fields)


def column_labels(source_format: str) -> tuple[str, ...]:
    """The source's column headings, in the canonical order of its fields (the order rejected rows keep values)."""
    if source_format == SourceFormat.POLICE_UK_JSON:
        return POLICE_UK_JSON_LABELS
    return tuple(f.label for f in FIELDS.get(source_format, ()))


def _heading_key(value: str) -> str:
    return normalise_key(value.lstrip("\ufeff"))


def _spellings(source_format: str) -> dict[str, int]:
    spellings: dict[str, int] = {}
    for i, f in enumerate(FIELDS[source_format]):
        for spelling in (f.label, *f.aliases):
            spellings[_heading_key(spelling)] = i
    return spellings


# Every heading any CSV format knows, for telling a file's delimiter from its header.
_ALL_HEADINGS: frozenset[str] = frozenset(key for fmt in FIELDS for key in _spellings(fmt))

# pandas names an unnamed column "Unnamed: 0" when it reads a file, and "Unnamed: 0.1" for a second of the name.
_UNNAMED = re.compile(r"unnamed:\d+(?:\.\d+)?")


def is_index_heading(heading: str) -> bool:
    """A heading a row-index column has: blank (pandas' to_csv, to_excel) or "Unnamed: 0" (pandas, re-saved)."""
    key = _heading_key(heading)
    return not key or _UNNAMED.fullmatch(key) is not None


def leading_index_columns(header: Sequence[str]) -> int:
    """How many columns at the start of the header look like row indexes (blank or "Unnamed: N" headings) and
    are followed by a named column. Their values decide whether they are (readers.Layout checks them)."""
    count = 0
    while count < len(header) - 1 and is_index_heading(header[count]):
        count += 1
    if not any(_heading_key(h) for h in header[count:]):
        return 0
    return count


DELIMITERS: dict[str, str] = {",": "commas", ";": "semicolons", "\t": "tabs"}


def split_header(line: str, source_format: str | None = None) -> tuple[list[str], str]:
    """The header line's headings and the delimiter that splits it into them.

    The delimiter is the one of comma, semicolon and tab that splits the line into headings the format (or any
    format, if not given) knows, leaving aside leading row-index columns. If none does, the one that gives the
    most known headings (at least two), so the error names the unknown ones; failing that, the comma. If two
    delimiters split it into different sets of known headings, the file is refused: that would be a guess.
    """
    known = frozenset(_spellings(source_format)) if source_format in FIELDS else _ALL_HEADINGS
    tried: list[tuple[bool, int, str, list[str]]] = []
    for delimiter in DELIMITERS:
        cells = next(csv.reader([line], delimiter=delimiter), [])
        named = [k for k in (_heading_key(c) for c in cells[leading_index_columns(cells) :]) if k]
        hits = sum(k in known for k in named)
        tried.append((hits >= 2 and hits == len(named), hits, delimiter, cells))
    whole = [t for t in tried if t[0]]
    if len({tuple(t[3]) for t in whole}) > 1:
        raise ImportFailed(
            "wrong header: the header line splits into known headings on "
            + " and on ".join(DELIMITERS[t[2]] for t in whole)
            + "; save the file with one delimiter (commas) and import it again"
        )
    if whole:
        return whole[0][3], whole[0][2]
    best = max(tried, key=lambda t: t[1])  # the first of equals: the comma before the others
    if best[1] >= 2:
        return best[3], best[2]
    return tried[0][3], ","


def map_header(source_format: str, header: list[str], *, first: int = 0) -> list[int]:
    """For each of the format's fields, the index of its column in the header (-1 if absent), from column `first`
    on (the columns before it are row indexes).

    Raises ImportFailed (wrong header) for a missing required column, an unknown column or a repeated one.
    """
    fields = FIELDS[source_format]
    spellings = _spellings(source_format)
    positions = [-1] * len(fields)
    unknown: list[str] = []
    for col, heading in enumerate(header):
        if col < first:
            continue
        key = _heading_key(heading)
        if not key:
            if any(cell.strip() for cell in header[col:]):
                unknown.append(f"(blank heading in column {col + 1})")
            continue
        i = spellings.get(key, -1)
        if i < 0:
            unknown.append(heading.strip())
        elif positions[i] >= 0:
            raise ImportFailed(f'wrong header: column "{heading.strip()}" appears twice')
        else:
            positions[i] = col
    if unknown:
        raise ImportFailed(
            f"wrong header for {SourceFormat(source_format).label}: unknown column(s) "
            + ", ".join(f'"{u}"' for u in unknown)
            + f"; expected {', '.join(f.label for f in fields)}"
        )
    missing = [f.label for f, p in zip(fields, positions, strict=True) if p < 0 and f.required]
    if missing:
        raise ImportFailed(
            f"wrong header for {SourceFormat(source_format).label}: missing column(s) "
            + ", ".join(f'"{m}"' for m in missing)
        )
    return positions


# A first line "sep=;" tells Excel which delimiter a CSV uses; some tools write one.
SEP_LINE = re.compile(r'"?sep=(.)"?[,;\t]*', re.IGNORECASE)


def _head_text(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")


def detect_format(head: bytes) -> str:
    """The format of a file from its first bytes (at least the first line). Raises ImportFailed if none fits."""
    text = _head_text(head).lstrip("\ufeff \t\r\n")
    if re.match(r"\[\s*(?:\{|\]|$)", text):
        return SourceFormat.POLICE_UK_JSON
    if text.startswith("{"):
        raise ImportFailed("wrong format: a JSON object, not the array data.police.uk's /api/stops-force returns")
    lines = re.split(r"\r\n|\r|\n", text, maxsplit=2)
    first_line = lines[0]
    if SEP_LINE.fullmatch(first_line) and len(lines) > 1:
        first_line = lines[1]
    header, _ = split_header(first_line)
    return format_of_header(header)


def format_of_header(header: Sequence[str]) -> str:
    """The CSV format whose headings these are (a text file's first line or a workbook's first row)."""
    keys = {_heading_key(h) for h in header if h.strip()}
    if not keys:
        raise ImportFailed("wrong header: the file is empty or its first line is blank")
    if "tactics" in keys or "tactics used" in keys:
        return SourceFormat.USE_OF_FORCE
    extract_keys = {_heading_key(s) for f in EXTRACT_ONLY_FIELDS for s in (f.label, *f.aliases)}
    if keys & extract_keys:
        return SourceFormat.FORCE_EXTRACT
    police_uk_keys = {_heading_key(f.label) for f in POLICE_UK_FIELDS}
    # Most of data.police.uk's headings: call it that, so a stray or misspelt column is named in the error.
    if {"type", "date"} <= keys and len(keys & police_uk_keys) >= len(police_uk_keys) - 3:
        return SourceFormat.POLICE_UK_CSV
    shown = ", ".join(h.strip() for h in header[:6]) + (", ..." if len(header) > 6 else "")
    raise ImportFailed(
        f"wrong header: cannot tell the format from the first line ({shown}); "
        "expected a data.police.uk stop-and-search header, a force extract or a use-of-force extract"
    )


_POLICE_UK_NAME = re.compile(
    rf"^(?P<month>{common_months.MONTH.pattern})-(?P<force>[a-z0-9]+(?:-[a-z0-9]+)*?)"
    r"-(?:stop-and-search|stops-force)(?:\s*\(\d+\))?\.(?:csv|json|xlsx)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NameInfo:
    force: str
    month: date


def parse_file_name(name: str) -> NameInfo | None:
    """data.police.uk's names: "2016-06-metropolitan-stop-and-search.csv" → (metropolitan, June 2016)."""
    base = re.split(r"[\\/]", name)[-1]
    match = _POLICE_UK_NAME.match(base)
    month = common_months.parse_month(match["month"]) if match else None
    if match is None or month is None:
        return None
    return NameInfo(force=match["force"].lower(), month=month)


def parse_month(value: str) -> date:
    """ "2025-06" → 1 June 2025 (for --fetch); ImportFailed for anything else."""
    month = common_months.parse_month(value)
    if month is None:
        raise ImportFailed(f'month must be written YYYY-MM, e.g. 2025-06, not "{value}"')
    return month
