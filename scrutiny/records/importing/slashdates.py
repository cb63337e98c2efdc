"""Dates written with slashes, as spreadsheets write them back: day first in the UK (`01/06/2016 00:03`), month
first in the US (`6/1/2016 0:03`, `06/01/16 12:03 AM`).

Which part is the day is decided once for the whole file, from every date in its Date column (a first pass,
readers.Layout), never row by row and never guessed (docs/import.md, "Dates"):

- a date whose first part is over 12 can only be day first, one whose second part is over 12 only month first;
  a file with both is refused;
- a file with neither is read in the one order that puts every date in or next to the month the file covers (its
  data.police.uk name, or the month fetched), if exactly one order does; otherwise it is refused, saying how to
  write the dates instead.

A date rewritten here has no offset, so the normaliser reads it as UK local time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from scrutiny.records.importing.errors import ImportFailed

DAY_FIRST = "day first"
MONTH_FIRST = "month first"
_PATTERN = {DAY_FIRST: "dd/mm/yyyy", MONTH_FIRST: "mm/dd/yyyy"}

SLASH_DATE = re.compile(
    r"\s*(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?(?:\s*([AaPp])\.?[Mm]\.?)?)?\s*"
)

_HOW_TO_FIX = "save the dates as YYYY-MM-DD HH:MM:SS (e.g. 2016-06-01 00:03:00) and import the file again"


def rewrite(raw: str, order: str) -> str | None:
    """The date as "YYYY-MM-DD HH:MM:SS[.ffffff]", read in `order`, or None if it is not a date in that order.

    Two-digit years are 20yy: the importer takes nothing before 2000, so no other century is possible.
    """
    match = SLASH_DATE.fullmatch(raw)
    if match is None:
        return None
    first, second = int(match[1]), int(match[2])
    day, month = (first, second) if order == DAY_FIRST else (second, first)
    year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
    hour, minute, second_ = int(match[4] or 0), int(match[5] or 0), int(match[6] or 0)
    micro = int((match[7] or "0").ljust(6, "0"))
    if match[8]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[8] in "Pp" else 0)
    try:
        moment = datetime(year, month, day, hour, minute, second_, micro)
    except ValueError:
        return None
    return moment.isoformat(sep=" ")


def _parts(raw: str) -> tuple[int, int, int] | None:
    match = SLASH_DATE.fullmatch(raw)
    if match is None:
        return None
    return int(match[1]), int(match[2]), int(match[3]) + (2000 if len(match[3]) == 2 else 0)


@dataclass
class Evidence:
    """What a file's slash dates say about their order, gathered in one pass over its Date column."""

    day_first: tuple[int, str] | None = None  # (line, date) of the first that can only be day first
    month_first: tuple[int, str] | None = None
    # Dates either order could read, as (first part, second part, year), and the first that reads differently.
    either: set[tuple[int, int, int]] = field(default_factory=set)
    differs: tuple[int, str] | None = None
    count: int = 0

    def add(self, raw: str, line: int) -> None:
        parts = _parts(raw)
        if parts is None:
            return
        self.count += 1
        first, second, _year = parts
        if first > 12:
            if self.day_first is None:
                self.day_first = (line, raw.strip())
        elif second > 12:
            if self.month_first is None:
                self.month_first = (line, raw.strip())
        else:
            self.either.add(parts)  # at most 144 a year
            if first != second and self.differs is None:
                self.differs = (line, raw.strip())


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _near(parts: tuple[int, int, int], order: str, declared: date) -> bool:
    first, second, year = parts
    day, month = (first, second) if order == DAY_FIRST else (second, first)
    try:
        date(year, month, day)
    except ValueError:
        return False
    return abs(_month_index(year, month) - _month_index(declared.year, declared.month)) <= 1


def decide(evidence: Evidence, declared: date | None) -> tuple[str, str]:
    """(order, the note that says how it was decided), or ImportFailed saying what to do."""
    if evidence.day_first and evidence.month_first:
        (l1, d1), (l2, d2) = evidence.day_first, evidence.month_first
        raise ImportFailed(
            f'ambiguous dates: line {l1} has "{d1}", which can only be day first, and line {l2} has "{d2}", '
            f"which can only be month first; {_HOW_TO_FIX}"
        )
    for order, found in ((DAY_FIRST, evidence.day_first), (MONTH_FIRST, evidence.month_first)):
        if found is not None:
            return order, (
                f"Dates written with slashes were read {order} ({_PATTERN[order]}): "
                f'"{found[1]}" on line {found[0]} can only be read that way.'
            )
    if evidence.differs is None:
        return DAY_FIRST, ""  # every slash date reads the same either way (06/06/2016): nothing to decide
    line, example = evidence.differs
    if declared is not None:
        fits = [o for o in (DAY_FIRST, MONTH_FIRST) if all(_near(p, o, declared) for p in evidence.either)]
        month = declared.strftime("%B %Y")
        if len(fits) == 1:
            return fits[0], (
                f'Dates written with slashes (e.g. "{example}" on line {line}) could be read day first or month '
                f"first; they were read {fits[0]} ({_PATTERN[fits[0]]}), the only order that puts every date in "
                f"or next to {month}, the month the file covers."
            )
        why = (
            f"read either way, every date falls in or next to {month}, the month the file covers"
            if fits
            else f"neither order puts every date in or next to {month}, the month the file covers"
        )
        raise ImportFailed(
            f'ambiguous dates: dates such as "{example}" (line {line}) could be day first or month first, and '
            f"nothing in the file tells which ({why}); {_HOW_TO_FIX}"
        )
    raise ImportFailed(
        f'ambiguous dates: dates such as "{example}" (line {line}) could be day first or month first, and nothing '
        f"in the file tells which; {_HOW_TO_FIX}, or name the file as data.police.uk does "
        "(YYYY-MM-<force>-stop-and-search.csv) so that the month it covers decides"
    )
