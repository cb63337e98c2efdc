"""What the surveys API's views share: a service's refusal becomes a 400 with its message."""

from __future__ import annotations

from collections.abc import Callable

from panels.api import as_400
from surveys.recommendations import RecommendationError
from surveys.services import SurveyError
from surveys.themes import ThemeError


def call_service[T](call: Callable[[], T]) -> T:
    return as_400(call, ThemeError, RecommendationError, SurveyError)
