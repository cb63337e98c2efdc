"""The import contracts of docs/architecture.md hold (`.importlinter`, run by import-linter), and the check would
catch a package importing what it may not: the same contracts run over a copy of the code with one forbidden
import added must fail, naming it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("common", "panels", "scrutiny", "surveys", "frontend", "config")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own venv's lint-imports, fixed arguments
        [str(LINT_IMPORTS), "--config", str(where / ".importlinter"), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    """The packages' Python files and the contracts, nothing else (no templates, no data)."""
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    for package in PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            target = tmp_path / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    return tmp_path


def test_the_code_keeps_every_import_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("scrutiny/records/forbidden_import.py", "scrutiny.reviews.selectors"),  # a lower sub-domain a higher one
        ("scrutiny/stats/forbidden_import.py", "scrutiny.records.models"),  # the statistics, the database
        ("surveys/building/forbidden_import.py", "surveys.results.report"),
        ("panels/forbidden_import.py", "scrutiny.models"),  # a lower app a higher one
        ("scrutiny/forbidden_import.py", "surveys.models"),  # scrutiny and surveys are independent
        ("common/forbidden_import.py", "panels.models"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path: Path, module: str, forbidden: str) -> None:
    copy = _copy(tmp_path)
    assert _lint(copy).returncode == 0  # the copy as it is keeps them
    (copy / module).write_text(f"import {forbidden}  # noqa\n")
    result = _lint(copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout
