"""What the encounter record page, API and consumer tests share: the panel's force, a coordinator elsewhere,
uploads kept in a temporary directory and imported at once, and slices of a real data.police.uk file.

A test module imports the fixtures it uses from here (they are named for pytest with `name=`, so the module's
own names do not shadow them); the package's conftest.py belongs to the importer's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from panels.models import Membership, Organisation, Panel, User
from tests.factories import MembershipFactory, PanelFactory, enrol_totp
from tests.scrutiny.factories import make_force

REAL_FILE = Path(settings.BASE_DIR) / "data/police-uk/2025-06-cheshire-stop-and-search.csv"


def real_rows(n: int | None = None) -> bytes:
    """The header and the first n rows of a real data.police.uk file (all of it if n is None)."""
    lines = REAL_FILE.read_bytes().splitlines(keepends=True)
    return b"".join(lines if n is None else lines[: n + 1])


def with_bad_row(n: int = 5) -> bytes:
    """n real rows and one whose date is not a date (line n + 2)."""
    lines = real_rows(n).splitlines(keepends=True)
    bad = lines[1].replace(b"2025-05-31T23:45:00+00:00", b"not a date")
    return b"".join([*lines, bad])


@pytest.fixture(autouse=True, name="uploads_in_tmp")
def uploads_in_tmp_fixture(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(name="force")
def force_fixture(panel: Panel) -> Organisation:
    return make_force(code=panel.force_area.code)


@pytest.fixture(name="other_coordinator")
def other_coordinator_fixture(db: None) -> User:
    """A coordinator of a panel in another force area (Merseyside), which has its own force."""
    other = PanelFactory.create(force_area=make_force("E23000004", "merseyside", "Merseyside Police").force_area)
    user = MembershipFactory.create(panel=other, role=Membership.Role.COORDINATOR).user
    enrol_totp(user)
    return user
