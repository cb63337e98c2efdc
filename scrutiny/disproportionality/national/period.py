"""The period of a national report: a financial year, or up to 12 whole months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from common.months import month_text, months_between, parse_month
from scrutiny.disproportionality import report as reporting
from scrutiny.disproportionality.report import ReportQueryError

MAX_MONTHS = 12


@dataclass(frozen=True)
class NationalQuery:
    from_month: date
    to_month: date
    year: int | None = None  # the financial year's first calendar year, when the period is one

    @property
    def months(self) -> list[date]:
        return list(months_between(self.from_month, self.to_month))

    @property
    def label(self) -> str:
        if self.year is not None:
            return f"April {self.year} to March {self.year + 1}"
        if self.from_month == self.to_month:
            return f"{self.from_month:%B %Y}"
        return f"{self.from_month:%B %Y} to {self.to_month:%B %Y}"

    def header(self) -> dict[str, Any]:
        return {
            "from": month_text(self.from_month),
            "to": month_text(self.to_month),
            "year": self.year,
            "label": self.label,
            "months": len(self.months),
            "ethnicity": "self",
        }


def national_query(*, from_month: Any = None, to_month: Any = None, year: Any = None) -> NationalQuery:
    """The period of a national report: a financial year (`year=2024`: April 2024 to March 2025) or `from` and `to`
    months (both included, at most 12 months). ReportQueryError with messages by parameter otherwise."""
    errors: dict[str, list[str]] = {}
    raw_year = str(year).strip() if year not in (None, "") else ""
    given = [from_month not in (None, ""), to_month not in (None, "")]
    if raw_year and any(given):
        errors["year"] = ["Give either a financial year or a period (from and to), not both."]
        raise ReportQueryError(errors)
    if raw_year:
        if not raw_year.isdigit() or not 2000 <= int(raw_year) <= 2100:
            errors["year"] = [f'"{raw_year}" is not a financial year: write the year it starts, e.g. 2024.']
            raise ReportQueryError(errors)
        first = int(raw_year)
        return NationalQuery(date(first, 4, 1), date(first + 1, 3, 1), first)
    if not any(given):
        errors["from"] = ["Give a financial year (year=2024) or a period (from=2024-04 and to=2025-03)."]
        raise ReportQueryError(errors)
    start, end = reporting.period_months(from_month, to_month, errors)
    if start and end and start <= end and len(list(months_between(start, end))) > MAX_MONTHS:
        errors["to"] = [f"A national report covers at most {MAX_MONTHS} months; this period has more."]
    if errors:
        raise ReportQueryError(errors)
    assert start is not None
    assert end is not None
    return NationalQuery(start, end)


def as_date(value: Any) -> date | None:
    """A month the database gives back: SQLite gives a subquery's date back as text."""
    if value is None or isinstance(value, date):
        return value
    return parse_month(str(value)[:7])
