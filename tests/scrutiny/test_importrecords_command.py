"""manage.py importrecords: JSON output, exit codes, reasons on stderr, format and force from the file."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from scrutiny import choices
from scrutiny.models import EncounterRecord, ImportBatch
from tests.scrutiny.conftest import FIXTURES, POLICE_UK_HEADER
from tests.scrutiny.factories import ForceFactory
from tests.scrutiny.fake_api import running_api

ROW = (
    "Person search,2025-06-01T10:15:00+00:00,False,,53.190012,-2.890034,Male,18-24,"
    "White - Irish,White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,True,False"
)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("importrecords", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_json_output_is_one_object_per_file(tmp_path: Path) -> None:
    ForceFactory.create(police_uk_id="cheshire")
    good = write(
        tmp_path,
        "2025-06-cheshire-stop-and-search.csv",
        f"{POLICE_UK_HEADER}\n{ROW}\n{ROW.replace('Male', 'Purple')}\n",
    )
    code, out, err = run(good, good, "--json")
    assert (code, err) == (0, "")
    first, second = (json.loads(line) for line in out.splitlines())
    assert first == {"file": good, "batch": first["batch"], "read": 2, "imported": 1, "duplicates": 0, "rejected": 1}
    assert second == {"file": good, "batch": second["batch"], "read": 2, "imported": 0, "duplicates": 1, "rejected": 1}
    assert str(ImportBatch.objects.get(pk=first["batch"]).declared_month) == "2025-06-01"


@pytest.mark.django_db
def test_it_reads_the_real_files_and_takes_the_force_from_the_name(shared_data: Path) -> None:
    ForceFactory.create(police_uk_id="city-of-london")
    path = str(shared_data / "police-uk" / "2018-04-city-of-london-stop-and-search.csv")
    code, out, err = run(path)
    assert code == 0
    assert err == ""
    assert out.strip().endswith("read 110, imported 110, duplicates 0, rejected 0")


@pytest.mark.django_db
def test_the_format_is_detected_or_given(tmp_path: Path) -> None:
    force = ForceFactory.create(police_uk_id="cheshire")
    extract = str(FIXTURES / "force-extract.csv")
    code, out, _ = run(extract, "--force", "cheshire", "--json")
    assert code == 0
    batch = ImportBatch.objects.get(pk=json.loads(out)["batch"])
    assert (batch.force, batch.source_format) == (force, choices.SourceFormat.FORCE_EXTRACT)
    # Told it is a use-of-force extract, the force extract's header is wrong.
    code, _, err = run(extract, "--force", "cheshire", "--format", "use-of-force")
    assert code == 1
    assert err.startswith(f"{extract}: wrong header for Force extract: use of force")


@pytest.mark.django_db
def test_an_unknown_force_says_where_the_ids_are(tmp_path: Path) -> None:
    path = write(tmp_path, "2025-06-atlantis-stop-and-search.csv", f"{POLICE_UK_HEADER}\n{ROW}\n")
    code, out, err = run(path, "--json")
    assert code == 1
    assert out == ""
    assert err.strip() == (
        f'{path}: unknown force "atlantis": the data.police.uk force ids are listed in docs/forces.md'
    )


@pytest.mark.django_db
def test_a_misspelt_force_gets_the_nearest_id(tmp_path: Path) -> None:
    path = write(tmp_path, "2025-06-south-yorks-stop-and-search.csv", f"{POLICE_UK_HEADER}\n{ROW}\n")
    code, _, err = run(path, "--json")
    assert code == 1
    assert 'unknown force "south-yorks": did you mean "south-yorkshire"?' in err


@pytest.mark.django_db
def test_any_force_of_england_and_wales_imports_with_no_set_up(tmp_path: Path) -> None:
    # South Yorkshire was never created by a test or an admin: it exists from the first migrate.
    path = write(tmp_path, "2025-09-south-yorkshire-stop-and-search.csv", f"{POLICE_UK_HEADER}\n{ROW}\n")
    code, out, err = run(path, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["imported"] == 1


@pytest.mark.django_db
def test_a_wrong_header_or_an_unreadable_file_fails_with_one_line_and_changes_nothing(tmp_path: Path) -> None:
    ForceFactory.create(police_uk_id="cheshire")
    wrong = write(tmp_path, "wrong.csv", "Type,Date,Colour\nPerson search,2025-06-01T10:00:00+00:00,red\n")
    good = write(tmp_path, "good.csv", f"{POLICE_UK_HEADER}\n{ROW}\n")
    missing = str(tmp_path / "missing.csv")
    code, out, err = run(wrong, missing, good, "--force", "cheshire", "--json")
    assert code == 1  # one file could not be processed ...
    assert [json.loads(line)["imported"] for line in out.splitlines()] == [1]  # ... the good one still was
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"{wrong}: wrong header: cannot tell the format")
    assert lines[1] == f"{missing}: unreadable: No such file or directory"
    assert EncounterRecord.objects.count() == 1
    assert ImportBatch.objects.count() == 1


@pytest.mark.django_db
def test_without_a_force_or_a_data_police_uk_name_it_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "records.csv", f"{POLICE_UK_HEADER}\n{ROW}\n")
    code, _, err = run(path)
    assert code == 1
    assert "no --force given" in err
    ForceFactory.create(police_uk_id="cheshire")
    ForceFactory.create(police_uk_id="merseyside")
    named = write(tmp_path, "2025-06-cheshire-stop-and-search.csv", f"{POLICE_UK_HEADER}\n{ROW}\n")
    code, _, err = run(named, "--force", "merseyside")
    assert code == 1
    assert 'named for force "cheshire" but --force is "merseyside"' in err


@pytest.mark.django_db
def test_it_fetches_a_month_from_the_api(settings: Any) -> None:
    ForceFactory.create(police_uk_id="avon-and-somerset")
    with running_api() as url:
        settings.POLICE_UK_API_URL = url
        code, out, err = run("--fetch", "2023-01", "--force", "avon-and-somerset", "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["file"] == f"{url}/stops-force?force=avon-and-somerset&date=2023-01"
    assert (result["read"], result["imported"]) == (1, 1)
    batch = ImportBatch.objects.get(pk=result["batch"])
    assert batch.source_format == choices.SourceFormat.POLICE_UK_JSON
    assert str(batch.declared_month) == "2023-01-01"


@pytest.mark.django_db
def test_fetch_needs_a_force_and_a_month() -> None:
    code, _, err = run("--fetch", "2023-01")
    assert code == 1
    assert "--fetch needs --force" in err
    ForceFactory.create(police_uk_id="kent")
    code, _, err = run("--fetch", "January", "--force", "kent")
    assert code == 1
    assert "month must be written YYYY-MM" in err


def test_nothing_to_do_is_a_usage_error() -> None:
    with pytest.raises(CommandError, match="give at least one FILE"):
        call_command("importrecords")


@pytest.mark.django_db
def test_writevocabularies_check_passes_when_the_page_is_current() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("writevocabularies", "--check", stdout=out, stderr=err)
    assert err.getvalue() == ""
