"""Months as the platform writes them ("YYYY-MM", a date on the 1st), their arithmetic, and financial years (April to
March). Every parser, pattern and month calculation of the apps is this one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# A month as written: four digits of year, a dash, 01 to 12 (match it whole: `MONTH.fullmatch`).
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def parse_month(value: Any) -> date | None:
    """A "YYYY-MM" text (surrounding space allowed) or a date as the first day of its month; None if it is not one."""
    if isinstance(value, date):
        return value.replace(day=1)
    match = MONTH.fullmatch(str(value or "").strip())
    if not match or int(match[1]) < 1900:
        return None
    return date(int(match[1]), int(match[2]), 1)


class MonthField(forms.CharField):
    """A form's month, typed as "YYYY-MM": cleaned to the first day of the month (None when left blank)."""

    default_error_messages = {"invalid": _("Enter a valid value.")}

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


def month_text(month: date) -> str:
    """1 June 2025 → "2025-06"."""
    return f"{month:%Y-%m}"


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after (or before, for negative `n`) `month`'s."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> Iterator[date]:
    """Every month from `first` to `last`, both included (none when `first` is after `last`)."""
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = add_months(month, 1)


def financial_year_start(month: date) -> int:
    """The calendar year a financial year (April to March) starts in: June 2025 → 2025, March 2025 → 2024."""
    return month.year if month.month >= 4 else month.year - 1


def financial_year(month: date) -> str:
    """April to March: June 2025 → "2025-26", March 2025 → "2024-25"."""
    start = financial_year_start(month)
    return f"{start}-{(start + 1) % 100:02d}"
