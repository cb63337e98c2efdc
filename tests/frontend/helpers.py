"""Reading what a person sees on a page: the text, the GOV.UK error summary, the notification banners."""

from __future__ import annotations

import html
import re
from typing import Any

from django.test import Client

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def visible(fragment: str) -> str:
    """Markup removed, entities decoded, whitespace collapsed."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def page_text(response: Any) -> str:
    content = response.content.decode()
    main = re.search(r"<main\b.*?</main>", content, re.DOTALL)
    return visible(main.group(0) if main else content)


def error_summary(response: Any) -> str:
    """The text of the GOV.UK error summary's list, or "" when the page has none."""
    match = re.search(
        r'<div class="govuk-error-summary".*?<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>',
        response.content.decode(),
        re.DOTALL,
    )
    return visible(match.group(1)) if match else ""


def banners(response: Any) -> str:
    """The text of the notification banners (Django messages) on the page."""
    found = re.findall(
        r'<div class="govuk-notification-banner__content">(.*?)</div>', response.content.decode(), re.DOTALL
    )
    return " | ".join(visible(f) for f in found)


def csrf_token_from(client: Client, url: str) -> str:
    """The CSRF token a real browser would post back, read from the form on the page."""
    response = client.get(url)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, f"no CSRF token in the form at {url}"
    return match.group(1)
