"""Typed helpers that read settings from the environment.

Every setting the project reads from the environment goes through one of these, so a
typo in a value fails loudly at start-up instead of silently meaning something else.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def is_weak_secret(value: str) -> bool:
    """True when a secret is too short, too repetitive or Django's insecure placeholder.

    Mirrors what `manage.py check --deploy` calls a weak SECRET_KEY, so production refuses
    to start on a key the deploy check would only warn about.
    """
    return len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure-")
