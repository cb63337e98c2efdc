"""A re-import recognised column by column (scrutiny/importing/columnar.py): the same fingerprints as the row loop,
and "not all stored" whenever the row loop must decide. PostgreSQL only (the path serves the COPY sink)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from scrutiny.importing import columnar, pipeline
from scrutiny.models import EncounterRecord
from tests.scrutiny.conftest import ImportBytes

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the columnar check serves PostgreSQL's COPY path"),
]

DATA = Path(__file__).resolve().parents[2] / "data" / "police-uk"
JUNE = (DATA / "2025-06-cheshire-stop-and-search.csv").read_bytes()
JULY = (DATA / "2025-07-cheshire-stop-and-search.csv").read_bytes()


@pytest.fixture
def answers(monkeypatch: Any) -> list[Any]:
    """What columnar.all_stored answered, call by call."""
    seen: list[Any] = []
    real = columnar.all_stored

    def spy(**kwargs: Any) -> Any:
        answer = real(**kwargs)
        seen.append(answer)
        return answer

    monkeypatch.setattr(columnar, "all_stored", spy)
    return seen


def keep(import_bytes: ImportBytes, data: bytes) -> Any:
    """Import through run_import with keep_fingerprints (as the sync does)."""
    from scrutiny.choices import BatchStatus, SourceFormat
    from scrutiny.models import ImportBatch
    from tests.scrutiny.factories import ForceFactory

    force = ForceFactory.create(police_uk_id="cheshire")
    batch = ImportBatch.objects.create(
        force=force, source_format=SourceFormat.POLICE_UK_CSV, file_name="x.csv", status=BatchStatus.RUNNING
    )
    return pipeline.run_import(batch=batch, source=io.BytesIO(data), keep_fingerprints=True)


def test_a_file_imported_again_is_recognised_column_by_column_with_the_row_loops_fingerprints(
    import_bytes: ImportBytes, answers: list[Any]
) -> None:
    first = keep(import_bytes, JUNE)
    assert answers == []  # nothing held yet: the row loop imported it
    assert first.imported == first.read > 1000
    again = keep(import_bytes, JUNE)
    assert len(answers) == 1
    assert answers[0] is not None
    assert (again.read, again.imported, again.duplicates) == (first.read, 0, first.read)
    assert again.fingerprints == first.fingerprints
    stored = {bytes(f) for f in EncounterRecord.objects.values_list("fingerprint", flat=True)}
    assert stored == first.fingerprints


def test_repeated_rows_are_numbered_as_the_row_loop_numbers_them(import_bytes: ImportBytes, answers: list[Any]) -> None:
    header, body = JUNE.split(b"\r\n", 1)
    rows = body.split(b"\r\n")[:50]
    data = b"\r\n".join([header, *rows, *rows[:10], *rows[:3]]) + b"\r\n"
    first = keep(import_bytes, data)
    assert first.imported == 63
    again = keep(import_bytes, data)
    assert answers[-1] is not None
    assert answers[-1].rows == 63
    assert again.fingerprints == first.fingerprints
    assert again.imported == 0


def test_a_new_month_behind_a_held_one_goes_to_the_row_loop(import_bytes: ImportBytes, answers: list[Any]) -> None:
    import_bytes(JUNE)
    joined = JUNE + JULY.split(b"\r\n", 1)[1]
    result = import_bytes(joined)
    assert answers == [None]
    assert result.imported == JULY.count(b"\r\n") - 1


def quoted(line: bytes) -> bytes:
    kind, rest = line.split(b",", 1)
    return b'"' + kind + b'",' + rest


def named(line: bytes) -> bytes:
    cells = line.split(b",")
    assert cells[3] == b""
    cells[3] = b"Operation Rainbow"
    return b",".join(cells)


@pytest.mark.parametrize(
    "change",
    [
        quoted,  # a quote: the csv module's business
        named,  # an operation name
        lambda line: line.replace(b"+00:00", b"+01:00", 1),  # another offset
        lambda line: line + b",",  # a trailing empty cell
    ],
    ids=["quoted", "operation-name", "offset", "trailing-cell"],
)
def test_a_row_the_hot_loop_would_not_take_sends_the_file_to_the_row_loop(
    import_bytes: ImportBytes, answers: list[Any], change: Any
) -> None:
    import_bytes(JUNE)
    header, body = JUNE.split(b"\r\n", 1)
    lines = body.split(b"\r\n")
    changed = change(lines[5])
    assert changed != lines[5]
    lines[5] = changed
    result = import_bytes(b"\r\n".join([header, *lines]))
    assert answers == [None]
    assert result.read == JUNE.count(b"\r\n") - 1
