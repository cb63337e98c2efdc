"""Why a response is not taken: refused as a whole (with a reason a page can act on), or its answers invalid (with
an error per field)."""

from __future__ import annotations

from surveys.building.services import SurveyError


class ResponseRefused(SurveyError):
    """The survey is not taking responses, the link or form was already used, or too many are arriving."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ResponseInvalid(SurveyError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("There is a problem with some answers.")
        self.errors = errors
