"""The PostgreSQL path (COPY, the hot loop, fingerprints fetched per month); runs when DATABASE_URL is PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from scrutiny.models import EncounterRecord
from scrutiny.records.importing import sinks
from scrutiny.records.importing.pipeline import _Run
from tests.scrutiny.conftest import ImportBytes
from tests.scrutiny.factories import ForceFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path needs PostgreSQL (set DATABASE_URL)"),
]


def reorder(data: bytes) -> bytes:
    """The same CSV with its columns reversed, which takes the general path instead of the hot loop."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    out = io.StringIO()
    csv.writer(out).writerows([list(reversed(row)) for row in rows])
    return out.getvalue().encode()


def test_rows_go_in_by_copy_through_the_hot_loop(
    import_bytes: ImportBytes, shared_data: Path, monkeypatch: Any
) -> None:
    calls = {"copy": 0, "hot": 0}
    flush = sinks.PostgresSink.flush
    hot = _Run.police_uk_csv

    def counting_flush(self: sinks.PostgresSink) -> None:
        calls["copy"] += bool(self.fresh)
        flush(self)

    def counting_hot(self: _Run, *args: Any) -> None:
        calls["hot"] += 1
        hot(self, *args)

    monkeypatch.setattr(sinks.PostgresSink, "flush", counting_flush)
    monkeypatch.setattr(_Run, "police_uk_csv", counting_hot)
    data = (shared_data / "police-uk" / "2019-12-essex-stop-and-search.csv").read_bytes()
    result = import_bytes(data)
    assert result.imported == result.read == 1523
    assert calls["hot"] == 1
    assert calls["copy"] >= 1


def test_the_hot_loop_and_the_general_path_make_the_same_fingerprints(
    import_bytes: ImportBytes, shared_data: Path
) -> None:
    for name in ("2016-06-metropolitan-stop-and-search.csv", "2025-06-merseyside-stop-and-search.csv"):
        data = (shared_data / "police-uk" / name).read_bytes()
        first = import_bytes(data)
        again = import_bytes(reorder(data))
        assert first.imported == first.read
        assert (again.imported, again.duplicates) == (0, again.read)
    # And the other way round, for a file the general path saw first.
    data = (shared_data / "police-uk" / "2017-06-west-midlands-stop-and-search.csv").read_bytes()
    assert import_bytes(reorder(data)).imported == 768
    assert import_bytes(data).imported == 0


def test_only_the_months_already_held_are_checked_and_new_rows_still_go_in(
    import_bytes: ImportBytes, shared_data: Path
) -> None:
    june = (shared_data / "police-uk" / "2025-06-cheshire-stop-and-search.csv").read_bytes()
    july = (shared_data / "police-uk" / "2025-07-cheshire-stop-and-search.csv").read_bytes()
    import_bytes(june)
    july_rows = july.split(b"\r\n", 1)[1]
    joined = june + july_rows  # a hand-joined file: June again, then July
    result = import_bytes(joined)
    assert result.imported == july.count(b"\r\n") - 1
    assert result.duplicates == june.count(b"\r\n") - 1
    assert EncounterRecord.objects.count() == result.read


def test_a_failed_copy_leaves_the_connection_usable(import_bytes: ImportBytes, monkeypatch: Any) -> None:
    def broken_write(self: sinks.PostgresSink, row: Any, fingerprint: bytes) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(sinks.PostgresSink, "write", broken_write)
    with pytest.raises(RuntimeError):
        import_bytes('[{"type": "Person search", "datetime": "2025-06-01T10:00:00+00:00"}]')
    assert EncounterRecord.objects.count() == 0


def test_binary_copy_stores_exactly_what_the_general_path_stores(import_bytes: ImportBytes) -> None:
    # The repo's own Cheshire month, once through the hot loop (binary rows built from cached pieces) for one force
    # and once, columns reversed, through the general path for another: every stored value must be the same.
    data = (
        Path(__file__).resolve().parents[2] / "data" / "police-uk" / "2025-06-cheshire-stop-and-search.csv"
    ).read_bytes()
    other = ForceFactory.create(police_uk_id="merseyside")
    hot = import_bytes(data)
    general = import_bytes(reorder(data), force=other)
    assert hot.imported == general.imported == hot.read > 1000
    fields = [f.name for f in EncounterRecord._meta.concrete_fields if f.name not in ("id", "force", "batch")]

    def rows(batch_id: int) -> list[tuple[Any, ...]]:
        found = EncounterRecord.objects.filter(batch_id=batch_id).values_list(*fields)
        return sorted((tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in found), key=repr)

    assert rows(hot.batch_id) == rows(general.batch_id)
