"""The import pipeline: four sources (data.police.uk CSV and API JSON, force extracts for stop and search and for
use of force) through one reader → normaliser → sink path. See docs/import.md."""

from __future__ import annotations

from scrutiny.records.importing.errors import ImportFailed
from scrutiny.records.importing.formats import detect_format, parse_file_name, parse_month
from scrutiny.records.importing.pipeline import ImportResult, Progress, count_lines, run_import

__all__ = [
    "ImportFailed",
    "ImportResult",
    "Progress",
    "count_lines",
    "detect_format",
    "parse_file_name",
    "parse_month",
    "run_import",
]
