"""Calendar quarters, as the pack's URL writes them: "2025-Q3" is July to September 2025."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from common.months import add_months

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
FIRST_YEAR = 2000  # data.police.uk starts in 2010: anything earlier than this is a typing slip


class QuarterError(ValueError):
    """A quarter that cannot make a pack, with a message for the person who asked for it."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @classmethod
    def of_day(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def latest_whole(cls, today: date) -> Quarter:
        """The last quarter that has ended by `today`."""
        return cls.of_day(today).previous()

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def first_month(self) -> date:
        return date(self.year, 3 * (self.number - 1) + 1, 1)

    @property
    def last_month(self) -> date:
        return date(self.year, 3 * self.number, 1)

    @property
    def first_day(self) -> date:
        return self.first_month

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def months_back(self, count: int) -> date:
        """The first day of the month `count - 1` months before the quarter's last month (12: a year ending with it)."""
        return add_months(self.last_month, 1 - count)

    def bounds(self) -> tuple[datetime, datetime]:
        """The quarter as aware datetimes in UK time: from its first midnight to the next quarter's (exclusive)."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.first_day, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(self.next().first_day, datetime.min.time(), tzinfo=zone)
        return start, end

    @property
    def slug(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.first_month:%B} to {self.last_month:%B %Y}"

    def __str__(self) -> str:
        return self.slug


def parse_quarter(text: str, *, today: date) -> Quarter:
    """A "YYYY-Qn" quarter that has started by `today`; QuarterError saying what is wrong otherwise."""
    match = _QUARTER.match(str(text or "").strip())
    if not match:
        raise QuarterError(f'"{text}" is not a quarter: write the year, a dash, Q and 1 to 4, e.g. 2025-Q3.')
    quarter = Quarter(int(match[1]), int(match[2]))
    if quarter.year < FIRST_YEAR:
        raise QuarterError(f"{quarter.slug} is before {FIRST_YEAR}: there are no records that old.")
    if quarter.first_day > today:
        raise QuarterError(
            f"{quarter.slug} has not started yet. The latest whole quarter is {Quarter.latest_whole(today).slug}."
        )
    return quarter
