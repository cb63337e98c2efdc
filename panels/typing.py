"""Types for requests whose user is known to be signed in (behind login_required or IsAuthenticated)."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from panels.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def api_user(request: Request) -> User:
    """The signed-in user of an API request; DRF's IsAuthenticated has already refused anyone else."""
    assert request.user.is_authenticated
    return request.user
