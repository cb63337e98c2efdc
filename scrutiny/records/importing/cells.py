"""A record's date and place as files write them: the data.police.uk form and the forms re-saved files take
(slashes, local times, Excel's serial numbers are the readers'), each read to one UTC moment and the month it
falls in; coordinates to 6 decimal places. Pure: no database. Used by the normalisers and the hot loop."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from scrutiny.records.importing import slashdates

LONDON = ZoneInfo("Europe/London")
_EARLIEST_YEAR = 2000


# --- dates ---------------------------------------------------------------------------------------------------

FAST_UTC = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\+00:00")


class DateError(ValueError):
    pass


_NOT_A_DATE = "is not a date and time (expected e.g. 2025-06-01T14:30:00+01:00)"
_OUT_OF_RANGE = f"is outside the years covered ({_EARLIEST_YEAR} to now)"


class Dates:
    """Parses dates and works out each record's month, with caches for the common data.police.uk form.

    The month is the Europe/London month of the time. When the source says which month it covers (a
    data.police.uk file name, or --fetch) and the time, read either as local time or as written, falls in that
    month, the source's month wins: Merseyside writes local times with a +00:00 offset, so without this its
    searches in the last hour of a summer month would move into the next month, unlike data.police.uk's own
    monthly counts.
    """

    def __init__(self, *, declared_month: date | None, today: date) -> None:
        self.declared = declared_month
        self.latest = datetime.combine(today + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
        self._hour: dict[str, str] = {}
        self.local = 0  # dates read as UK local time because they had no offset
        self.local_example = ""

    @property
    def notes(self) -> list[str]:
        if not self.local:
            return []
        return [
            f"{self.local:,} dates had no offset from UTC (as spreadsheets write dates back): they were read as UK "
            f"local time (Europe/London), so {self.local_example}."
        ]

    def _month(self, local: datetime, written: datetime) -> str:
        month = date(local.year, local.month, 1)
        if (
            self.declared is not None
            and month != self.declared
            and date(written.year, written.month, 1) == self.declared
        ):
            month = self.declared
        return month.isoformat()

    def resolve(self, raw: str, column: str) -> tuple[str, str]:
        """(UTC time as "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00", month as "YYYY-MM-01"), or DateError."""
        if len(raw) == 25 and FAST_UTC.fullmatch(raw):
            key = raw[:13]
            if key in self._hour:
                cached = self._hour[key]
            else:
                cached = self._hour_of(raw)
                if len(self._hour) < 100_000:
                    self._hour[key] = cached
            if cached[0] == "!":
                raise DateError(f'{column}: "{raw}" {cached[1:]}')
            return raw, cached
        moment, written = self._parse(raw.strip(), column)
        utc = moment.astimezone(UTC)
        if utc > self.latest or utc.year < _EARLIEST_YEAR:
            raise DateError(f'{column}: "{raw}" {_OUT_OF_RANGE}')
        text = utc.strftime("%Y-%m-%dT%H:%M:%S")
        if utc.microsecond:
            text += f".{utc.microsecond:06d}"
        text += "+00:00"
        return text, self._month(moment.astimezone(LONDON), written)

    def _hour_of(self, raw: str) -> str:
        """The month ("YYYY-MM-01") of a time in the common form, or "!" and why it is not valid."""
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return "!" + _NOT_A_DATE
        if moment > self.latest or moment.year < _EARLIEST_YEAR:
            return "!" + _OUT_OF_RANGE
        return self._month(moment.astimezone(LONDON), moment)

    def _parse(self, raw: str, column: str) -> tuple[datetime, datetime]:
        if not raw:
            raise DateError(f"{column}: a value is required but the cell is blank")
        text = raw
        if "/" in raw:
            # Files have their slash dates rewritten by the reader, in the order decided for the whole file
            # (slashdates.py); one reaching here was typed alone (a correction) and is read as GOV.UK writes dates.
            text = slashdates.rewrite(raw, slashdates.DAY_FIRST) or raw
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise DateError(f'{column}: "{raw}" {_NOT_A_DATE}') from None
        if parsed.tzinfo is not None:
            return parsed, parsed
        # A time without an offset is England and Wales local time, which is not one instant for the hour the
        # clocks go back and none for the hour they go forward: those are rejected rather than guessed.
        aware = parsed.replace(tzinfo=LONDON)
        if aware.utcoffset() != parsed.replace(tzinfo=LONDON, fold=1).utcoffset():
            if aware.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) == parsed:
                raise DateError(
                    f'{column}: "{raw}" happened twice in UK time (the clocks went back an hour that night), so it '
                    f"could be either; write it with its offset from UTC: {parsed:%Y-%m-%dT%H:%M:%S}+01:00 for the "
                    "first, +00:00 for the second"
                )
            raise DateError(
                f'{column}: "{raw}" did not happen in UK time (the clocks went forward an hour that night); check '
                "the time and write it with its offset from UTC"
            )
        self.local += 1
        if not self.local_example:
            self.local_example = f"{parsed.isoformat(sep=' ')} is {aware.astimezone(UTC).isoformat()}"
        return aware, aware


# --- coordinates --------------------------------------------------------------------------------------------

COORD_EXACT = re.compile(r"-?\d{1,3}\.\d{6}")
# Decimal degrees in any way a spreadsheet or a dataframe writes them: fewer places (53.19), more (floating point,
# 51.480216999999996), exponent form (pandas writes -1.2e-05 for a longitude near Greenwich).
_COORD = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,2})?")
_SIX_PLACES = Decimal("0.000001")
# How far from a 6-place value a number may be and still be that value written as floating point. A double near
# 180 is off by at most 3e-14, so this leaves room for a few rounding steps and none for a real seventh place.
_FLOAT_NOISE = Decimal("1e-9")
ROUNDED = "rounded"  # more places than 6, within float noise of a 6-place value
PADDED = "padded"  # fewer places than 6 (or exponent form): the same value, written out to 6 places


def coordinate(
    raw: str, column: str, limit: int, reasons: list[str], seen: list[tuple[str, str]] | None = None
) -> str | None:
    """The coordinate with data.police.uk's 6 decimal places, or None (with the reason added) if it is not one.

    `seen`, if given, gets (ROUNDED or PADDED, the value as written) for a value not already written with 6 places.
    """
    raw = raw.strip()
    if not raw:
        return None
    if not COORD_EXACT.fullmatch(raw):
        if not _COORD.fullmatch(raw):
            reasons.append(f'{column}: "{raw}" is not a coordinate in decimal degrees (e.g. 53.190012)')
            return None
        try:
            value = Decimal(raw)
            six = value.quantize(_SIX_PLACES)
        except InvalidOperation:
            reasons.append(f'{column}: "{raw}" is not a number')
            return None
        if value != six:
            if abs(value - six) > _FLOAT_NOISE:
                reasons.append(
                    f'{column}: "{raw}" has more than 6 decimal places and is not a 6-place value written as '
                    "floating point (data.police.uk publishes 6 places); round it to 6 places if that is what it "
                    "means"
                )
                return None
            kind = ROUNDED
        else:
            kind = PADDED
        if seen is not None:
            seen.append((kind, raw))
        raw = str(six)
    if abs(float(raw)) > limit:
        reasons.append(f'{column}: "{raw}" is out of range')
        return None
    return raw
