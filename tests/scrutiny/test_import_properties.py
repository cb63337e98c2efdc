"""Property tests: malformed CSV never crashes the importer and never loses a row."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrutiny import vocab
from scrutiny.models import ImportBatch, RejectedRow
from scrutiny.records.importing import ImportFailed
from tests.scrutiny.conftest import POLICE_UK_HEADER, ImportBytes

HEADER = POLICE_UK_HEADER.split(",")


def spellings(vocabulary: vocab.Vocabulary[Any]) -> list[str]:
    return [*sorted({spelling for spelling, _ in vocabulary.entries}), ""]


COLUMN_VALUES: list[list[str]] = [
    spellings(vocab.SEARCH_TYPE)[:-1],
    [],  # the date: generated
    spellings(vocab.YES_NO),
    ["", "Operation Hawk"],
    ["", "53.190012", "-0.123456"],
    ["", "-2.890034", "1.5"],
    spellings(vocab.GENDER),
    spellings(vocab.AGE_RANGE),
    spellings(vocab.SELF_DEFINED_ETHNICITY),
    spellings(vocab.OFFICER_DEFINED_ETHNICITY),
    spellings(vocab.LEGISLATION),
    spellings(vocab.OBJECT_OF_SEARCH),
    spellings(vocab.OUTCOME),
    spellings(vocab.YES_NO),
    spellings(vocab.YES_NO),
]

# No line breaks inside cells here: a short row whose quoted cell spans lines is indistinguishable from a quote left
# open, and the importer accounts for it line by line (see the test after the property tests).
junk = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00\r\n"), max_size=30)
dates = st.builds(
    lambda d, h, m, offset: f"2025-{d // 28 + 1:02d}-{d % 28 + 1:02d}T{h:02d}:{m:02d}:00{offset}",
    st.integers(0, 8 * 28 - 1),
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(["+00:00", "+01:00", "Z", ""]),
)


@st.composite
def good_row(draw: st.DrawFn) -> list[str]:
    row = [draw(st.sampled_from(values)) if values else "" for values in COLUMN_VALUES]
    row[1] = draw(dates)
    return row


@st.composite
def bad_row(draw: st.DrawFn) -> list[str]:
    row = draw(good_row())
    for _ in range(draw(st.integers(1, 3))):
        row[draw(st.integers(0, len(row) - 1))] = draw(junk)
    if draw(st.booleans()):
        row = row[: draw(st.integers(1, len(row)))] if draw(st.booleans()) else [*row, draw(junk)]
    return row


@dataclass
class Case:
    data: bytes
    records: int  # data rows written: each must be read, once


@st.composite
def files(draw: st.DrawFn) -> Case:
    end = draw(st.sampled_from(["\r\n", "\n"]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=end)
    chunks: list[bytes] = []
    records = 0

    def flush() -> None:
        chunks.append(out.getvalue().encode("utf-8"))
        out.seek(0)
        out.truncate()

    writer.writerow(HEADER)
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["good", "good", "bad", "blank", "header", "bytes"]))
        if kind in ("good", "bad"):
            row = draw(good_row() if kind == "good" else bad_row())
            if not any(cell.strip() for cell in row):
                continue  # a row of nothing is a blank line, not a record
            writer.writerow(row)
            records += 1
        elif kind == "blank":
            out.write(draw(st.sampled_from(["", " ", "\t", ",,,"])) + end)
        elif kind == "header":
            writer.writerow(HEADER)
        else:
            flush()
            chunks.append(draw(st.binary(min_size=1, max_size=20).map(lambda b: bytes(x | 0xF5 for x in b))) + b"\n")
            records += 1
    flush()
    data = b"".join(chunks)
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.booleans()):
        data += b"\r\n\r\n"
    return Case(data=data, records=records)


# A well-formed UTF-8 sequence of two to four bytes, and the bytes Windows-1252 leaves undefined.
UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def encoding_cannot_be_told(data: bytes) -> bool:
    """docs/import.md: a file that is not UTF-8 is refused if part of it is UTF-8 or it holds a byte Windows-1252
    does not define; otherwise it is read as Windows-1252."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return UTF8_MULTIBYTE.search(data) is not None or any(b in data for b in b"\x81\x8d\x8f\x90\x9d")
    return False


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=files())
def test_malformed_csv_never_crashes_and_never_loses_a_row(import_bytes: ImportBytes, case: Case) -> None:
    if encoding_cannot_be_told(case.data):
        # Refused whole, asking for UTF-8: nothing is read, so nothing can be lost.
        before = ImportBatch.objects.count()
        with pytest.raises(ImportFailed, match="save it as UTF-8"):
            import_bytes(case.data)
        assert ImportBatch.objects.count() == before
        return
    result = import_bytes(case.data)
    assert result.read == case.records
    assert result.read == result.imported + result.duplicates + result.rejected
    assert RejectedRow.objects.filter(batch_id=result.batch_id).count() == result.rejected
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.read_count, batch.rejected_count) == (result.read, result.rejected)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tail=st.binary(max_size=400))
def test_any_bytes_after_a_header_are_accounted_for(import_bytes: ImportBytes, tail: bytes) -> None:
    if encoding_cannot_be_told((POLICE_UK_HEADER + "\n").encode() + tail):
        with pytest.raises(ImportFailed, match="save it as UTF-8"):
            import_bytes((POLICE_UK_HEADER + "\n").encode() + tail)
        return
    try:
        result = import_bytes((POLICE_UK_HEADER + "\n").encode() + tail)
    except ImportFailed:  # pragma: no cover - a valid header is never fatal; kept to report it clearly
        pytest.fail("a file with a valid header was refused")
    assert result.read == result.imported + result.duplicates + result.rejected
    assert RejectedRow.objects.filter(batch_id=result.batch_id).count() == result.rejected


@pytest.mark.django_db
def test_a_short_row_with_a_line_break_in_quotes_is_accounted_for_line_by_line(import_bytes: ImportBytes) -> None:
    # data.police.uk never puts line breaks in a cell; a quote spanning lines in a short row is read as a quote
    # left open, so each physical line is rejected on its own and nothing is lost or silently merged.
    result = import_bytes((POLICE_UK_HEADER + '\r\n"\n",2025-01-01T00:00:00+00:00\r\n').encode())
    assert (result.read, result.imported, result.rejected) == (2, 0, 2)
    assert RejectedRow.objects.filter(batch_id=result.batch_id).count() == 2
