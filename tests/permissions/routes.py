"""The machinery of the route permission test: walk the URL configuration, request, classify.

Every named route must have a rule (in a `rules_*.py` module beside this file) saying what each of the four
roles gets: anonymous, outsider (signed in, on no panel), member and coordinator of the panel under test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("anonymous", "outsider", "member", "coordinator")

ALLOW = "allow"  # reached the view and was served (2xx, 3xx elsewhere than sign-in, or 400/410 for bad input)
LOGIN = "login"  # told to sign in: a redirect to the sign-in page, or 401 from the API
DENY = "deny"  # refused: 403 or 404


@dataclass(frozen=True)
class Check:
    method: str
    expected: dict[str, str]  # role -> ALLOW / LOGIN / DENY
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    kwargs: Callable[[Any], dict[str, Any]]  # from the scenario to the URL's kwargs
    checks: tuple[Check, ...]


def expect(anonymous: str, outsider: str, member: str, coordinator: str) -> dict[str, str]:
    return {"anonymous": anonymous, "outsider": outsider, "member": member, "coordinator": coordinator}


PUBLIC = expect(ALLOW, ALLOW, ALLOW, ALLOW)
SIGNED_IN = expect(LOGIN, ALLOW, ALLOW, ALLOW)
PANEL_READ = expect(LOGIN, DENY, ALLOW, ALLOW)
PANEL_MANAGE = expect(LOGIN, DENY, DENY, ALLOW)


def no_kwargs(s: Any) -> dict[str, Any]:
    return {}


def project_routes() -> Iterator[tuple[str, URLPattern]]:
    """(name, pattern) of every named route the project itself defines (not Django admin's or allauth's)."""

    def walk(patterns: list[Any], namespace: str | None) -> Iterator[tuple[str, URLPattern]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                module = getattr(p.callback, "__module__", "") or ""
                view_class = getattr(p.callback, "view_class", None)
                if view_class is not None:
                    module = view_class.__module__
                if namespace == "admin" or module.startswith(("allauth", "django.contrib")):
                    continue
                yield (p.name or f"<unnamed {p.pattern}>"), p

    yield from walk(get_resolver().url_patterns, None)


def classify(response: HttpResponse) -> str:
    status = response.status_code
    if status == 401:
        return LOGIN
    if status in (301, 302, 303) and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    if status in (403, 404):
        return DENY
    if status >= 500:
        return f"server error {status}"
    return ALLOW


def request(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(url)
    if method in ("PATCH", "PUT"):
        return getattr(client, method.lower())(url, data=data, content_type="application/json")
    if url.startswith("/api/"):
        return client.post(url, data=data, content_type="application/json")
    return client.post(url, data=data)
