"""Fixtures every test package shares: the three users of DESIGN.md (member, coordinator, outsider) and their panel."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from panels.models import Membership, Panel, User
from tests.factories import MembershipFactory, PanelFactory, UserFactory, enrol_totp


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> Iterator[None]:
    """A channel layer of its own for each test. The Redis layer keeps its receive state (a lock, the loop that
    receives) per instance, and each async test runs on a new event loop: a consumer left receiving by one test
    would otherwise hold state the next test's loop cannot use ("bound to a different event loop")."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def panel(db: None) -> Panel:
    return PanelFactory.create(is_public=True)


@pytest.fixture
def member(panel: Panel) -> User:
    return MembershipFactory.create(panel=panel, role=Membership.Role.MEMBER, user__email="member@example.org").user


@pytest.fixture
def coordinator(panel: Panel) -> User:
    user = MembershipFactory.create(
        panel=panel, role=Membership.Role.COORDINATOR, user__email="coordinator@example.org"
    ).user
    enrol_totp(user)
    return user


@pytest.fixture
def outsider(db: None) -> User:
    return UserFactory.create(email="outsider@example.org")


@dataclass
class People:
    member: User
    coordinator: User
    outsider: User


@pytest.fixture
def people(member: User, coordinator: User, outsider: User) -> People:
    return People(member=member, coordinator=coordinator, outsider=outsider)


def pytest_configure(config: pytest.Config) -> None:
    import os

    from django.conf import settings
    from django.db import connections

    # One SQLite test database per pytest process (xdist adds its worker suffix), so two runs in one checkout
    # do not create and drop each other's database. A file, not :memory:, so the browser tests' server thread
    # sees it; Django deletes it when the run ends.
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        name = str(settings.BASE_DIR / f".test-db-{os.getpid()}.sqlite3")
        database.setdefault("TEST", {})["NAME"] = name
        connections.settings["default"].setdefault("TEST", {})["NAME"] = name

    # Real hashing costs ~0.3 s a password; the tests create hundreds of users and test permissions, not PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
