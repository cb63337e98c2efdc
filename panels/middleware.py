from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from panels.permissions import user_has_mfa, user_requires_mfa

# Paths a person who must enrol may still reach: the account pages (where enrolment happens) and assets.
_ALLOWED_PREFIXES = ("/accounts/", "/static/")


class RequireMfaMiddleware:
    """Sends anyone whose role needs two-factor authentication to enrol before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and user_requires_mfa(user)
            and not user_has_mfa(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Your role requires two-factor authentication. Set it up at /accounts/2fa/ first."},
                    status=403,
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
