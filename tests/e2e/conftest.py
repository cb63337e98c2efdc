"""Browser tests: the real ASGI app served by uvicorn in a thread, driven by Debian's chromium through Playwright.

Nothing here downloads a browser: Playwright is pointed at /usr/bin/chromium. The server runs in this process, so
it shares the pytest-django test database (a file on SQLite, a real database on PostgreSQL), Django's locmem
outbox and, without REDIS_URL, the in-memory channel layer. The helpers the tests call are in browser.py.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Playwright, sync_playwright

from panels.models import Meeting, Membership, Panel
from tests.e2e.browser import AXE, ROOT, Pages, Person, World
from tests.factories import MembershipFactory, PanelFactory, UserFactory, enrol_totp

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BUILT_ASSETS = [ROOT / "frontend/static/build/site.css", ROOT / "frontend/static/build/govuk-frontend.min.js"]


@pytest.fixture(scope="session")
def _e2e_prerequisites() -> None:
    missing = [str(p.relative_to(ROOT)) for p in [*BUILT_ASSETS, AXE] if not p.exists()]
    if missing:
        pytest.fail(
            f"The browser tests need the built front-end assets and axe-core, but {', '.join(missing)} "
            "is missing. Run `make test`: it runs `npm ci` and `npm run build` first.",
            pytrace=False,
        )
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests drive Debian's chromium at {CHROMIUM}, which is not installed. "
            "Run `make test` (it installs it with apt-get) or `sudo apt-get install chromium`.",
            pytrace=False,
        )


# --- The server ------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def _asgi_server(django_db_setup: None, _e2e_prerequisites: None) -> Iterator[str]:
    """config.asgi.application (HTTP and WebSockets) under uvicorn in a daemon thread; yields its base URL.

    It depends on django_db_setup so that it stops before the test database is destroyed: PostgreSQL refuses to
    drop a database that the server's connections still hold.
    """
    import uvicorn

    from config.asgi import application

    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=0,  # any free port: the one chosen is read back below
            log_level="warning",
            lifespan="off",
            # Do not wait for a browser that never closes its WebSocket.
            timeout_graceful_shutdown=5,
        )
    )
    thread = threading.Thread(target=server.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start", pytrace=False)
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def live_server_url(
    _asgi_server: str, transactional_db: None, django_db_serialized_rollback: None, mailoutbox: list[Any]
) -> str:
    """The running site, against a test database whose data is committed, so that the server thread sees it.

    Each test empties the database when it ends; serialized rollback puts back what the migrations loaded
    (the Census force areas) for the next one.

    The server sends mail from this process, so it lands in the same locmem outbox as `mailoutbox`.
    """
    assert mailoutbox is mail.outbox
    return _asgi_server


# --- The browser -----------------------------------------------------------------------------


def _main_thread_is_not_async(real: Callable[[], Any]) -> Callable[[], Any]:
    def get_running_loop() -> Any:
        if threading.current_thread() is threading.main_thread():
            raise RuntimeError("no running event loop")
        return real()

    return get_running_loop


@pytest.fixture(scope="package")
def _playwright(_e2e_prerequisites: None) -> Iterator[Playwright]:
    """Playwright's sync API, for this package's tests only (package scope: it stops before other tests run).

    Between calls the sync API leaves its event loop marked as running in the main thread, where the tests and
    pytest-django's database fixtures run synchronously. Django would then refuse their database calls
    (SynchronousOnlyOperation), and asgiref would hand the main thread a second, context-local set of database
    connections, without the serialized test data and left open after the tests. So Django and asgiref are
    told that the main thread runs no event loop. The server thread is untouched: an async consumer calling
    the ORM directly still fails there. (DJANGO_ALLOW_ASYNC_UNSAFE would turn Django's guard off everywhere and
    leave asgiref's problem.)
    """
    import asgiref.local
    import django.utils.asyncio

    not_async = _main_thread_is_not_async(asyncio.get_running_loop)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(django.utils.asyncio, "get_running_loop", not_async)
        patch.setattr(asgiref.local, "asyncio", SimpleNamespace(get_running_loop=not_async))
        with sync_playwright() as p:
            yield p


@pytest.fixture(scope="package")
def browser(_playwright: Playwright) -> Iterator[Browser]:
    b = _playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


@pytest.fixture
def pages(browser: Browser, live_server_url: str) -> Iterator[Pages]:
    """Opens pages on the running site; fails the test if any page it loaded was not checked with axe-core."""
    opened = Pages(browser, live_server_url)
    yield opened
    missed = opened.close()
    if missed:
        pytest.fail(f"These pages were loaded but not checked with axe-core: {missed}", pytrace=False)


# --- The starting data -----------------------------------------------------------------------


@pytest.fixture
def world(live_server_url: str) -> World:
    """A public panel with a past meeting and a coordinator who already uses an authenticator app, and a member
    of another panel."""
    panel = PanelFactory.create(
        name="Northshire Stop and Search Scrutiny Panel", slug="northshire-stop-search", is_public=True
    )
    other_panel = PanelFactory.create(
        name="Northshire Youth Commission", slug="northshire-youth", kind=Panel.Kind.YOUTH
    )
    coordinator = MembershipFactory.create(
        panel=panel, role=Membership.Role.COORDINATOR, user__email="cara@example.org", user__name="Cara Coordinator"
    ).user
    secret = enrol_totp(coordinator)
    outsider = MembershipFactory.create(
        panel=other_panel, role=Membership.Role.MEMBER, user__email="olu@example.org", user__name="Olu Outsider"
    ).user
    meeting = Meeting.objects.create(
        panel=panel,
        title="Quarterly review",
        starts_at=timezone.now() - timedelta(days=7),
        agenda="1. Review of twenty records",
        minutes="Draft: the panel reviewed twenty records.",
    )
    return World(
        panel=panel,
        other_panel=other_panel,
        meeting=meeting,
        coordinator=Person(coordinator, totp_secret=secret),
        outsider=Person(outsider),
    )


@pytest.fixture
def stranger(live_server_url: str) -> Person:
    """Someone with an account who is on no panel at all."""
    return Person(UserFactory.create(email="stranger@example.org"))
