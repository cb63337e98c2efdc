"""The plain helpers every app shares (common/): months, the Wilson interval, the domain error and the API's
handling of it."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound

from common.api import exception_handler
from common.errors import DomainError
from common.intervals import wilson_interval
from common.months import (
    add_months,
    financial_year,
    financial_year_start,
    month_text,
    months_between,
    parse_month,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-06", date(2025, 6, 1)), (" 2025-12 ", date(2025, 12, 1)), (date(2025, 6, 17), date(2025, 6, 1))],
)
def test_a_month_is_read_from_its_text_or_a_date(text: Any, expected: date) -> None:
    assert parse_month(text) == expected


@pytest.mark.parametrize("text", ["", None, "2025-13", "2025-00", "2025-6", "June 2025", "1899-12", "2025-06-01"])
def test_anything_else_is_not_a_month(text: Any) -> None:
    assert parse_month(text) is None


def test_months_add_and_count_across_years() -> None:
    assert add_months(date(2025, 11, 1), 3) == date(2026, 2, 1)
    assert add_months(date(2025, 1, 1), -1) == date(2024, 12, 1)
    assert list(months_between(date(2024, 11, 1), date(2025, 2, 1))) == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]
    assert list(months_between(date(2025, 2, 1), date(2025, 1, 1))) == []
    assert month_text(date(2025, 6, 1)) == "2025-06"


@pytest.mark.parametrize(
    ("month", "label", "start"),
    [(date(2025, 6, 1), "2025-26", 2025), (date(2025, 3, 1), "2024-25", 2024), (date(1999, 4, 1), "1999-00", 1999)],
)
def test_financial_years_run_april_to_march(month: date, label: str, start: int) -> None:
    assert financial_year(month) == label
    assert financial_year_start(month) == start


def test_the_wilson_interval_matches_its_formula_and_its_edges() -> None:
    low, high = wilson_interval(10, 25) or (0, 0)
    # Worked by hand: p = 0.4, z = 1.96, centre = 0.4147, half-width = 0.1830.
    assert math.isclose(low, 0.2340, abs_tol=5e-4)
    assert math.isclose(high, 0.5926, abs_tol=5e-4)
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.2775, abs=5e-4))
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(11, 10)


def test_a_refusal_answers_400_with_its_messages_by_field_or_as_detail() -> None:
    plain = exception_handler(DomainError("This survey is closed."), {})
    assert plain is not None
    assert (plain.status_code, plain.data) == (400, {"detail": ["This survey is closed."]})
    by_field = exception_handler(DomainError({"title": ["Give a title."]}), {})
    assert by_field is not None
    assert by_field.data == {"title": ["Give a title."]}

    class Stale(DomainError):
        status = 409

    stale = exception_handler(Stale("Someone else changed this finding."), {})
    assert stale is not None
    assert stale.status_code == 409


def test_a_models_own_check_is_a_400_and_other_errors_are_not_turned_into_one() -> None:
    checked = exception_handler(DjangoValidationError("Not valid."), {})
    assert checked is not None
    assert (checked.status_code, checked.data) == (400, {"detail": ["Not valid."]})
    found = exception_handler(NotFound(), {})
    assert found is not None
    assert found.status_code == 404
    assert exception_handler(ValueError("a bug"), {}) is None  # DRF leaves it: a 500, not a bad request
