"""Fixtures for the importer's tests: the shared real data, a force, and a one-call import helper."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from panels.models import Organisation
from scrutiny.records.importing import ImportResult
from scrutiny.records.imports import batch_import
from tests.scrutiny.factories import ForceFactory

SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"

POLICE_UK_HEADER = (
    "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"
    "Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"
    "Outcome linked to object of search,Removal of more than just outer clothing"
)


@pytest.fixture(autouse=True)
def _imports_run_here(settings: Any, tmp_path: Path) -> None:
    """Background imports run at once (the immediate task backend) and uploads are kept in a temporary folder."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def shared_data() -> Path:
    """../shared/data from the project's root; the tests that need it are skipped, saying why, without it."""
    if not (SHARED_DATA / "police-uk").is_dir():
        pytest.skip(f"the shared reference data is not at {SHARED_DATA} (see ../shared/data/README.md)")
    return SHARED_DATA


@pytest.fixture
def force(db: None) -> Organisation:
    return ForceFactory.create(police_uk_id="cheshire")


ImportBytes = Callable[..., ImportResult]


@pytest.fixture
def import_bytes(force: Organisation) -> ImportBytes:
    """Import bytes as if from a file: import_bytes(content, name="...", force=..., source_format=None)."""

    def run(content: bytes | str, name: str = "upload.csv", **kwargs: Any) -> ImportResult:
        data = content.encode() if isinstance(content, str) else content
        kwargs.setdefault("force", force)
        _, result = batch_import(source=io.BytesIO(data), file_name=name, **kwargs)
        return result

    return run
