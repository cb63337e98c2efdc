"""The API's exception handler (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]): a service's refusal, a
`DomainError`, becomes its status (400 unless the error says otherwise) with its messages, and a Django
ValidationError (a model's own check) a 400 with its messages; everything else is DRF's usual answer. A stray
ValueError is not a refusal: it stays a 500, so a bug is never passed off as a bad request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_json(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=400)
    return drf_exception_handler(exc, context)


def choices_help(choices: Sequence[tuple[Any, str]]) -> str:
    """A schema's description of a string field's values ("One of `a`, `b`."): status-like fields are described,
    not enumerated, as several models have a "status" and enums of one name would collide in the schema."""
    return "One of " + ", ".join(f"`{v}`" for v, _ in choices) + "."
