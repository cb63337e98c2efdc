"""Escalation due dates: working days in England, weekends and bank holidays skipped."""

from __future__ import annotations

from datetime import date

import pytest

from scrutiny.escalations.services import due_date_for
from scrutiny.escalations.workdays import add_working_days, is_working_day, working_days_between


def test_five_working_days_from_the_friday_before_christmas_skip_christmas_boxing_day_and_the_weekend() -> None:
    # Fri 19 Dec 2025: Mon 22, Tue 23, Wed 24, (Thu 25, Fri 26 bank holidays, weekend), Mon 29, Tue 30.
    assert add_working_days(date(2025, 12, 19), 5) == date(2025, 12, 30)


def test_easter_2026_skips_good_friday_and_easter_monday() -> None:
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    # Wed 1 Apr: Thu 2 Apr, then nothing until Tue 7 Apr.
    assert add_working_days(date(2026, 4, 1), 2) == date(2026, 4, 7)
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_the_substitute_boxing_day_of_2026_is_not_a_working_day() -> None:
    # Boxing Day 2026 is a Saturday; the bank holiday moves to Monday 28 December.
    assert not is_working_day(date(2026, 12, 28))
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 11, 20), 5, date(2026, 11, 27)),  # a plain week: Friday to Friday
        (date(2026, 11, 21), 1, date(2026, 11, 23)),  # sent on a Saturday: due Monday
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
    ],
)
def test_plain_weeks_skip_only_weekends(start: date, days: int, due: date) -> None:
    assert add_working_days(start, days) == due


def test_the_default_twenty_working_days_over_christmas() -> None:
    # From Mon 15 Dec 2025: 7 working days to 24 Dec; 25, 26 Dec and 1 Jan are bank holidays; 29-31 Dec make 10;
    # 2 Jan makes 11; then 5-9 Jan (16) and 12-15 Jan (20): due Thu 15 Jan 2026.
    assert due_date_for(sent_on=date(2025, 12, 15), working_days=20) == date(2026, 1, 15)


def test_working_days_between_counts_what_add_working_days_adds() -> None:
    assert working_days_between(date(2025, 12, 19), date(2025, 12, 30)) == 5
    assert working_days_between(date(2026, 4, 1), date(2026, 4, 7)) == 2
    assert working_days_between(date(2026, 4, 7), date(2026, 4, 1)) == 0


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 1), -1)
