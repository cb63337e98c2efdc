from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from rest_framework.authtoken.models import Token

from panels.permissions import user_has_mfa, user_requires_mfa

# Paths a person who must enrol may still reach: the account pages (where enrolment happens) and assets.
_ALLOWED_PREFIXES = ("/accounts/", "/static/")


class RequireMfaMiddleware:
    """Sends anyone whose role needs two-factor authentication to enrol before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated and request.path.startswith("/api/"):
            # DRF reads an API token only later, inside the view; look it up here so a token cannot skip enrolment.
            scheme, _, key = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() == "token" and key.strip():
                token = Token.objects.select_related("user").filter(key=key.strip()).first()
                if token is not None and token.user.is_active:
                    user = token.user
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
