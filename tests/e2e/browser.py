"""What the browser tests do in a page: open, submit, follow, sign in, type authenticator codes, and check each
page with axe-core.

Every document a page loads reports itself (an init script calls back into Python on `load`), and
`check_accessibility` marks the document it checked. The `pages` fixture fails a test that reached a page
without checking it, however it got there: a link, a redirect, a form or a script.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Page, Response

from panels.models import Meeting, Panel, User
from tests.factories import PASSWORD

ROOT = Path(settings.BASE_DIR)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
# Long enough for a slow CI machine, short enough that a missing element fails in seconds, not minutes.
TIMEOUT_MS = 10_000
TOTP_PERIOD = 30


# --- Which pages were checked ----------------------------------------------------------------


@dataclass
class AxeTracker:
    """Every document one page loaded, and those checked with axe, each known by its performance.timeOrigin."""

    loaded: dict[float, str] = field(default_factory=dict)
    checked: set[float] = field(default_factory=set)

    def unchecked(self) -> list[str]:
        return [url for origin, url in self.loaded.items() if origin not in self.checked]


_REPORT_LOAD = "addEventListener('load', () => window.e2eDocumentLoaded(performance.timeOrigin, location.href));"
_TRACKERS: dict[int, AxeTracker] = {}


@dataclass
class Pages:
    """Opens pages, each in its own browser context: its own cookies, so a separate person."""

    browser: Browser
    base_url: str
    contexts: list[BrowserContext] = field(default_factory=list)
    trackers: list[AxeTracker] = field(default_factory=list)

    def new(self, *, width: int = 1024, height: int = 800) -> Page:
        context = self.browser.new_context(base_url=self.base_url, viewport={"width": width, "height": height})
        context.set_default_timeout(TIMEOUT_MS)
        tracker = AxeTracker()
        context.expose_binding("e2eDocumentLoaded", lambda _source, origin, url: tracker.loaded.update({origin: url}))
        context.add_init_script(_REPORT_LOAD)
        self.contexts.append(context)
        self.trackers.append(tracker)
        page = context.new_page()
        _TRACKERS[id(page)] = tracker
        return page

    def close(self) -> list[str]:
        """Close every context; return the pages that were loaded but never checked with axe."""
        for context in self.contexts:
            for page in context.pages:
                page.evaluate("1")  # lets a load report still on its way arrive
                _TRACKERS.pop(id(page), None)
        missed = [url for tracker in self.trackers for url in tracker.unchecked()]
        for context in self.contexts:
            context.close()
        return missed


# --- Accessibility ---------------------------------------------------------------------------


# A document exactly like one already checked (at the same viewport size) gets the same answer from axe, so it is
# not checked again: the sign-in page, the refusal page and the like come up in many tests.
_SNAPSHOT = """() => {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach(i => i.setAttribute('value', ''));
    return `${innerWidth}x${innerHeight} ${copy.outerHTML}`;
}"""
_PASSED: set[str] = set()


def off_the_event_loop(work: Callable[[], Any]) -> Any:
    """Run `work` (a service call that sends live events once it commits) in a thread of its own: Playwright keeps
    an event loop in the test's thread, and Channels' async_to_sync refuses to run inside one."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # handed back to the test's thread below
            failure.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if failure:
        raise failure[0]
    return result[0] if result else None


def check_accessibility(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    page.wait_for_load_state("load")
    fingerprint = hashlib.sha256(page.evaluate(_SNAPSHOT).encode()).hexdigest()
    if fingerprint not in _PASSED:
        _run_axe(page)
        _PASSED.add(fingerprint)
    tracker = _TRACKERS.get(id(page))
    if tracker is not None:
        tracker.checked.add(page.evaluate("performance.timeOrigin"))


def _run_axe(page: Page) -> None:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }"""
    )
    bad = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    if bad:
        lines = [f"axe-core found {len(bad)} serious or critical violation(s) on {page.url}:"]
        for v in bad:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
            for node in v["nodes"]:
                lines.append(f"    {node['target']}: {node['html'][:200]}")
                if node["summary"]:
                    lines.append("      " + node["summary"].replace("\n", "\n      "))
        pytest.fail("\n".join(lines), pytrace=False)


# --- Moving around ---------------------------------------------------------------------------


def _name(text: str) -> re.Pattern[str]:
    """An accessible name equal to the text, ignoring case and spacing ("Sign In" is the "Sign in" button)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$", re.IGNORECASE)


def visit(page: Page, path: str, *, status: int | None = 200) -> Response:
    """Open a path as a person would by typing it, check the page with axe, and return the final response."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    if status is not None:
        assert response.status == status, f"{path} answered {response.status}, expected {status}"
    check_accessibility(page)
    return response


def submit(page: Page, button: str, *, status: int | None = None) -> Response:
    """Press a submit button (by its accessible name), wait for the next page and check it with axe."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=_name(button)).click()
    response = navigation.value
    assert response is not None
    if status is not None:
        assert response.status == status, f"{page.url} answered {response.status}, expected {status}"
    check_accessibility(page)
    return response


def follow(page: Page, link: str, *, within: str = "body") -> None:
    """Follow a link by its text, wait for the next page and check it with axe."""
    with page.expect_navigation():
        page.locator(within).get_by_role("link", name=_name(link)).first.click()
    check_accessibility(page)


# --- Authenticator codes ---------------------------------------------------------------------


def totp_now(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238, computed the way allauth checks it).

    allauth allows no clock drift by default, so near the end of a 30-second step the code could expire between
    typing and checking: wait for the next step instead.
    """
    if TOTP_PERIOD - time.time() % TOTP_PERIOD < 3:
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))


def enter_totp(page: Page, secret: str, *, button: str) -> None:
    """Type the current authenticator code and submit.

    allauth refuses a code already used within its step (remembered in the cache, which with Redis outlives a
    test run). If that happens, type the next step's code, as a person would.
    """
    field = page.locator("input[name=code]")
    field.fill(totp_now(secret))
    submit(page, button)
    if page.locator("input[name=code]").count() and page.locator(".govuk-error-message").count():
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.2)
        page.locator("input[name=code]").fill(totp_now(secret))
        submit(page, button)


# --- People ----------------------------------------------------------------------------------


@dataclass
class Person:
    user: User
    password: str = PASSWORD
    totp_secret: str | None = None

    @property
    def email(self) -> str:
        return self.user.email


@dataclass
class World:
    """The starting data: a public panel with a meeting and a coordinator, and a member of another panel."""

    panel: Panel
    other_panel: Panel
    meeting: Meeting
    coordinator: Person
    outsider: Person


def sign_in(page: Page, person: Person, *, next_path: str | None = None) -> None:
    """Sign in through the login page, and the authenticator-code page when the person has an app."""
    visit(page, "/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password", exact=True).fill(person.password)
    submit(page, "Sign in")
    if person.totp_secret:
        assert "/accounts/2fa/authenticate/" in page.url, f"expected the authenticator-code page, got {page.url}"
        enter_totp(page, person.totp_secret, button="Sign in")
    assert "/accounts/" not in page.url, f"signing in stopped at {page.url}: {page.locator('main').inner_text()}"
