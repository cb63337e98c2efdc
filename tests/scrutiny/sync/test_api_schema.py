"""The coverage API is described in the OpenAPI schema, which validates without warnings."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management import call_command


def test_the_schema_describes_the_coverage_api_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    paths = yaml.safe_load(out.read_text())["paths"]
    overview = paths["/api/v1/coverage/"]["get"]
    force = paths["/api/v1/coverage/{police_uk_id}/"]["get"]
    assert {"200", "403"} <= set(overview["responses"])
    assert {"200", "403", "404"} <= set(force["responses"])
    assert overview["operationId"] != force["operationId"]
